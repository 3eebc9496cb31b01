// Removing a member rotates the workspace keys (DESIGN §3). The client, which holds the
// keys, computes the rotation; the server checks that it is complete and consistent and
// applies it in the transaction that removes the member:
//
//   {"new_generation": N+1,
//    "grants": [KeyGrant for every remaining member at N+1, signed by the caller],
//    "credential_keys": [{"credential_id", "wrapped_data_key", "sealed_name"}: one for every
//                        credential granted to the workspace, both envelopes at N+1],
//    "connections": [SealedConnection: every connection of the workspace re-sealed at N+1,
//                    with version = stored version + 1]}
//
// Anything missing, extra, duplicated or of the wrong generation is kValidation naming the
// entry, and nothing is written. Credentials the removed member could open (their role
// received the secrets key) are flagged rotate_recommended. Pure functions; thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_MEMBERS_ROTATION_H_
#define CREDVAULT_SERVER_HANDLERS_MEMBERS_ROTATION_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "credvault/account.h"
#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"
#include "store/store.h"

namespace credvault::server {

struct CredentialKeyUpdate {
  std::string credential_id;
  Bytes wrapped_data_key;
  Bytes sealed_name;
};

// The body as sent, checked for shape only (types, fields, envelopes, ids).
struct RotationBody {
  uint32_t new_generation = 0;
  std::vector<nlohmann::json> grants;  // checked against the members in PlanRotation
  std::vector<CredentialKeyUpdate> credential_keys;
  std::vector<SealedConnection> connections;
};
Result<RotationBody> ReadRotationBody(const nlohmann::json& body);

// What the workspace holds now, read in the removing transaction.
struct RotationState {
  WorkspaceRow workspace;
  // The member removed, or a runner whose grant is revoked (account_id = the runner id,
  // role = kRunnerRole).
  MemberRow removed;
  std::vector<MemberRow> remaining;
  // Runners (other than a removed one) that hold a key grant for active monitoring. Their
  // grants at the new generation are optional: a runner left out keeps only grants of old
  // generations, which open nothing written afterwards.
  std::vector<std::string> granted_runners;
  std::vector<CredentialGrantRow> credential_grants;  // every grant to this workspace
  std::vector<SealedConnection> connections;          // every connection of the workspace
};

// What to write.
struct RotationPlan {
  uint32_t new_generation = 0;
  std::vector<KeyGrant> grants;
  std::vector<std::pair<std::string, CredentialGrant>> credential_grants;  // credential id
  std::vector<SealedConnection> connections;    // stored rows with new envelope and version
  std::vector<std::string> rotate_recommended;  // credential ids
};
Result<RotationPlan> PlanRotation(const RotationBody& body, const RotationState& state,
                                  const AccountRecord& granter, int64_t now);

// Writes `plan` (new generation, grants, re-wrapped keys, re-sealed connections, rotate
// flags) inside the caller's transaction. The removed recipient's grants are the caller's.
Status ApplyRotation(Tx& tx, const WorkspaceRow& workspace, const RotationPlan& plan,
                     int64_t now);

// Ids of the runners of the workspace that hold a key grant, for RotationState.
Result<std::vector<std::string>> GrantedRunners(ReadTx& tx, std::string_view workspace_id);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_MEMBERS_ROTATION_H_
