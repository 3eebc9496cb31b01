// Credential rules of the REST API that need no store: what a client may send when it
// creates, re-seals or shares a credential, and what a workspace is shown of one.
//
// The server checks structure, never content (DESIGN §2): the core's JSON reader
// (SealedCredentialFromJson) checks types, enums and that every envelope is well-formed
// (InspectEnvelope); these functions add what only the server knows — who is asking, in
// which workspace, at which key generation, and what is stored already. They also refuse
// fields the model does not have, by comparing a document with the core's own rendering of
// what it parsed, so no field name is written twice.
//
// Errors: kValidation naming the field for anything a client got wrong; kConflict when the
// request disagrees with what is stored (a grant that exists, a set of grants that misses a
// workspace). Pure functions; thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_CREDENTIALS_RULES_H_
#define CREDVAULT_SERVER_HANDLERS_CREDENTIALS_RULES_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/status.h"
#include "http_message.h"

namespace credvault::server {

// A credential carries envelopes up to the core's field limits; the transport's own body
// limit still applies.
inline constexpr size_t kMaxCredentialBodyBytes = 1 << 20;

// kValidation naming the first field of `input` (by its path, "grants[0].extra") that the
// canonical rendering `canonical` of the parsed document does not have.
Status CheckNoUnknownFields(const nlohmann::json& input, const nlohmann::json& canonical);

// The envelopes of a grant must be sealed at the generation the grant claims.
Status CheckGrantGenerations(const CredentialGrant& grant, std::string_view field);

// Parses a credential a client sends (POST or PUT): the core's reader, unknown fields, and
// ids that are object ids.
Result<SealedCredential> ParseCredentialBody(const nlohmann::json& body);

// A new credential in `workspace_id` by `actor_id`, whose keys are at `key_generation`:
// version 1, owned by the caller, exactly one grant, to its home workspace, at the current
// generation. On success returns the row to insert (timestamps `now`, rotate flag clear).
Result<SealedCredential> CheckNewCredential(SealedCredential credential,
                                            std::string_view workspace_id,
                                            std::string_view actor_id, uint32_t key_generation,
                                            int64_t now);

// The current key generation of a workspace, or nullopt when it does not exist.
using GenerationOf = std::function<std::optional<uint32_t>(std::string_view workspace_id)>;

// A re-sealed credential replacing `current`: same id, home, owner, kind and method;
// version current.version + 1 is the caller's business (the store checks it and answers a
// stale one with the current version); one grant for every workspace the credential is
// granted to (the data key is bound to the version, so every wrap must be renewed), each
// at that workspace's current generation. Returns the row to write: timestamps from
// `current` and `now`; the rotate flag as sent when `body_has_rotate_flag`, else kept.
Result<SealedCredential> CheckCredentialUpdate(SealedCredential incoming,
                                               const SealedCredential& current,
                                               const GenerationOf& generation_of,
                                               bool body_has_rotate_flag, int64_t now);

// POST .../credentials/{id}/grants: {workspace_id, key_generation, wrapped_data_key,
// sealed_name}, every field required.
Result<CredentialGrant> ParseGrantBody(const nlohmann::json& body);
// A new grant of `credential` to `grant.workspace_id`, whose keys are at
// `target_generation`: not the home workspace, not granted already (kConflict).
Status CheckNewGrant(const SealedCredential& credential, const CredentialGrant& grant,
                     uint32_t target_generation);
// Revoking the grant of `credential` to `target` through `via` (the workspace of the
// request): the home workspace keeps its grant (kConflict), only the home workspace may
// revoke another workspace's grant (kPermissionDenied), the grant must exist (kNotFound).
Status CheckRevokeGrant(const SealedCredential& credential, std::string_view via,
                        std::string_view target);

// Edits and deletion happen in the credential's home workspace; a workspace it is shared
// with may use it and drop its own grant (kPermissionDenied otherwise).
Status CheckManagedHere(const SealedCredential& credential, std::string_view workspace_id);

// What `workspace_id` is shown of a credential: the home workspace sees every grant (it
// re-wraps them all on update); a workspace it is shared with sees only its own.
nlohmann::json CredentialJsonFor(const SealedCredential& credential, std::string_view workspace_id);

// Connections that keep a credential (or one grant of it) from going away: those of
// `connections` (not deleted) that name it. `visible` says whether the caller may see a
// connection's workspace; the others are only counted.
struct CredentialBlockers {
  std::vector<SealedConnection> listed;
  size_t hidden = 0;
  bool empty() const { return listed.empty() && hidden == 0; }
};
CredentialBlockers FindBlockers(std::string_view credential_id,
                                const std::vector<SealedConnection>& connections,
                                const std::function<bool(std::string_view)>& visible);
// kConflict (from the core's CheckCredentialDeletable) when `blockers` is not empty.
Status BlockersStatus(const CredentialBlockers& blockers);
// The 409 for a credential in use: the router's error body for `status` plus
// "connections": [{id, kind, workspace_id}] and "hidden_connections": N (in workspaces the
// caller is not a member of).
HttpResponse InUseResponse(const Status& status, const CredentialBlockers& blockers);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_CREDENTIALS_RULES_H_
