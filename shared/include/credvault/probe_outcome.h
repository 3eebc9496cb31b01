// Connectivity-test interpretation (DESIGN §5): from what a runner observed while walking a
// ProbePlan (HTTP responses or transport errors), the outcome, the remediation actions, a
// human message and the server version. The state a result moves a connection to is not
// decided here: the caller applies the outcome with ApplyEvent (connection_state.h), the
// one state machine, which also knows the connection's current state.
//
// Pure and total: every input yields a result (an odd response is `unexpected`, never an
// error). Messages and body excerpts never carry a secret: excerpts are cut, stripped of
// control characters, and every secret of the target (token, password, header value, the
// Basic header) is replaced by "[redacted]"; a token-exchange response is never excerpted.
//
// Outcomes beyond the list, each with a reason:
//   tls_expired              the server certificate is expired or not yet valid (renew it;
//                            uploading a CA would not help)
//   tls_client_cert_refused  the server required a client certificate or refused ours
//   rate_limited             429, or GitHub's 403 with x-ratelimit-remaining: 0 / a secondary
//                            rate limit: says nothing about the credential
//   blocked_by_policy        the runner refused the address (SSRF policy, probe_ssrf.h)
//
#ifndef CREDVAULT_PROBE_OUTCOME_H_
#define CREDVAULT_PROBE_OUTCOME_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "credvault/connection_state.h"
#include "credvault/probe.h"
#include "credvault/status.h"

namespace credvault {

// What went wrong below HTTP. Stable; names via TransportErrorName.
enum class TransportError {
  kDnsFailure,                   // "dns_failure"
  kConnectionRefused,            // "connection_refused"
  kHostUnreachable,              // "host_unreachable": no route, network unreachable
  kConnectionReset,              // "connection_reset": closed mid-exchange
  kTimeout,                      // "timeout": connect, TLS or response
  kTlsUntrustedCa,               // "tls_untrusted_ca"
  kTlsHostnameMismatch,          // "tls_hostname_mismatch"
  kTlsCertificateExpired,        // "tls_certificate_expired" (or not yet valid)
  kTlsClientCertificateRefused,  // "tls_client_certificate_refused": required or rejected
  kTlsOther,                     // "tls_other": protocol version, handshake failure, ...
  kResponseTooLarge,             // "response_too_large": over the runner's cap
  kRedirectToAnotherHost,        // "redirect_to_another_host": not followed
  kAddressRefusedBySsrfPolicy,   // "address_refused_by_ssrf_policy"
  kSigningFailed,                // "signing_failed": the App private key could not sign
};

struct ProbeResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in any case
  std::string body;  // what the runner read (it caps the size)
};

// One step as the runner saw it: not run, a response, or a transport error.
struct ProbeObservation {
  bool ran = false;
  std::optional<ProbeResponse> response;
  std::optional<TransportError> transport_error;
  std::string transport_detail;  // e.g. the redirect's host or the refused address; no secret
};

// The outcomes are the state machine's TestOutcome: one list, one set of names
// (TestOutcomeName / ParseTestOutcome).
using ProbeOutcome = TestOutcome;

// Remediation actions, each with a stable code and a label for a button or a list.
enum class RemediationAction {
  kReuploadKubeconfig,       // "reupload_kubeconfig"
  kRotateToken,              // "rotate_token"
  kEditCredential,           // "edit_credential"
  kRegisterConnection,       // "register_connection"
  kUploadCa,                 // "upload_ca"
  kSetServerName,            // "set_server_name"
  kRenewServerCertificate,   // "renew_server_certificate"
  kUploadClientCertificate,  // "upload_client_certificate"
  kCheckEndpoint,            // "check_endpoint"
  kRunFromInsideNetwork,     // "run_from_inside_network"
  kCheckPermissions,         // "check_permissions"
  kCheckClock,               // "check_clock"
  kRetryLater,               // "retry_later"
  kAllowPrivateTargets,      // "allow_private_targets"
  kUseHttps,                 // "use_https"
  kShowResponse,             // "show_response"
};

struct Remediation {
  std::string code;
  std::string label;
  bool operator==(const Remediation&) const = default;
};

struct ProbeResult {
  ProbeOutcome outcome = ProbeOutcome::kUnexpected;
  std::vector<Remediation> remediations;
  std::string message;
  std::optional<int> http_status;  // of the deciding step
  std::optional<TransportError> transport_error;
  std::string deciding_step;         // id of the step the outcome comes from
  std::string server_version;        // "v1.29.2", "2.51.0", "GitHub API 2022-11-28", ...
  std::string authenticated_as;      // Kubernetes username, GitHub login or App slug, Grafana org
  std::string body_excerpt;          // for outcomes other than ok; redacted, at most 512 bytes
  bool credential_verified = false;  // the server checked the credential and accepted it
  bool credential_in_clear = false;  // a credential crossed the network over plain http
  bool tls_verification_skipped = false;
};

inline constexpr size_t kProbeBodyExcerptLimit = 512;

// Interprets what the runner observed for `plan` (built from `target`, whose secrets are
// redacted from the excerpt). `observed` may be shorter than the plan (the probe stopped).
ProbeResult InterpretProbe(const ProbeTarget& target, const ProbePlan& plan,
                           std::span<const ProbeObservation> observed);

// True if the observation is a success for the step (a status in success_statuses).
bool StepSucceeded(const ProbeStep& step, const ProbeObservation& observation);

// Names and labels.
std::string_view TransportErrorName(TransportError error);
std::optional<TransportError> TransportErrorFromName(std::string_view name);
Remediation MakeRemediation(RemediationAction action);

}  // namespace credvault

#endif  // CREDVAULT_PROBE_OUTCOME_H_
