// The stable names of the probe module's enums, in one table each.
#include <array>
#include <utility>

#include "credvault/probe.h"
#include "credvault/probe_outcome.h"

namespace credvault {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view name) {
  for (const auto& [e, n] : table) {
    if (n == name) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<ProbeKind, std::string_view>, 5> kKinds = {{
    {ProbeKind::kKubernetes, "kubernetes"},
    {ProbeKind::kPrometheus, "prometheus"},
    {ProbeKind::kGrafana, "grafana"},
    {ProbeKind::kGithub, "github"},
    {ProbeKind::kHttp, "http"},
}};

constexpr std::array<std::pair<ProbeAuthKind, std::string_view>, 8> kAuthKinds = {{
    {ProbeAuthKind::kNone, "none"},
    {ProbeAuthKind::kBearer, "bearer"},
    {ProbeAuthKind::kBasic, "basic"},
    {ProbeAuthKind::kClientCertificate, "client_certificate"},
    {ProbeAuthKind::kHeader, "header"},
    {ProbeAuthKind::kApiKey, "api_key"},
    {ProbeAuthKind::kGithubPat, "github_pat"},
    {ProbeAuthKind::kGithubApp, "github_app"},
}};

constexpr std::array<std::pair<ProbeStepKind, std::string_view>, 2> kStepKinds = {{
    {ProbeStepKind::kHttp, "http"},
    {ProbeStepKind::kSignAppJwt, "sign_app_jwt"},
}};

constexpr std::array<std::pair<ProbeStepRole, std::string_view>, 5> kRoles = {{
    {ProbeStepRole::kAuthenticate, "authenticate"},
    {ProbeStepRole::kServerVersion, "server_version"},
    {ProbeStepRole::kAnonymousControl, "anonymous_control"},
    {ProbeStepRole::kSignJwt, "sign_jwt"},
    {ProbeStepRole::kTokenExchange, "token_exchange"},
}};

constexpr std::array<std::pair<TransportError, std::string_view>, 14> kTransportErrors = {{
    {TransportError::kDnsFailure, "dns_failure"},
    {TransportError::kConnectionRefused, "connection_refused"},
    {TransportError::kHostUnreachable, "host_unreachable"},
    {TransportError::kConnectionReset, "connection_reset"},
    {TransportError::kTimeout, "timeout"},
    {TransportError::kTlsUntrustedCa, "tls_untrusted_ca"},
    {TransportError::kTlsHostnameMismatch, "tls_hostname_mismatch"},
    {TransportError::kTlsCertificateExpired, "tls_certificate_expired"},
    {TransportError::kTlsClientCertificateRefused, "tls_client_certificate_refused"},
    {TransportError::kTlsOther, "tls_other"},
    {TransportError::kResponseTooLarge, "response_too_large"},
    {TransportError::kRedirectToAnotherHost, "redirect_to_another_host"},
    {TransportError::kAddressRefusedBySsrfPolicy, "address_refused_by_ssrf_policy"},
    {TransportError::kSigningFailed, "signing_failed"},
}};

struct RemediationEntry {
  RemediationAction action;
  std::string_view code;
  std::string_view label;
};

constexpr std::array<RemediationEntry, 16> kRemediations = {{
    {RemediationAction::kReuploadKubeconfig, "reupload_kubeconfig", "Re-upload kubeconfig"},
    {RemediationAction::kRotateToken, "rotate_token", "Rotate the token or password"},
    {RemediationAction::kEditCredential, "edit_credential", "Edit the credential"},
    {RemediationAction::kRegisterConnection, "register_connection", "Register the connection"},
    {RemediationAction::kUploadCa, "upload_ca", "Upload the CA certificate"},
    {RemediationAction::kSetServerName, "set_server_name", "Set the TLS server name"},
    {RemediationAction::kRenewServerCertificate, "renew_server_certificate",
     "Renew the server certificate"},
    {RemediationAction::kUploadClientCertificate, "upload_client_certificate",
     "Upload a client certificate and key"},
    {RemediationAction::kCheckEndpoint, "check_endpoint", "Check the endpoint URL"},
    {RemediationAction::kRunFromInsideNetwork, "run_from_inside_network",
     "Run the test from a runner inside that network"},
    {RemediationAction::kCheckPermissions, "check_permissions", "Grant the missing permission"},
    {RemediationAction::kCheckClock, "check_clock", "Check the runner's clock"},
    {RemediationAction::kRetryLater, "retry_later", "Retry later"},
    {RemediationAction::kAllowPrivateTargets, "allow_private_targets",
     "Allow link-local and metadata addresses for this workspace"},
    {RemediationAction::kUseHttps, "use_https", "Use https://"},
    {RemediationAction::kShowResponse, "show_response", "Show the response"},
}};

}  // namespace

std::string_view ProbeKindName(ProbeKind kind) { return NameOf(kKinds, kind); }
std::optional<ProbeKind> ProbeKindFromName(std::string_view name) { return ValueOf(kKinds, name); }
std::string_view ProbeAuthKindName(ProbeAuthKind kind) { return NameOf(kAuthKinds, kind); }
std::optional<ProbeAuthKind> ProbeAuthKindFromName(std::string_view name) {
  return ValueOf(kAuthKinds, name);
}
std::string_view ProbeStepKindName(ProbeStepKind kind) { return NameOf(kStepKinds, kind); }
std::string_view ProbeStepRoleName(ProbeStepRole role) { return NameOf(kRoles, role); }
std::string_view TransportErrorName(TransportError error) {
  return NameOf(kTransportErrors, error);
}
std::optional<TransportError> TransportErrorFromName(std::string_view name) {
  return ValueOf(kTransportErrors, name);
}

Remediation MakeRemediation(RemediationAction action) {
  for (const RemediationEntry& e : kRemediations) {
    if (e.action == action) return Remediation{std::string(e.code), std::string(e.label)};
  }
  return Remediation{"unknown", "Unknown"};
}

}  // namespace credvault
