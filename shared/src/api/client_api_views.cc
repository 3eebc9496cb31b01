// ClientApi's view models and kubeconfig import: the web app's UI logic, as JSON in and out.
#include "credvault/client_api.h"
#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/kubeconfig.h"
#include "credvault/kubeconfig_import.h"
#include "credvault/model_json.h"
#include "credvault/ui.h"
#include "credvault/ui_json.h"
#include "credvault/workspace_keys.h"
#include "json/model_reader.h"

namespace credvault {

using nlohmann::json;

namespace {

constexpr const char* kPlan = "plan";
constexpr const char* kCredentials = "credentials";
constexpr const char* kConnections = "connections";
constexpr const char* kOwnerId = "owner_id";
constexpr const char* kNow = "now";

struct ImportOptions {
  std::string owner_id;
  int64_t now = 0;
};

Result<ImportOptions> ImportOptionsFromJson(const json& j) {
  internal::ModelReader r(j, "options");
  ImportOptions options;
  r.String(kOwnerId, &options.owner_id);
  r.Int(kNow, &options.now);
  if (!r.ok()) return r.status();
  return options;
}

// The plan, with the id key derived here and wiped when the plan is made.
Result<KubeconfigImportPlan> Plan(std::string_view text, KubeconfigImportInput& input,
                                  const WorkspaceKeys& keys) {
  SecretBytes id_key = DeriveKubeconfigIdKey(keys);
  input.request.id_key = id_key.view();
  Result<KubeconfigImportPlan> plan = PlanKubeconfigImportText(text, input.request);
  input.request.id_key = {};
  return plan;
}

}  // namespace

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

Result<json> ClientApi::PlanKubeconfigImport(std::string_view text, const json& request,
                                             Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(KubeconfigImportInput input, KubeconfigImportInputFromJson(request));
  CV_ASSIGN_OR_RETURN(KubeconfigImportPlan plan, Plan(text, input, *keys));
  return KubeconfigPlanToJson(plan);
}

Result<json> ClientApi::SealKubeconfigImport(std::string_view text, const json& request,
                                             Handle workspace, const json& options) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(ImportOptions opts, ImportOptionsFromJson(options));
  CV_ASSIGN_OR_RETURN(KubeconfigImportInput input, KubeconfigImportInputFromJson(request));
  CV_ASSIGN_OR_RETURN(KubeconfigImportPlan plan, Plan(text, input, *keys));
  CV_ASSIGN_OR_RETURN(KubeconfigImportModels models,
                      KubeconfigPlanToModels(plan, keys->workspace_id));

  json credentials = json::array();
  const WorkspaceKeys* home[] = {keys};
  for (const ImportedCredential& c : models.credentials) {
    if (input.existing_credential_ids.count(c.id) != 0) continue;
    CredentialRecord record{c.id, opts.owner_id, keys->workspace_id, 1, opts.now, opts.now};
    SymmetricKey data_key = credvault::NewDataKey();  // one per credential, wiped when dropped
    CV_ASSIGN_OR_RETURN(SealedCredential sealed,
                        credvault::SealCredential(c.view, record, data_key, home));
    credentials.push_back(SealedCredentialToJson(sealed));
  }

  json connections = json::array();
  for (ConnectionView& view : models.connections) {
    view.created_at = opts.now;
    view.updated_at = opts.now;
    if (auto it = input.existing_records.find(view.id); it != input.existing_records.end()) {
      if (it->second.version == 0) {
        return Result<json>(ErrorCode::kInvalidArgument,
                            "request.existing: connection " + view.id +
                                " is updated by this import and needs its current version");
      }
      view.version = it->second.version + 1;
      view.environment_ids = it->second.environment_ids;
    }
    CV_ASSIGN_OR_RETURN(SealedConnection sealed, credvault::SealConnection(view, *keys));
    connections.push_back(SealedConnectionToJson(sealed));
  }
  return json{{kPlan, KubeconfigPlanToJson(plan)},
              {kCredentials, std::move(credentials)},
              {kConnections, std::move(connections)}};
}

}  // namespace credvault
