// ClientApi's view models and the main module's half of the kubeconfig import: the web app's
// UI logic, as JSON in and out. No YAML here (client_api_kubeconfig.cc reads it).
#include "credvault/client_api.h"
#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/kubeconfig_seal.h"
#include "credvault/model_json.h"
#include "credvault/ui.h"
#include "credvault/ui_json.h"
#include "credvault/workspace_keys.h"

namespace credvault {

using nlohmann::json;

Result<json> ClientApi::AuthMethods(std::string_view kind) const { return AuthMethodsJson(kind); }

Result<json> ClientApi::CredentialForm(const json& view, bool touched) const {
  CV_ASSIGN_OR_RETURN(CredentialView v, CredentialViewFromJson(view));
  return CredentialFormToJson(BuildCredentialForm(v, touched));
}

Result<json> ClientApi::DropUnusedFields(const json& view) const {
  CV_ASSIGN_OR_RETURN(CredentialView v, CredentialViewFromJson(view));
  credvault::DropUnusedFields(&v);
  return CredentialViewToJson(v);
}

Result<json> ClientApi::ConnectionForm(const json& input, bool touched) const {
  CV_ASSIGN_OR_RETURN(ConnectionFormInput in, ConnectionFormInputFromJson(input));
  return ConnectionFormToJson(BuildConnectionForm(in, touched));
}

Result<json> ClientApi::StateChip(std::string_view state) const { return StateChipJson(state); }

Result<json> ClientApi::OutcomeChip(std::string_view outcome) const {
  return OutcomeChipJson(outcome);
}

Result<json> ClientApi::SummarizeConnection(const json& sealed, Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(SealedConnection s, SealedConnectionFromJson(sealed));
  CV_ASSIGN_OR_RETURN(ConnectionView view, credvault::OpenConnection(s, *keys));
  return ConnectionRowJson(credvault::SummarizeConnection(view), s.version);
}

Result<json> ClientApi::ListConnections(const json& summaries, const json& query) const {
  return ListConnectionsJson(summaries, query);
}

Result<json> ClientApi::ListCredentials(const json& summaries, const json& query) const {
  return ListCredentialsJson(summaries, query);
}

Result<json> ClientApi::ConnectionActions(std::string_view state, std::string_view role) const {
  return ConnectionActionsJson(state, role);
}

Result<json> ClientApi::KubeconfigIds(const json& inputs, Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  return KubeconfigContextIdsJson(inputs, *keys);
}

Result<json> ClientApi::SealImportedModels(const json& models, const json& request,
                                           Handle workspace, const json& options) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(KubeconfigImportModels m, KubeconfigModelsFromJson(models));
  return SealKubeconfigModelsJson(std::move(m), request, *keys, options);
}

}  // namespace credvault
