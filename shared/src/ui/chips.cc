// Status chips: the label, tone and one-sentence meaning of every state and outcome.
#include "credvault/ui.h"
#include "model/enum_table.h"

namespace credvault {
namespace {

using T = ChipTone;
using S = ConnectionState;

constexpr internal::EnumName<ChipTone> kToneNames[] = {
    {T::kNeutral, "neutral"}, {T::kInfo, "info"},     {T::kSuccess, "success"},
    {T::kWarning, "warning"}, {T::kDanger, "danger"}, {T::kMuted, "muted"},
};

struct StateChip {
  S state;
  StatusChip chip;
};
constexpr StateChip kStateChips[] = {
    {S::kDiscovered, {"Discovered", T::kInfo, "Found by an import; not yet registered or tested."}},
    {S::kRegistered,
     {"Registered", T::kNeutral, "Part of the workspace; no test has proven it yet."}},
    {S::kConnected, {"Connected", T::kSuccess, "The last test signed in with its credential."}},
    {S::kIgnored, {"Ignored", T::kMuted, "Left out on purpose; imports and tests leave it alone."}},
    {S::kMaintenance,
     {"Maintenance", T::kNeutral, "Offline on purpose; imports and tests leave it alone."}},
    {S::kDisconnected,
     {"Disconnected", T::kDanger, "It worked before; the credential or the service fails now."}},
    {S::kDeleted, {"Deleted", T::kMuted, "Removed; it cannot come back."}},
    {S::kNotFound,
     {"Not found", T::kWarning, "A test could not reach or verify it; check the endpoint."}},
};

struct OutcomeChip {
  TestOutcome outcome;
  StatusChip chip;
};
constexpr OutcomeChip kOutcomeChips[] = {
    {TestOutcome::kOk, {"Signed in", T::kSuccess, "The service accepted the credential."}},
    {TestOutcome::kUnreachable,
     {"Unreachable", T::kWarning, "No answer: DNS, a refused connection or a timeout."}},
    {TestOutcome::kTlsUntrusted,
     {"Untrusted certificate", T::kDanger,
      "The server's certificate is not signed by a known CA."}},
    {TestOutcome::kTlsHostnameMismatch,
     {"Certificate name mismatch", T::kDanger, "The certificate is for another host name."}},
    {TestOutcome::kTlsExpired,
     {"Certificate expired", T::kDanger, "The server's certificate is expired or not yet valid."}},
    {TestOutcome::kTlsClientCertRefused,
     {"Client certificate refused", T::kDanger, "The server refused the client certificate."}},
    {TestOutcome::kUnauthorized,
     {"Credential rejected", T::kDanger, "The credential is wrong or expired."}},
    {TestOutcome::kForbidden,
     {"Permission missing", T::kWarning,
      "The credential works but may not read what the test asks."}},
    {TestOutcome::kNotFound, {"API not found", T::kWarning, "The path or API is not there."}},
    {TestOutcome::kRateLimited,
     {"Rate limited", T::kNeutral, "The service asked to slow down; nothing was learnt."}},
    {TestOutcome::kBlockedByPolicy,
     {"Blocked by policy", T::kWarning, "The runner may not dial this address."}},
    {TestOutcome::kUnexpected,
     {"Unexpected answer", T::kWarning, "The service answered something a test cannot read."}},
};

constexpr StatusChip kUnknownChip{"Unknown", T::kMuted, ""};
constexpr StatusChip kPlainHttpChip{"Plain HTTP", T::kWarning,
                                    "Requests and credentials cross the network unencrypted."};
constexpr StatusChip kSkipVerifyChip{"TLS not verified", T::kDanger,
                                     "Certificate checks are off for this connection, by choice."};
constexpr StatusChip kRotateChip{"Rotate recommended", T::kWarning,
                                 "A member who could read it has left; rotate it upstream."};

}  // namespace

std::string_view ChipToneName(ChipTone tone) { return internal::NameOf(kToneNames, tone); }

StatusChip ConnectionStateChip(ConnectionState state) {
  for (const StateChip& c : kStateChips) {
    if (c.state == state) return c.chip;
  }
  return kUnknownChip;
}

StatusChip TestOutcomeChip(TestOutcome outcome) {
  for (const OutcomeChip& c : kOutcomeChips) {
    if (c.outcome == outcome) return c.chip;
  }
  return kUnknownChip;
}

std::vector<StatusChip> ConnectionWarningChips(const ConnectionSummary& connection) {
  std::vector<StatusChip> chips;
  if (connection.plain_http) chips.push_back(kPlainHttpChip);
  if (connection.insecure_skip_verify) chips.push_back(kSkipVerifyChip);
  return chips;
}

std::vector<StatusChip> CredentialWarningChips(const CredentialSummary& credential) {
  std::vector<StatusChip> chips;
  if (credential.rotate_recommended) chips.push_back(kRotateChip);
  return chips;
}

ConnectionActions ActionsFor(ConnectionState state, Role role) {
  ConnectionActions actions;
  actions.transitions = AllowedUserTransitions(state, role);
  actions.can_test = ApplyEvent(state, ConnectionEvent::Test(TestOutcome::kOk), role).ok();
  actions.can_edit = state != ConnectionState::kDeleted && Allows(role, Action::kEditConnection);
  return actions;
}

}  // namespace credvault
