// Connection rules of the REST API that need no store: what a client may send when it
// creates or re-seals a connection or moves its state, and how a list is answered.
//
// The core decides: SealedConnectionFromJson checks the document and its envelope,
// ApplyEvent (connection_state.h) is the one state machine — a state change the core
// refuses is refused here with its error (kInvalidTransition, or kPermissionDenied for a
// role that may not cause the event). These functions add what only the server knows: the
// workspace of the request, the stored record, the caller's role.
//
// A connection's `state` and `last_test` are the server's to keep: a new connection starts
// in kInitialConnectionState or in a state the caller could pick from there, and afterwards
// only transitions move it (a PUT keeps the stored state). Deleting is the transition to
// `deleted` (terminal), so a deleted connection stays readable and countable.
//
// Errors: kValidation naming the field; kInvalidTransition / kPermissionDenied from the
// state machine. Pure functions; thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_CONNECTIONS_RULES_H_
#define CREDVAULT_SERVER_HANDLERS_CONNECTIONS_RULES_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "credvault/connection.h"
#include "credvault/connection_state.h"
#include "credvault/permissions.h"
#include "credvault/status.h"

namespace credvault::server {

inline constexpr size_t kMaxConnectionBodyBytes = 1 << 20;

// The core's reader, unknown fields, object ids (id, workspace_id, credential_id when set,
// each environment id) and no environment listed twice.
Result<SealedConnection> ParseConnectionBody(const nlohmann::json& body);

// A new connection of `workspace_id`: version 1, and a starting state the caller's `role`
// reaches from kInitialConnectionState (deleted is no place to start). Returns the row to
// insert, with timestamps `now`.
Result<SealedConnection> CheckNewConnection(SealedConnection connection,
                                            std::string_view workspace_id, Role role, int64_t now);

// A re-sealed connection replacing `current`: same id, workspace and kind (the credential
// fit depends on it); not a deleted one (kInvalidTransition). Returns the row to write: state
// and last test as stored, created_at kept, updated_at `now`.
Result<SealedConnection> CheckConnectionUpdate(SealedConnection incoming,
                                               const SealedConnection& current, int64_t now);

// POST .../transitions: {"version": N, "to": "<state>"} for a user's pick, or
// {"version": N, "test": <last_test>} to record a test result the client verified.
struct TransitionRequest {
  uint64_t version = 0;
  std::optional<ConnectionState> to;
  std::optional<nlohmann::json> test;  // checked against the stored connection
};
Result<TransitionRequest> ParseTransitionBody(const nlohmann::json& body);

// What a transition does to `current`: the new state, and the test to record (for a test).
struct TransitionOutcome {
  ConnectionState state = kInitialConnectionState;
  std::optional<LastTest> last_test;
};
// ApplyEvent decides; `request.version` must be current.version (kConflict otherwise, via
// the store's StaleVersion, so the client learns the current version).
Result<TransitionOutcome> DecideTransition(const SealedConnection& current,
                                           const TransitionRequest& request, Role role);

// The list filters of GET .../connections.
Result<std::optional<ServiceKind>> ParseKindFilter(std::string_view value);
Result<std::optional<ConnectionState>> ParseStateFilter(std::string_view value);

// {"discovered": n, ...}: every state, 0 where the store counted none.
nlohmann::json CountsJson(const std::map<ConnectionState, uint64_t>& counts);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_CONNECTIONS_RULES_H_
