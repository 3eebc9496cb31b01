// The permission table: what each role may do, and which keys it is granted.
#include "credvault/permissions.h"

#include <array>

#include "model/enum_table.h"

namespace credvault {
namespace {

constexpr internal::EnumName<Role> kRoleNames[] = {
    {Role::kOwner, "owner"},
    {Role::kAdmin, "admin"},
    {Role::kOperator, "operator"},
    {Role::kViewer, "viewer"},
};

constexpr internal::EnumName<Action> kActionNames[] = {
    {Action::kReadCredentials, "read_credentials"},
    {Action::kCreateCredential, "create_credential"},
    {Action::kEditCredential, "edit_credential"},
    {Action::kDeleteCredential, "delete_credential"},
    {Action::kShareCredential, "share_credential"},
    {Action::kOpenCredentialSecrets, "open_credential_secrets"},
    {Action::kReadConnections, "read_connections"},
    {Action::kCreateConnection, "create_connection"},
    {Action::kEditConnection, "edit_connection"},
    {Action::kDeleteConnection, "delete_connection"},
    {Action::kChangeConnectionState, "change_connection_state"},
    {Action::kRunTest, "run_test"},
    {Action::kManageMembers, "manage_members"},
    {Action::kManageRunners, "manage_runners"},
    {Action::kManageEnvironments, "manage_environments"},
    {Action::kReadAudit, "read_audit"},
    {Action::kEditWorkspace, "edit_workspace"},
    {Action::kDeleteWorkspace, "delete_workspace"},
};
static_assert(std::size(kActionNames) == kActionCount);

using A = Action;
// An operator runs the day-to-day work (adds and rotates credentials, imports, tests,
// moves states) but cannot destroy or widen access: deleting, sharing, members and runners
// are for admins. A viewer reads names and states only, and holds no secrets key, so it
// cannot run a test either (a test job carries the decrypted secret).
constexpr A kViewerActions[] = {A::kReadCredentials, A::kReadConnections};
constexpr A kOperatorActions[] = {
    A::kReadCredentials, A::kCreateCredential, A::kEditCredential, A::kOpenCredentialSecrets,
    A::kReadConnections, A::kCreateConnection, A::kEditConnection, A::kChangeConnectionState,
    A::kRunTest,         A::kReadAudit};
constexpr A kAdminActions[] = {
    A::kReadCredentials, A::kCreateCredential,      A::kEditCredential,        A::kDeleteCredential,
    A::kShareCredential, A::kOpenCredentialSecrets, A::kReadConnections,       A::kCreateConnection,
    A::kEditConnection,  A::kDeleteConnection,      A::kChangeConnectionState, A::kRunTest,
    A::kManageMembers,   A::kManageRunners,         A::kManageEnvironments,    A::kReadAudit,
    A::kEditWorkspace};
constexpr A kOwnerActions[] = {
    A::kReadCredentials, A::kCreateCredential,      A::kEditCredential,        A::kDeleteCredential,
    A::kShareCredential, A::kOpenCredentialSecrets, A::kReadConnections,       A::kCreateConnection,
    A::kEditConnection,  A::kDeleteConnection,      A::kChangeConnectionState, A::kRunTest,
    A::kManageMembers,   A::kManageRunners,         A::kManageEnvironments,    A::kReadAudit,
    A::kEditWorkspace,   A::kDeleteWorkspace};

struct RoleRow {
  Role role;
  std::span<const Action> actions;
  bool metadata_key;
  bool secrets_key;
};
constexpr RoleRow kRoleTable[] = {
    {Role::kOwner, kOwnerActions, true, true},
    {Role::kAdmin, kAdminActions, true, true},
    {Role::kOperator, kOperatorActions, true, true},
    {Role::kViewer, kViewerActions, true, false},
};

const RoleRow& RowOf(Role role) {
  for (const RoleRow& row : kRoleTable) {
    if (row.role == role) return row;
  }
  return kRoleTable[std::size(kRoleTable) - 1];  // unknown values get the least power
}

}  // namespace

std::string_view RoleName(Role role) { return internal::NameOf(kRoleNames, role); }
std::optional<Role> ParseRole(std::string_view name) { return internal::ValueOf(kRoleNames, name); }
std::string_view ActionName(Action action) { return internal::NameOf(kActionNames, action); }
std::optional<Action> ParseAction(std::string_view name) {
  return internal::ValueOf(kActionNames, name);
}

bool Allows(Role role, Action action) {
  for (Action allowed : RowOf(role).actions) {
    if (allowed == action) return true;
  }
  return false;
}

std::span<const Action> AllowedActions(Role role) { return RowOf(role).actions; }

bool ReceivesMetadataKey(Role role) { return RowOf(role).metadata_key; }
bool ReceivesSecretsKey(Role role) {
  // The key follows the permission, so the two can never disagree.
  return RowOf(role).secrets_key && Allows(role, Action::kOpenCredentialSecrets);
}

}  // namespace credvault
