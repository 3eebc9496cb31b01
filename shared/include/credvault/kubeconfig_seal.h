// The kubeconfig import split in two, as the browser runs it. The YAML reader (yaml-cpp,
// iostreams, C++ exceptions) is a large part of the WASM core, and only the import uses it,
// so the browser loads it as a second module on first use. That module holds no key: it
// parses and plans; the main module, which holds the workspace keys, derives the ids and
// seals. The round trip, all JSON:
//   1. kubeconfig module: KubeconfigIdInputsJson(text) -> what each context's ids digest
//      (its user's material and its cluster's endpoint: what the file text already holds);
//   2. main module: KubeconfigContextIdsJson(inputs, keys) -> {"workspace_id", "contexts"};
//   3. kubeconfig module: PlanKubeconfigWithIdsJson(text, request, ids, with_models) ->
//      {"plan"[, "models"]} (models: the credential views, secrets included, and the
//      connection views);
//   4. main module: SealKubeconfigModelsJson(models, request, keys, options).
// Natively ClientApi::SealKubeconfigImport does all four in one call. Pure; thread-compatible.
// Errors as listed per function.
#ifndef CREDVAULT_KUBECONFIG_SEAL_H_
#define CREDVAULT_KUBECONFIG_SEAL_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "credvault/kubeconfig.h"
#include "credvault/kubeconfig_import.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"

namespace credvault {

// Step 1 (kubeconfig module). {"contexts": {name: {"auth", "token", "client_certificate_pem",
// "client_key_pem", "username", "password", "server", "certificate_authority_pem"}}} for each
// context whose cluster and user are in the file (the first of a name; the planner refuses
// duplicates before it asks for ids). Errors: those of ParseKubeconfig.
Result<nlohmann::json> KubeconfigIdInputsJson(std::string_view text);
nlohmann::json KubeconfigIdInputsToJson(const Kubeconfig& config);

// Step 2 (main module). Errors: kValidation (inputs not of step 1's shape).
Result<nlohmann::json> KubeconfigContextIdsJson(const nlohmann::json& inputs,
                                                const WorkspaceKeys& keys);
// Step 2's "contexts", as the planner takes them. Errors: kValidation.
Result<std::map<std::string, KubeconfigContextIds>> KubeconfigContextIdsFromJson(
    const nlohmann::json& ids);
// Step 2's "workspace_id" ("" when missing).
std::string KubeconfigIdsWorkspace(const nlohmann::json& ids);

// Step 3 (kubeconfig module). `request` as KubeconfigImportInputFromJson reads it; `ids` is
// step 2's result (its workspace_id goes into the connection views). Errors: those of
// KubeconfigImportInputFromJson, PlanKubeconfigImportText and KubeconfigPlanToModels;
// kValidation (ids of the wrong shape).
Result<nlohmann::json> PlanKubeconfigWithIdsJson(std::string_view text,
                                                 const nlohmann::json& request,
                                                 const nlohmann::json& ids, bool with_models);

// {"credentials": [{"id", "view"}], "connections": [ConnectionView]}; the views hold secrets.
nlohmann::json KubeconfigModelsToJson(const KubeconfigImportModels& models);
Result<KubeconfigImportModels> KubeconfigModelsFromJson(const nlohmann::json& j);

// Step 4 (main module): {"credentials": [SealedCredential], "connections":
// [SealedConnection]}. Each new credential gets a fresh data key and one grant, to this
// workspace; credentials in request.existing_credentials are not sealed again (the same id is
// the same material). A connection the plan updates is sealed at version + 1 of
// request.existing[].version (kInvalidArgument when missing), keeping its environments.
// Connections are sealed into keys' workspace whatever the views say. `options`:
// {"owner_id", "now"} (both required; kValidation otherwise).
Result<nlohmann::json> SealKubeconfigModelsJson(KubeconfigImportModels models,
                                                const nlohmann::json& request,
                                                const WorkspaceKeys& keys,
                                                const nlohmann::json& options);

}  // namespace credvault

#endif  // CREDVAULT_KUBECONFIG_SEAL_H_
