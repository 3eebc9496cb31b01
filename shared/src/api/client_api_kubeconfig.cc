// ClientApi's one-call kubeconfig import: parse, plan and seal in one module. The browser's
// main module does not link this file (it would pull in the YAML reader); it runs the same
// steps across two modules (kubeconfig_seal.h).
#include <utility>

#include "credvault/client_api.h"
#include "credvault/kubeconfig.h"
#include "credvault/kubeconfig_import.h"
#include "credvault/kubeconfig_seal.h"
#include "credvault/ui_json.h"
#include "credvault/workspace_keys.h"

namespace credvault {

using nlohmann::json;

namespace {

constexpr const char* kPlan = "plan";

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
  CV_ASSIGN_OR_RETURN(KubeconfigImportInput input, KubeconfigImportInputFromJson(request));
  CV_ASSIGN_OR_RETURN(KubeconfigImportPlan plan, Plan(text, input, *keys));
  CV_ASSIGN_OR_RETURN(KubeconfigImportModels models,
                      KubeconfigPlanToModels(plan, keys->workspace_id));
  CV_ASSIGN_OR_RETURN(json sealed,
                      SealKubeconfigModelsJson(std::move(models), request, *keys, options));
  sealed[kPlan] = KubeconfigPlanToJson(plan);
  return sealed;
}

}  // namespace credvault
