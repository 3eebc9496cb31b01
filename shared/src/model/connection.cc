// Connection validation and sealing.
#include "credvault/connection.h"

#include <set>

#include "json/model_payload.h"
#include "model/text_checks.h"

namespace credvault {
namespace {

constexpr std::string_view kPurposeConnection = "connection";
constexpr size_t kMaxIdBytes = 128;

FieldIssue Issue(std::string_view field, std::string code, std::string message) {
  return FieldIssue{std::string(field), std::move(code), std::move(message)};
}

std::optional<FieldIssue> CheckId(std::string_view field, std::string_view id) {
  if (id.size() > kMaxIdBytes || internal::HasControlChars(id) || internal::HasWhitespace(id)) {
    return Issue(field, "bad_id", "is not an id");
  }
  return std::nullopt;
}

}  // namespace

FieldIssues CheckConnection(const ConnectionView& view) {
  FieldIssues issues;
  if (auto issue = CheckDisplayName("name", view.name)) issues.push_back(std::move(*issue));
  if (view.endpoint.host.empty()) {
    issues.push_back(Issue("endpoint", "required", "is required"));
  } else if (auto issue = CheckEndpoint(view.endpoint.ToString(), "endpoint", nullptr)) {
    issues.push_back(std::move(*issue));
  }
  if (!view.tls.ca_data.empty()) {
    if (auto issue = CheckPem("ca_data", view.tls.ca_data, PemExpect::kCertificates)) {
      issues.push_back(std::move(*issue));
    }
  }
  if (!view.tls.server_name.empty()) {
    Endpoint probe;
    if (CheckEndpoint("https://" + view.tls.server_name, "server_name", &probe) ||
        probe.host != view.tls.server_name || probe.port != 443 || !probe.path.empty()) {
      issues.push_back(Issue("server_name", "bad_host", "must be a lower-case host name alone"));
    }
  }
  if (view.tls.insecure_skip_verify && !view.tls.ca_data.empty()) {
    issues.push_back(Issue("insecure_skip_verify", "conflicts_with_ca_data",
                           "turns off the certificate check that ca_data is for; keep one"));
  }
  if (auto issue = CheckId("credential_id", view.credential_id)) {
    issues.push_back(std::move(*issue));
  }
  if (view.environment_ids.size() > kMaxEnvironmentsPerConnection) {
    issues.push_back(Issue(
        "environment_ids", "too_many",
        "must have at most " + std::to_string(kMaxEnvironmentsPerConnection) + " environments"));
  }
  std::set<std::string_view> seen;
  for (const std::string& env : view.environment_ids) {
    if (env.empty() || CheckId("environment_ids", env)) {
      issues.push_back(Issue("environment_ids", "bad_id", "holds something that is not an id"));
      break;
    }
    if (!seen.insert(env).second) {
      issues.push_back(Issue("environment_ids", "duplicate", "names an environment twice"));
      break;
    }
  }
  return issues;
}

Status ValidateConnection(const ConnectionView& view) {
  return IssuesToStatus(CheckConnection(view));
}

Status CheckCredentialFits(ServiceKind connection_kind, ServiceKind credential_kind,
                           AuthMethod method) {
  if (connection_kind == credential_kind) return Status::Ok();
  bool generic_http =
      credential_kind == ServiceKind::kHttp &&
      (connection_kind == ServiceKind::kPrometheus || connection_kind == ServiceKind::kGrafana);
  if (generic_http) return Status::Ok();
  return Status(ErrorCode::kValidation,
                "credential_id: a " + std::string(ServiceKindName(credential_kind)) + " " +
                    std::string(AuthMethodName(method)) + " credential cannot sign in to " +
                    std::string(ServiceKindName(connection_kind)));
}

EnvelopeContext ConnectionContext(std::string_view workspace_id, std::string_view connection_id,
                                  uint64_t version) {
  return EnvelopeContext{std::string(kPurposeConnection), std::string(workspace_id),
                         std::string(connection_id), version};
}

Result<SealedConnection> SealConnection(const ConnectionView& view, const WorkspaceKeys& keys) {
  if (keys.workspace_id != view.workspace_id) {
    return Status(ErrorCode::kInvalidArgument, "keys belong to another workspace");
  }
  if (view.id.empty() || view.version == 0) {
    return Status(ErrorCode::kInvalidArgument, "a connection needs an id and a version");
  }
  CV_RETURN_IF_ERROR(ValidateConnection(view));
  SecretBytes plaintext = internal::ConnectionDetailsPlaintext(view);
  SealedConnection sealed;
  CV_ASSIGN_OR_RETURN(
      sealed.sealed_details,
      SealEnvelope(keys.metadata, ConnectionContext(view.workspace_id, view.id, view.version),
                   plaintext.view()));
  sealed.id = view.id;
  sealed.workspace_id = view.workspace_id;
  sealed.kind = view.kind;
  sealed.state = view.state;
  sealed.credential_id = view.credential_id;
  sealed.managed = view.managed;
  sealed.insecure_skip_verify = view.tls.insecure_skip_verify;
  sealed.environment_ids = view.environment_ids;
  sealed.last_test = view.last_test;
  sealed.version = view.version;
  sealed.created_at = view.created_at;
  sealed.updated_at = view.updated_at;
  return sealed;
}

Result<ConnectionView> OpenConnection(const SealedConnection& sealed, const WorkspaceKeys& keys) {
  if (keys.workspace_id != sealed.workspace_id) {
    return Status(ErrorCode::kInvalidArgument, "keys belong to another workspace");
  }
  CV_ASSIGN_OR_RETURN(
      SecretBytes plaintext,
      OpenEnvelope(keys.metadata, ConnectionContext(sealed.workspace_id, sealed.id, sealed.version),
                   sealed.sealed_details));
  CV_ASSIGN_OR_RETURN(internal::ConnectionDetails details,
                      internal::ConnectionDetailsFromPlaintext(plaintext.chars()));
  if (details.kind != sealed.kind) {
    return Status(ErrorCode::kConflict, "the record's kind differs from the sealed kind");
  }
  ConnectionView view;
  Result<Endpoint> endpoint = ParseEndpoint(details.endpoint);
  if (!endpoint.ok()) return Status(ErrorCode::kMalformed, "the sealed endpoint is not a URL");
  view.endpoint = std::move(endpoint).value();
  view.id = sealed.id;
  view.workspace_id = sealed.workspace_id;
  view.kind = sealed.kind;
  view.name = std::move(details.name);
  view.tls.ca_data = std::move(details.ca_data);
  view.tls.server_name = std::move(details.server_name);
  view.tls.insecure_skip_verify = sealed.insecure_skip_verify;
  view.credential_id = sealed.credential_id;
  view.managed = sealed.managed;
  view.environment_ids = sealed.environment_ids;
  view.state = sealed.state;
  view.last_test = sealed.last_test;
  view.version = sealed.version;
  view.created_at = sealed.created_at;
  view.updated_at = sealed.updated_at;
  return view;
}

ConnectionSummary SummarizeConnection(const ConnectionView& view) {
  ConnectionSummary s;
  s.id = view.id;
  s.name = view.name;
  s.kind = view.kind;
  s.state = view.state;
  s.endpoint = view.endpoint.ToString();
  s.host = view.endpoint.host;
  s.plain_http = view.endpoint.plain_http();
  s.insecure_skip_verify = view.tls.insecure_skip_verify;
  s.managed = view.managed;
  s.credential_id = view.credential_id;
  s.environment_ids = view.environment_ids;
  s.last_test = view.last_test;
  s.updated_at = view.updated_at;
  return s;
}

}  // namespace credvault
