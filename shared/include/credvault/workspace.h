// Workspaces and their members: who may add, re-role and remove whom, and the rule that a
// credential still used by connections cannot be deleted.
//
// The server may know all of a Workspace (DESIGN §2: ids, names, memberships and roles).
// Check* functions decide; they do not mutate, so the server runs them inside the
// transaction that writes. Removing a member requires rotating the workspace keys
// (DESIGN §3), which the caller does. Errors: kPermissionDenied (the actor's role may not),
// kNotFound (actor or target is not a member), kConflict (the last owner would be lost, the
// member exists already, the credential is in use). Pure; thread-safe.
#ifndef CREDVAULT_WORKSPACE_H_
#define CREDVAULT_WORKSPACE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/connection.h"
#include "credvault/permissions.h"
#include "credvault/status.h"

namespace credvault {

struct Member {
  std::string account_id;
  Role role = Role::kViewer;
  int64_t joined_at = 0;
};

struct Workspace {
  std::string id;
  std::string name;
  std::vector<Member> members;
  uint32_t key_generation = 1;
  uint64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;

  const Member* FindMember(std::string_view account_id) const;
  size_t OwnerCount() const;
};

// Workspace names: the display-name rule, under the field "name".
FieldIssues CheckWorkspace(const Workspace& workspace);

// Only owners and admins manage members; only an owner makes an owner.
Status CheckAddMember(const Workspace& workspace, std::string_view actor_id,
                      std::string_view new_account_id, Role role);
// An admin may not change an owner's role nor make anyone owner; nobody demotes the last
// owner (themselves included); nobody changes their own role except an owner stepping down
// while another owner remains.
Status CheckRoleChange(const Workspace& workspace, std::string_view actor_id,
                       std::string_view target_id, Role new_role);
// Anyone may leave (actor == target) except the last owner; removing someone else needs
// kManageMembers, and only an owner removes an owner.
Status CheckRemoveMember(const Workspace& workspace, std::string_view actor_id,
                         std::string_view target_id);

// A connection that uses a credential.
struct CredentialUse {
  std::string connection_id;
  std::string connection_name;  // empty where the caller only has sealed connections
  friend bool operator==(const CredentialUse&, const CredentialUse&) = default;
};
// Connections (not deleted) that name `credential_id`, in input order.
std::vector<CredentialUse> FindCredentialUses(std::string_view credential_id,
                                              std::span<const ConnectionSummary> connections);
std::vector<CredentialUse> FindCredentialUses(std::string_view credential_id,
                                              std::span<const SealedConnection> connections);
// kConflict listing the connections (name and id, up to 10, then "and N more") when `uses`
// is not empty.
Status CheckCredentialDeletable(const std::vector<CredentialUse>& uses);

}  // namespace credvault

#endif  // CREDVAULT_WORKSPACE_H_
