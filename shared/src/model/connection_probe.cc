#include "credvault/connection_probe.h"

#include <utility>

#include "credvault/crypto.h"

namespace credvault {
namespace {

using F = CredentialField;

ProbeKind ProbeKindOf(ServiceKind kind) {
  switch (kind) {
    case ServiceKind::kKubernetes:
      return ProbeKind::kKubernetes;
    case ServiceKind::kPrometheus:
      return ProbeKind::kPrometheus;
    case ServiceKind::kGrafana:
      return ProbeKind::kGrafana;
    case ServiceKind::kGitHub:
      return ProbeKind::kGithub;
    case ServiceKind::kHttp:
      break;
  }
  return ProbeKind::kHttp;
}

SecretBytes SecretOf(const CredentialView& credential, CredentialField field) {
  return SecretBytes::CopyFrom(AsBytes(credential.fields.Get(field)));
}

ProbeAuth AuthOf(const CredentialView& credential) {
  ProbeAuth auth;
  const SecretFields& fields = credential.fields;
  switch (credential.method) {
    case AuthMethod::kBearerToken:
      auth.kind = ProbeAuthKind::kBearer;
      auth.token = SecretOf(credential, F::kToken);
      break;
    case AuthMethod::kClientCertificate:
      auth.kind = ProbeAuthKind::kClientCertificate;
      auth.client_certificate_pem = std::string(fields.Get(F::kClientCertificate));
      auth.client_key_pem = SecretOf(credential, F::kClientKey);
      auth.token = SecretOf(credential, F::kToken);  // kubectl sends both when both are set
      break;
    case AuthMethod::kBasic:
      auth.kind = ProbeAuthKind::kBasic;
      auth.username = std::string(fields.Get(F::kUsername));
      auth.password = SecretOf(credential, F::kPassword);
      break;
    case AuthMethod::kApiKey:
      auth.kind = ProbeAuthKind::kApiKey;
      auth.token = SecretOf(credential, F::kApiKey);
      break;
    case AuthMethod::kServiceAccountToken:
      auth.kind = ProbeAuthKind::kApiKey;
      auth.token = SecretOf(credential, F::kToken);
      break;
    case AuthMethod::kPersonalAccessToken:
      auth.kind = ProbeAuthKind::kGithubPat;
      auth.token = SecretOf(credential, F::kToken);
      break;
    case AuthMethod::kGitHubApp:
      auth.kind = ProbeAuthKind::kGithubApp;
      auth.app_id = std::string(fields.Get(F::kAppId));
      auth.installation_id = std::string(fields.Get(F::kInstallationId));
      auth.app_private_key_pem = SecretOf(credential, F::kPrivateKey);
      break;
    case AuthMethod::kCustomHeader:
      auth.kind = ProbeAuthKind::kHeader;
      auth.header_name = std::string(fields.Get(F::kHeaderName));
      auth.header_value = SecretOf(credential, F::kHeaderValue);
      break;
  }
  return auth;
}

}  // namespace

Result<ProbeJobSpec> ProbeJobSpecFor(const ConnectionView& connection,
                                     const CredentialView* credential,
                                     const ConnectionTestOptions& options) {
  ProbeJobSpec spec;
  spec.ssrf = options.ssrf;
  ProbeTarget& target = spec.target;
  target.kind = ProbeKindOf(connection.kind);
  target.endpoint = connection.endpoint.ToString();
  target.tls.ca_pem = connection.tls.ca_data;
  target.tls.server_name = connection.tls.server_name;
  target.tls.insecure_skip_verify = connection.tls.insecure_skip_verify;
  target.http_expected_status = options.http_expected_status;
  if (credential == nullptr) return spec;

  CV_RETURN_IF_ERROR(CheckCredentialFits(connection.kind, credential->kind, credential->method));
  CV_RETURN_IF_ERROR(ValidateCredential(*credential));
  // A kubeconfig keeps the cluster's CA beside the user's credential; the connection's own
  // CA, when set, is the more specific choice.
  if (target.tls.ca_pem.empty()) {
    target.tls.ca_pem = std::string(credential->fields.Get(F::kCaData));
  }
  target.auth = AuthOf(*credential);
  return spec;
}

Result<SealedConnectionTest> SealConnectionTest(const ConnectionView& connection,
                                                const CredentialView* credential,
                                                const ConnectionTestOptions& options,
                                                std::string_view runner_id,
                                                ByteView runner_box_public_key, int64_t now,
                                                int64_t lifetime_seconds) {
  if (lifetime_seconds < 1 || lifetime_seconds > kMaxJobLifetimeSeconds) {
    return Status(ErrorCode::kInvalidArgument, "lifetime_seconds: must be 1..60");
  }
  CV_ASSIGN_OR_RETURN(ProbeJobSpec spec, ProbeJobSpecFor(connection, credential, options));
  SealedConnectionTest sealed;
  sealed.header.job_id = NewObjectId();
  sealed.header.workspace_id = connection.workspace_id;
  sealed.header.connection_id = connection.id;
  sealed.header.runner_id = std::string(runner_id);
  sealed.header.issued_at = now;
  sealed.header.expires_at = now + lifetime_seconds;
  const SecretBytes body = ProbeJobSpecToJsonText(spec);
  CV_ASSIGN_OR_RETURN(sealed.job,
                      SealTestJob(runner_box_public_key, sealed.header, body.chars()));
  return sealed;
}

}  // namespace credvault
