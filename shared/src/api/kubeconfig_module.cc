// The kubeconfig module's half of the browser's kubeconfig import (see kubeconfig_seal.h):
// reads the YAML and plans, with ids the main module derived. Holds no key.
#include <utility>

#include "credvault/kubeconfig_seal.h"
#include "credvault/ui_json.h"

namespace credvault {

using nlohmann::json;

namespace {
constexpr const char* kPlan = "plan";
constexpr const char* kModels = "models";
}  // namespace

Result<json> KubeconfigIdInputsJson(std::string_view text) {
  CV_ASSIGN_OR_RETURN(Kubeconfig config, ParseKubeconfig(text));
  return KubeconfigIdInputsToJson(config);
}

Result<json> PlanKubeconfigWithIdsJson(std::string_view text, const json& request, const json& ids,
                                       bool with_models) {
  CV_ASSIGN_OR_RETURN(KubeconfigImportInput input, KubeconfigImportInputFromJson(request));
  CV_ASSIGN_OR_RETURN(input.request.context_ids, KubeconfigContextIdsFromJson(ids));
  CV_ASSIGN_OR_RETURN(KubeconfigImportPlan plan, PlanKubeconfigImportText(text, input.request));
  json out = {{kPlan, KubeconfigPlanToJson(plan)}};
  if (with_models) {
    CV_ASSIGN_OR_RETURN(KubeconfigImportModels models,
                        KubeconfigPlanToModels(plan, KubeconfigIdsWorkspace(ids)));
    out[kModels] = KubeconfigModelsToJson(models);
  }
  return out;
}

}  // namespace credvault
