#include "credvault/kubeconfig_import.h"

#include <set>

namespace credvault {
namespace {

Result<CredentialView> ToCredential(const KubeconfigCredentialPlan& planned) {
  const KubeconfigAuthMaterial& m = planned.material;
  CredentialView view;
  view.name = planned.name;
  view.kind = ServiceKind::kKubernetes;
  switch (m.auth) {
    case KubeconfigAuth::kToken:
      view.method = AuthMethod::kBearerToken;
      view.fields.Set(CredentialField::kToken, m.token.chars());
      break;
    case KubeconfigAuth::kClientCertificateAndToken:
      view.fields.Set(CredentialField::kToken, m.token.chars());
      [[fallthrough]];
    case KubeconfigAuth::kClientCertificate:
      view.method = AuthMethod::kClientCertificate;
      view.fields.Set(CredentialField::kClientCertificate, m.client_certificate_pem);
      view.fields.Set(CredentialField::kClientKey, m.client_key_pem.chars());
      break;
    case KubeconfigAuth::kBasic:
      view.method = AuthMethod::kBasic;
      view.fields.Set(CredentialField::kUsername, m.username);
      view.fields.Set(CredentialField::kPassword, m.password.chars());
      break;
    case KubeconfigAuth::kNone:
      return Result<CredentialView>(ErrorCode::kValidation,
                                    "user " + planned.name + ": no usable credential");
  }
  Status valid = ValidateCredential(view);
  if (!valid.ok()) {
    return Result<CredentialView>(ErrorCode::kValidation,
                                  "user " + planned.name + ": " + valid.message());
  }
  return view;
}

Result<ConnectionView> ToConnection(const KubeconfigContextPlan& context,
                                    std::string_view workspace_id) {
  auto fail = [&](const std::string& why) {
    return Result<ConnectionView>(ErrorCode::kValidation, "context " + context.context + ": " + why);
  };
  ConnectionView view;
  view.id = context.connection_id;
  view.workspace_id = std::string(workspace_id);
  view.kind = ServiceKind::kKubernetes;
  view.name = context.name;
  view.credential_id = context.credential_id;
  view.managed = true;
  Result<Endpoint> endpoint = ParseEndpoint(context.endpoint.server);
  if (!endpoint.ok()) return fail(endpoint.status().message());
  view.endpoint = std::move(endpoint).value();
  view.tls.ca_data = context.endpoint.certificate_authority_pem;
  view.tls.server_name = context.endpoint.tls_server_name;
  view.tls.insecure_skip_verify = context.endpoint.insecure_skip_tls_verify;
  std::optional<ConnectionState> state = ParseConnectionState(context.state);
  if (!state) return fail("unknown state \"" + context.state + "\"");
  view.state = *state;
  Status valid = ValidateConnection(view);
  if (!valid.ok()) return fail(valid.message());
  return view;
}

bool Importing(const KubeconfigContextPlan& context) {
  return context.outcome == ImportOutcome::kImported || context.outcome == ImportOutcome::kUpdated;
}

}  // namespace

Result<KubeconfigImportModels> KubeconfigPlanToModels(const KubeconfigImportPlan& plan,
                                                      std::string_view workspace_id) {
  KubeconfigImportModels out;
  std::set<std::string> used;
  for (const KubeconfigContextPlan& context : plan.contexts) {
    if (!Importing(context)) continue;
    CV_ASSIGN_OR_RETURN(ConnectionView connection, ToConnection(context, workspace_id));
    used.insert(connection.credential_id);
    out.connections.push_back(std::move(connection));
  }
  for (const KubeconfigCredentialPlan& planned : plan.credentials) {
    if (used.count(planned.id) == 0) continue;
    CV_ASSIGN_OR_RETURN(CredentialView view, ToCredential(planned));
    out.credentials.push_back({planned.id, std::move(view)});
  }
  return out;
}

}  // namespace credvault
