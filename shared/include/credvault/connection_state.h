// The connection state machine: ONE table of every transition, for users, tests and imports.
//
// Meshery has three transition tables that disagree (its reference §2.2–2.3); this is the
// only one here, and the server rejects what it rejects. The rules it encodes:
//   - `connected` and `not_found` are claims about the world, so only a test (whose signed
//     result the client verified) reaches them; a user never picks either.
//   - an authentication failure (unauthorized, forbidden, client certificate refused) moves to
//   `disconnected`, never to
//     `not_found` (Meshery's endless re-discovery loop, its PR #20458);
//   - a connection that never worked and cannot be verified (unreachable, TLS, wrong path,
//     unexpected answer) is `not_found`; one that was connected becomes `disconnected`;
//   - a test that learnt nothing (rate limited, blocked by the runner's policy) moves nothing;
//   - `ignored` and `maintenance` are the user's decisions: neither a test nor a re-import
//     changes them (Meshery PR #10303);
//   - `deleted` is terminal: no event leaves it;
//   - every transition a user may pick carries its label and confirmation text.
// Pure functions over constant tables; thread-safe. Errors: kPermissionDenied (the role may
// not cause this event), kInvalidTransition (the table refuses the move).
#ifndef CREDVAULT_CONNECTION_STATE_H_
#define CREDVAULT_CONNECTION_STATE_H_

#include <optional>
#include <string_view>
#include <vector>

#include "credvault/permissions.h"
#include "credvault/status.h"

namespace credvault {

enum class ConnectionState {
  kDiscovered,
  kRegistered,
  kConnected,
  kIgnored,
  kMaintenance,
  kDisconnected,
  kDeleted,
  kNotFound,
};
inline constexpr size_t kConnectionStateCount = 8;
inline constexpr ConnectionState kAllConnectionStates[] = {
    ConnectionState::kDiscovered, ConnectionState::kRegistered,  ConnectionState::kConnected,
    ConnectionState::kIgnored,    ConnectionState::kMaintenance, ConnectionState::kDisconnected,
    ConnectionState::kDeleted,    ConnectionState::kNotFound};
// "discovered", ..., "not_found".
std::string_view ConnectionStateName(ConnectionState state);
std::optional<ConnectionState> ParseConnectionState(std::string_view name);
// The state a newly imported or discovered connection starts in.
inline constexpr ConnectionState kInitialConnectionState = ConnectionState::kDiscovered;
// Managed connections are the ones imports and tests may move (Meshery's
// ShouldConnectionBeManaged): not ignored, in maintenance or deleted.
bool IsManagedState(ConnectionState state);

// Outcomes of a connectivity test (DESIGN §5); probe_outcome.h's interpreter produces them
// (ProbeOutcome is this type). For the state machine they fall in four classes:
//   verified      ok
//   rejected      unauthorized, forbidden, tls_client_cert_refused (the service answered
//                 and refused the credential)
//   unverified    unreachable, tls_untrusted, tls_hostname_mismatch, tls_expired,
//                 not_found, unexpected (the credential could not be tried)
//   inconclusive  rate_limited, blocked_by_policy (nothing was learnt: state unchanged)
enum class TestOutcome {
  kOk,
  kUnreachable,
  kTlsUntrusted,
  kTlsHostnameMismatch,
  kTlsExpired,
  kTlsClientCertRefused,
  kUnauthorized,
  kForbidden,
  kNotFound,
  kRateLimited,
  kBlockedByPolicy,
  kUnexpected,
};
inline constexpr TestOutcome kAllTestOutcomes[] = {TestOutcome::kOk,
                                                   TestOutcome::kUnreachable,
                                                   TestOutcome::kTlsUntrusted,
                                                   TestOutcome::kTlsHostnameMismatch,
                                                   TestOutcome::kTlsExpired,
                                                   TestOutcome::kTlsClientCertRefused,
                                                   TestOutcome::kUnauthorized,
                                                   TestOutcome::kForbidden,
                                                   TestOutcome::kNotFound,
                                                   TestOutcome::kRateLimited,
                                                   TestOutcome::kBlockedByPolicy,
                                                   TestOutcome::kUnexpected};
// "ok", "unreachable", "tls_untrusted", "tls_hostname_mismatch", "unauthorized", ...
std::string_view TestOutcomeName(TestOutcome outcome);
std::optional<TestOutcome> ParseTestOutcome(std::string_view name);

struct ConnectionEvent {
  enum class Type { kUserPick, kTest, kImport };
  Type type = Type::kImport;
  ConnectionState target = ConnectionState::kDiscovered;  // kUserPick only
  TestOutcome outcome = TestOutcome::kOk;                 // kTest only

  static ConnectionEvent UserPick(ConnectionState target) { return {Type::kUserPick, target, {}}; }
  static ConnectionEvent Test(TestOutcome outcome) { return {Type::kTest, {}, outcome}; }
  // A re-import of a connection that already exists (a new one starts in
  // kInitialConnectionState).
  static ConnectionEvent Import() { return {Type::kImport, {}, {}}; }
};

// The permission an event needs: kChangeConnectionState for a pick (kDeleteConnection to
// delete), kRunTest for a test, kCreateConnection for an import.
Action RequiredAction(const ConnectionEvent& event);

// The state after `event`, or why not. A test or import may leave the state unchanged
// (e.g. a test of a connection in maintenance); that is success, not an error.
Result<ConnectionState> ApplyEvent(ConnectionState from, const ConnectionEvent& event, Role role);

struct UserTransition {
  ConnectionState to;
  std::string_view label;         // the menu entry: "Register", "Ignore", ...
  std::string_view confirmation;  // the question the UI asks before it acts
  bool destructive;               // shown in red; the UI asks for the name to be typed
};
// What `role` may pick from `from`, in menu order. Empty for a role that may pick nothing.
std::vector<UserTransition> AllowedUserTransitions(ConnectionState from, Role role);
// The rule for one pick regardless of role; nullopt when the table has no such move.
std::optional<UserTransition> FindUserTransition(ConnectionState from, ConnectionState to);

}  // namespace credvault

#endif  // CREDVAULT_CONNECTION_STATE_H_
