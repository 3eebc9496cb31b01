// The embind layer of the kubeconfig module (credvault_kubeconfig.mjs), which credvault.mjs
// loads on the first kubeconfig import: the YAML reader and the planner, and no key. The
// main module derives the ids and seals (kubeconfig_seal.h has the round trip).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "credvault/kubeconfig_seal.h"
#include "credvault/secret.h"
#include "js_values.h"

namespace credvault {
namespace {

using emscripten::val;
using wasm_js::FromJs;
using wasm_js::Return;

val JsKubeconfigIdInputs(std::string text) {
  auto r = KubeconfigIdInputsJson(text);
  Wipe(text);
  return Return(r);
}

val JsPlanKubeconfigImport(std::string text, val request, val ids, bool with_models) {
  auto r = PlanKubeconfigWithIdsJson(text, FromJs(request), FromJs(ids), with_models);
  Wipe(text);
  return Return(r);
}

}  // namespace

EMSCRIPTEN_BINDINGS(credvault_kubeconfig) {
  emscripten::function("kubeconfigIdInputs", &JsKubeconfigIdInputs);
  emscripten::function("planKubeconfigImport", &JsPlanKubeconfigImport);
}

}  // namespace credvault
