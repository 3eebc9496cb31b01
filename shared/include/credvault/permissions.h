// Roles and what each may do in a workspace: the permission table, as data, in one place.
//
// Access control is enforced twice (DESIGN §2): the server asks Allows() before it acts,
// and the key a role receives makes a forgotten check harmless (ReceivesSecretsKey decides
// whether MakeGrant includes the secrets key). Pure functions over constant tables;
// thread-safe.
#ifndef CREDVAULT_PERMISSIONS_H_
#define CREDVAULT_PERMISSIONS_H_

#include <optional>
#include <span>
#include <string_view>

namespace credvault {

// Ordered from most to least powerful.
enum class Role { kOwner, kAdmin, kOperator, kViewer };
inline constexpr Role kAllRoles[] = {Role::kOwner, Role::kAdmin, Role::kOperator, Role::kViewer};
// "owner", "admin", "operator", "viewer".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

enum class Action {
  kReadCredentials,  // list credentials and their names
  kCreateCredential,
  kEditCredential,  // rename, rotate the secret
  kDeleteCredential,
  kShareCredential,        // grant to another workspace
  kOpenCredentialSecrets,  // decrypt the secret fields
  kReadConnections,
  kCreateConnection,  // includes importing a kubeconfig
  kEditConnection,
  kDeleteConnection,
  kChangeConnectionState,
  kRunTest,
  kManageMembers,
  kManageRunners,
  kManageEnvironments,
  kReadAudit,
  kEditWorkspace,  // rename
  kDeleteWorkspace,
};
inline constexpr size_t kActionCount = 18;
// "read_credentials", "open_credential_secrets", ...
std::string_view ActionName(Action action);
std::optional<Action> ParseAction(std::string_view name);

bool Allows(Role role, Action action);
// The actions `role` may take, in enum order (for the UI and the API's "my permissions").
std::span<const Action> AllowedActions(Role role);

// Which workspace keys a member with `role` is granted. Every member gets the metadata key
// (connection names and endpoints); only roles that may open secrets get the secrets key.
bool ReceivesMetadataKey(Role role);
bool ReceivesSecretsKey(Role role);

}  // namespace credvault

#endif  // CREDVAULT_PERMISSIONS_H_
