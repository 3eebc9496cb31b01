// Membership rules and the credential-in-use rule.
#include "credvault/workspace.h"

namespace credvault {
namespace {

constexpr size_t kMaxListedUses = 10;

Status Denied(std::string message) {
  return Status(ErrorCode::kPermissionDenied, std::move(message));
}

Status LastOwner() {
  return Status(ErrorCode::kConflict,
                "a workspace needs an owner: make another member owner first");
}

// The actor, as a member that may manage members; or the reason not.
Result<const Member*> Manager(const Workspace& workspace, std::string_view actor_id) {
  const Member* actor = workspace.FindMember(actor_id);
  if (actor == nullptr) return Status(ErrorCode::kNotFound, "the actor is not a member");
  if (!Allows(actor->role, Action::kManageMembers)) {
    return Denied("the " + std::string(RoleName(actor->role)) + " role may not manage members");
  }
  return actor;
}

}  // namespace

const Member* Workspace::FindMember(std::string_view account_id) const {
  for (const Member& member : members) {
    if (member.account_id == account_id) return &member;
  }
  return nullptr;
}

size_t Workspace::OwnerCount() const {
  size_t count = 0;
  for (const Member& member : members) count += member.role == Role::kOwner ? 1 : 0;
  return count;
}

FieldIssues CheckWorkspace(const Workspace& workspace) {
  FieldIssues issues;
  if (auto issue = CheckDisplayName("name", workspace.name)) issues.push_back(std::move(*issue));
  return issues;
}

Status CheckAddMember(const Workspace& workspace, std::string_view actor_id,
                      std::string_view new_account_id, Role role) {
  CV_ASSIGN_OR_RETURN(const Member* actor, Manager(workspace, actor_id));
  if (workspace.FindMember(new_account_id) != nullptr) {
    return Status(ErrorCode::kConflict, "already a member");
  }
  if (role == Role::kOwner && actor->role != Role::kOwner) {
    return Denied("only an owner may make an owner");
  }
  return Status::Ok();
}

Status CheckRoleChange(const Workspace& workspace, std::string_view actor_id,
                       std::string_view target_id, Role new_role) {
  const Member* target = workspace.FindMember(target_id);
  if (target == nullptr) return Status(ErrorCode::kNotFound, "the target is not a member");
  if (actor_id == target_id) {
    // Stepping down is the only change one makes to oneself: anything else would let an
    // admin promote itself.
    const Member* self = target;
    if (self->role != Role::kOwner) return Denied("members may not change their own role");
    if (new_role != Role::kOwner && workspace.OwnerCount() <= 1) return LastOwner();
    return Status::Ok();
  }
  CV_ASSIGN_OR_RETURN(const Member* actor, Manager(workspace, actor_id));
  if (actor->role != Role::kOwner && (target->role == Role::kOwner || new_role == Role::kOwner)) {
    return Denied("only an owner may change an owner's role or make an owner");
  }
  if (target->role == Role::kOwner && new_role != Role::kOwner && workspace.OwnerCount() <= 1) {
    return LastOwner();
  }
  return Status::Ok();
}

Status CheckRemoveMember(const Workspace& workspace, std::string_view actor_id,
                         std::string_view target_id) {
  const Member* target = workspace.FindMember(target_id);
  if (target == nullptr) return Status(ErrorCode::kNotFound, "the target is not a member");
  if (actor_id != target_id) {
    CV_ASSIGN_OR_RETURN(const Member* actor, Manager(workspace, actor_id));
    if (target->role == Role::kOwner && actor->role != Role::kOwner) {
      return Denied("only an owner may remove an owner");
    }
  }
  if (target->role == Role::kOwner && workspace.OwnerCount() <= 1) return LastOwner();
  return Status::Ok();
}

std::vector<CredentialUse> FindCredentialUses(std::string_view credential_id,
                                              std::span<const ConnectionSummary> connections) {
  std::vector<CredentialUse> uses;
  if (credential_id.empty()) return uses;
  for (const ConnectionSummary& c : connections) {
    if (c.credential_id == credential_id && c.state != ConnectionState::kDeleted) {
      uses.push_back(CredentialUse{c.id, c.name});
    }
  }
  return uses;
}

std::vector<CredentialUse> FindCredentialUses(std::string_view credential_id,
                                              std::span<const SealedConnection> connections) {
  std::vector<CredentialUse> uses;
  if (credential_id.empty()) return uses;
  for (const SealedConnection& c : connections) {
    if (c.credential_id == credential_id && c.state != ConnectionState::kDeleted) {
      uses.push_back(CredentialUse{c.id, ""});
    }
  }
  return uses;
}

Status CheckCredentialDeletable(const std::vector<CredentialUse>& uses) {
  if (uses.empty()) return Status::Ok();
  std::string message = "the credential is used by " + std::to_string(uses.size()) +
                        (uses.size() == 1 ? " connection: " : " connections: ");
  for (size_t i = 0; i < uses.size() && i < kMaxListedUses; ++i) {
    if (i > 0) message += ", ";
    const CredentialUse& use = uses[i];
    message += use.connection_name.empty() ? use.connection_id
                                           : use.connection_name + " (" + use.connection_id + ")";
  }
  if (uses.size() > kMaxListedUses) {
    message += " and " + std::to_string(uses.size() - kMaxListedUses) + " more";
  }
  message += "; move them to another credential or delete them first";
  return Status(ErrorCode::kConflict, std::move(message));
}

}  // namespace credvault
