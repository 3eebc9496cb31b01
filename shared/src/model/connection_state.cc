// The one connection state machine. Every transition is a row of a table below; the
// functions only look rows up.
#include "credvault/connection_state.h"

#include "model/enum_table.h"

namespace credvault {
namespace {

using S = ConnectionState;

constexpr internal::EnumName<S> kStateNames[] = {
    {S::kDiscovered, "discovered"},   {S::kRegistered, "registered"},
    {S::kConnected, "connected"},     {S::kIgnored, "ignored"},
    {S::kMaintenance, "maintenance"}, {S::kDisconnected, "disconnected"},
    {S::kDeleted, "deleted"},         {S::kNotFound, "not_found"},
};
static_assert(std::size(kStateNames) == kConnectionStateCount);

constexpr internal::EnumName<TestOutcome> kOutcomeNames[] = {
    {TestOutcome::kOk, "ok"},
    {TestOutcome::kUnreachable, "unreachable"},
    {TestOutcome::kTlsUntrusted, "tls_untrusted"},
    {TestOutcome::kTlsHostnameMismatch, "tls_hostname_mismatch"},
    {TestOutcome::kTlsExpired, "tls_expired"},
    {TestOutcome::kTlsClientCertRefused, "tls_client_cert_refused"},
    {TestOutcome::kUnauthorized, "unauthorized"},
    {TestOutcome::kForbidden, "forbidden"},
    {TestOutcome::kNotFound, "not_found"},
    {TestOutcome::kRateLimited, "rate_limited"},
    {TestOutcome::kBlockedByPolicy, "blocked_by_policy"},
    {TestOutcome::kUnexpected, "unexpected"},
};

struct PickRule {
  S from;
  UserTransition transition;
};

constexpr std::string_view kDeleteText =
    "Delete this connection? It is removed for every member of the workspace and cannot be "
    "restored. Its credential is kept.";
constexpr std::string_view kIgnoreText =
    "Ignore this connection? It will not be tested, and re-importing will leave it ignored "
    "until someone registers it again.";
constexpr std::string_view kMaintenanceText =
    "Put this connection in maintenance? Tests and re-imports leave it alone until someone "
    "ends the maintenance.";

// Every move a user may pick, in menu order per state. connected and not_found never
// appear as targets: only a test reaches them.
constexpr PickRule kPicks[] = {
    {S::kDiscovered,
     {S::kRegistered, "Register",
      "Register this connection? It becomes part of the workspace; run a test to connect it.",
      false}},
    {S::kDiscovered, {S::kIgnored, "Ignore", kIgnoreText, false}},
    {S::kDiscovered, {S::kDeleted, "Delete", kDeleteText, true}},

    {S::kRegistered, {S::kMaintenance, "Start maintenance", kMaintenanceText, false}},
    {S::kRegistered, {S::kIgnored, "Ignore", kIgnoreText, false}},
    {S::kRegistered, {S::kDeleted, "Delete", kDeleteText, true}},

    {S::kConnected,
     {S::kDisconnected, "Disconnect",
      "Disconnect this connection? It stays registered but is not used until a test "
      "succeeds again.",
      false}},
    {S::kConnected, {S::kMaintenance, "Start maintenance", kMaintenanceText, false}},
    {S::kConnected, {S::kIgnored, "Ignore", kIgnoreText, false}},
    {S::kConnected, {S::kDeleted, "Delete", kDeleteText, true}},

    {S::kIgnored,
     {S::kRegistered, "Stop ignoring",
      "Stop ignoring this connection? It is registered again; run a test to connect it.", false}},
    {S::kIgnored, {S::kDeleted, "Delete", kDeleteText, true}},

    {S::kMaintenance,
     {S::kRegistered, "End maintenance",
      "End maintenance? The connection is registered again; run a test to connect it.", false}},
    {S::kMaintenance, {S::kDeleted, "Delete", kDeleteText, true}},

    {S::kDisconnected, {S::kMaintenance, "Start maintenance", kMaintenanceText, false}},
    {S::kDisconnected, {S::kIgnored, "Ignore", kIgnoreText, false}},
    {S::kDisconnected, {S::kDeleted, "Delete", kDeleteText, true}},

    {S::kNotFound,
     {S::kDiscovered, "Rediscover",
      "Mark this connection as discovered again? Check its endpoint, then run a test.", false}},
    {S::kNotFound, {S::kIgnored, "Ignore", kIgnoreText, false}},
    {S::kNotFound, {S::kDeleted, "Delete", kDeleteText, true}},
};

// What a test outcome does from each state, by outcome class (connection_state.h); an
// inconclusive test leaves every state as it is. `refused` rows reject every test.
struct TestRule {
  S from;
  bool refused;
  S on_verified;
  S on_rejected;
  S on_unverified;
};
constexpr TestRule kTests[] = {
    {S::kDiscovered, false, S::kConnected, S::kDisconnected, S::kNotFound},
    {S::kRegistered, false, S::kConnected, S::kDisconnected, S::kNotFound},
    {S::kConnected, false, S::kConnected, S::kDisconnected, S::kDisconnected},
    {S::kIgnored, false, S::kIgnored, S::kIgnored, S::kIgnored},
    {S::kMaintenance, false, S::kMaintenance, S::kMaintenance, S::kMaintenance},
    {S::kDisconnected, false, S::kConnected, S::kDisconnected, S::kDisconnected},
    {S::kDeleted, true, S::kDeleted, S::kDeleted, S::kDeleted},
    {S::kNotFound, false, S::kConnected, S::kDisconnected, S::kNotFound},
};

// What re-importing an existing connection does: nothing, except that an import finding a
// not_found connection again re-discovers it. A deleted one stays deleted (the importer
// reports the context as skipped).
struct ImportRule {
  S from;
  bool refused;
  S to;
};
constexpr ImportRule kImports[] = {
    {S::kDiscovered, false, S::kDiscovered},   {S::kRegistered, false, S::kRegistered},
    {S::kConnected, false, S::kConnected},     {S::kIgnored, false, S::kIgnored},
    {S::kMaintenance, false, S::kMaintenance}, {S::kDisconnected, false, S::kDisconnected},
    {S::kDeleted, true, S::kDeleted},          {S::kNotFound, false, S::kDiscovered},
};

// The test and import tables are indexed by state: their rows must be in enum order.
template <typename Row, size_t N>
constexpr bool InStateOrder(const Row (&rows)[N]) {
  if (N != kConnectionStateCount) return false;
  for (size_t i = 0; i < N; ++i) {
    if (static_cast<size_t>(rows[i].from) != i) return false;
  }
  return true;
}
static_assert(InStateOrder(kTests));
static_assert(InStateOrder(kImports));

Status Refuse(S from, std::string_view what) {
  return Status(ErrorCode::kInvalidTransition, std::string("a ") +
                                                   std::string(ConnectionStateName(from)) +
                                                   " connection cannot " + std::string(what));
}

}  // namespace

std::string_view ConnectionStateName(ConnectionState state) {
  return internal::NameOf(kStateNames, state);
}
std::optional<ConnectionState> ParseConnectionState(std::string_view name) {
  return internal::ValueOf(kStateNames, name);
}
std::string_view TestOutcomeName(TestOutcome outcome) {
  return internal::NameOf(kOutcomeNames, outcome);
}
std::optional<TestOutcome> ParseTestOutcome(std::string_view name) {
  return internal::ValueOf(kOutcomeNames, name);
}

bool IsManagedState(ConnectionState state) {
  return state != S::kIgnored && state != S::kMaintenance && state != S::kDeleted;
}

Action RequiredAction(const ConnectionEvent& event) {
  switch (event.type) {
    case ConnectionEvent::Type::kUserPick:
      return event.target == S::kDeleted ? Action::kDeleteConnection
                                         : Action::kChangeConnectionState;
    case ConnectionEvent::Type::kTest:
      return Action::kRunTest;
    case ConnectionEvent::Type::kImport:
      return Action::kCreateConnection;
  }
  return Action::kChangeConnectionState;
}

std::optional<UserTransition> FindUserTransition(ConnectionState from, ConnectionState to) {
  for (const PickRule& rule : kPicks) {
    if (rule.from == from && rule.transition.to == to) return rule.transition;
  }
  return std::nullopt;
}

Result<ConnectionState> ApplyEvent(ConnectionState from, const ConnectionEvent& event, Role role) {
  if (static_cast<size_t>(from) >= kConnectionStateCount) {
    return Status(ErrorCode::kInvalidArgument, "unknown connection state");
  }
  Action needed = RequiredAction(event);
  if (!Allows(role, needed)) {
    return Status(
        ErrorCode::kPermissionDenied,
        "the " + std::string(RoleName(role)) + " role may not " + std::string(ActionName(needed)));
  }
  switch (event.type) {
    case ConnectionEvent::Type::kUserPick: {
      if (!FindUserTransition(from, event.target)) {
        return Refuse(from,
                      "be moved to " + std::string(ConnectionStateName(event.target)) + " by hand");
      }
      return event.target;
    }
    case ConnectionEvent::Type::kTest: {
      const TestRule& rule = kTests[static_cast<size_t>(from)];
      if (rule.refused) return Refuse(from, "be tested");
      switch (event.outcome) {
        case TestOutcome::kOk:
          return rule.on_verified;
        case TestOutcome::kUnauthorized:
        case TestOutcome::kForbidden:
        case TestOutcome::kTlsClientCertRefused:
          return rule.on_rejected;
        case TestOutcome::kRateLimited:
        case TestOutcome::kBlockedByPolicy:
          return from;
        case TestOutcome::kUnreachable:
        case TestOutcome::kTlsUntrusted:
        case TestOutcome::kTlsHostnameMismatch:
        case TestOutcome::kTlsExpired:
        case TestOutcome::kNotFound:
        case TestOutcome::kUnexpected:
          return rule.on_unverified;
      }
      return Status(ErrorCode::kInvalidArgument, "unknown test outcome");
    }
    case ConnectionEvent::Type::kImport: {
      const ImportRule& rule = kImports[static_cast<size_t>(from)];
      if (rule.refused) return Refuse(from, "be re-imported");
      return rule.to;
    }
  }
  return Refuse(from, "handle this event");
}

std::vector<UserTransition> AllowedUserTransitions(ConnectionState from, Role role) {
  std::vector<UserTransition> out;
  for (const PickRule& rule : kPicks) {
    if (rule.from != from) continue;
    if (!Allows(role, RequiredAction(ConnectionEvent::UserPick(rule.transition.to)))) continue;
    out.push_back(rule.transition);
  }
  return out;
}

}  // namespace credvault
