// The embind layer: translates between JavaScript values and the core's ClientApi. It
// decides nothing. Every function returns either its value or an error object
// {__credvault_error: code, message}, which credvault.mjs turns into a thrown
// CredvaultError; no C++ exception crosses into JavaScript.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <emscripten.h>

#include <string>
#include <vector>

#include "credvault/client_api.h"
#include "credvault/crypto.h"
#include "credvault/crypto_json.h"
#include "credvault/ui_json.h"
#include "js_values.h"

namespace credvault {
namespace {

using emscripten::val;
using nlohmann::json;
using wasm_js::Error;
using wasm_js::FromJs;
using wasm_js::Return;
using wasm_js::ToJs;

ClientApi& Api() {
  static ClientApi* api = new ClientApi();  // lives as long as the module instance
  return *api;
}

EnvelopeContext Context(std::string purpose, std::string workspace_id, std::string object_id,
                        double version) {
  return {std::move(purpose), std::move(workspace_id), std::move(object_id),
          version < 0 ? 0 : static_cast<uint64_t>(version)};
}

val JsInit() { return InitCrypto().ok() ? val(true) : Error(InitCrypto()); }
val JsInfo() { return ToJs(Api().Info()); }
std::string JsNewId() { return Api().NewId(); }
val JsKdfDefaults() { return ToJs(KdfToJson(kDefaultKdf)); }
val JsKdfMinimum() { return ToJs(KdfToJson(kMinKdf)); }

val JsCreateAccount(std::string email, std::string password, val kdf) {
  return Return(Api().CreateAccount(std::move(email), std::move(password), FromJs(kdf)));
}
val JsUnlockAccount(std::string password, val record) {
  return Return(Api().UnlockAccount(std::move(password), FromJs(record)));
}
val JsDeriveAuthKey(std::string password, std::string salt, val kdf) {
  return Return(Api().DeriveAuthKey(std::move(password), salt, FromJs(kdf)));
}
val JsDeriveRecoveryAuthKey(std::string code) {
  return Return(Api().DeriveRecoveryAuthKey(std::move(code)));
}
val JsRecoverAccount(std::string code, val record) {
  return Return(Api().RecoverAccount(std::move(code), FromJs(record)));
}
val JsChangePassword(Handle account, val record, std::string password, val kdf) {
  return Return(Api().ChangePassword(account, FromJs(record), std::move(password), FromJs(kdf)));
}
val JsAccountInfo(Handle account) { return Return(Api().AccountInfo(account)); }
val JsFingerprint(std::string key) { return Return(Api().Fingerprint(key)); }

Handle JsNewWorkspaceKeys(std::string workspace_id, uint32_t generation) {
  return Api().NewWorkspaceKeys(std::move(workspace_id), generation);
}
val JsMakeGrant(Handle granter, Handle workspace, bool include_secrets, std::string recipient_id,
              std::string recipient_box_key) {
  return Return(Api().MakeGrant(granter, workspace, include_secrets, std::move(recipient_id),
                                recipient_box_key));
}
val JsOpenGrant(Handle recipient, val grant, val pinned) {
  return Return(Api().OpenGrant(recipient, FromJs(grant), FromJs(pinned)));
}
val JsWorkspaceHasSecrets(Handle workspace) { return Return(Api().WorkspaceHasSecrets(workspace)); }

Handle JsNewDataKey() { return Api().NewDataKey(); }
val JsWrapDataKey(Handle workspace, std::string credential_id, double version, Handle data_key) {
  return Return(Api().WrapDataKey(workspace, credential_id, static_cast<uint64_t>(version), data_key));
}
val JsUnwrapDataKey(Handle workspace, std::string credential_id, double version, std::string wrapped) {
  return Return(Api().UnwrapDataKey(workspace, credential_id, static_cast<uint64_t>(version), wrapped));
}

// The context arrives unpacked (purpose, workspace id, object id, version): seal and open
// are the hot path, and four plain arguments cost less than a JSON round trip.
val JsSeal(Handle key, std::string purpose, std::string workspace_id, std::string object_id,
         double version, std::string plaintext) {
  auto r = Api().Seal(key, Context(std::move(purpose), std::move(workspace_id),
                                   std::move(object_id), version),
                      plaintext);
  Wipe(plaintext);
  return Return(r);
}
val JsOpen(Handle key, std::string purpose, std::string workspace_id, std::string object_id,
         double version, std::string envelope) {
  return Return(Api().Open(key, Context(std::move(purpose), std::move(workspace_id),
                                        std::move(object_id), version),
                           envelope));
}
std::vector<Handle> Handles(const val& list) {
  std::vector<Handle> out;
  if (!list.isArray()) return out;
  unsigned n = list["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) out.push_back(list[i].as<Handle>());
  return out;
}

val JsSealCredential(val view, val record, Handle data_key, val workspaces) {
  return Return(Api().SealCredential(FromJs(view), FromJs(record), data_key, Handles(workspaces)));
}
val JsOpenCredential(val sealed, Handle workspace) {
  return Return(Api().OpenCredential(FromJs(sealed), workspace));
}
val JsSummarizeCredential(val sealed, Handle workspace) {
  return Return(Api().SummarizeCredential(FromJs(sealed), workspace));
}
val JsOpenCredentialDataKey(val sealed, Handle workspace) {
  return Return(Api().OpenCredentialDataKey(FromJs(sealed), workspace));
}
val JsGrantCredential(val sealed, std::string name, Handle data_key, Handle target) {
  return Return(Api().GrantCredential(FromJs(sealed), name, data_key, target));
}
val JsSealConnection(val view, Handle workspace) {
  return Return(Api().SealConnection(FromJs(view), workspace));
}
val JsOpenConnection(val sealed, Handle workspace) {
  return Return(Api().OpenConnection(FromJs(sealed), workspace));
}

val JsInspectEnvelope(std::string envelope) { return Return(Api().InspectEnvelope(envelope)); }

val JsSealTestJob(std::string runner_box_key, val header, val body) {
  return Return(Api().SealTestJob(runner_box_key, FromJs(header), FromJs(body)));
}
val JsSealConnectionTest(val sealed_connection, val sealed_credential, Handle workspace,
                         val runner, val options) {
  return Return(Api().SealConnectionTest(FromJs(sealed_connection), FromJs(sealed_credential),
                                         workspace, FromJs(runner), FromJs(options)));
}

val JsVerifyTestResult(std::string runner_sign_key, val result, std::string job_id,
                     std::string connection_id) {
  return Return(Api().VerifyTestResult(runner_sign_key, FromJs(result), job_id, connection_id));
}

// View models, and the main module's half of the kubeconfig import (kubeconfig_bindings.cc
// has the other).
val JsAuthMethods(std::string kind) { return Return(Api().AuthMethods(kind)); }
val JsCredentialForm(val view, bool touched) {
  return Return(Api().CredentialForm(FromJs(view), touched));
}
val JsDropUnusedFields(val view) { return Return(Api().DropUnusedFields(FromJs(view))); }
val JsConnectionForm(val input, bool touched) {
  return Return(Api().ConnectionForm(FromJs(input), touched));
}
val JsStateChip(std::string state) { return Return(Api().StateChip(state)); }
val JsOutcomeChip(std::string outcome) { return Return(Api().OutcomeChip(outcome)); }
val JsExpiryChip(val entry, val options) {
  return Return(ExpiryChipJson(FromJs(entry), FromJs(options)));
}
val JsSummarizeConnection(val sealed, Handle workspace) {
  return Return(Api().SummarizeConnection(FromJs(sealed), workspace));
}
val JsListConnections(val summaries, val query) {
  return Return(Api().ListConnections(FromJs(summaries), FromJs(query)));
}
val JsListCredentials(val summaries, val query) {
  return Return(Api().ListCredentials(FromJs(summaries), FromJs(query)));
}
val JsConnectionActions(std::string state, std::string role) {
  return Return(Api().ConnectionActions(state, role));
}
val JsKubeconfigIds(val inputs, Handle workspace) {
  return Return(Api().KubeconfigIds(FromJs(inputs), workspace));
}
val JsSealImportedModels(val models, val request, Handle workspace, val options) {
  return Return(Api().SealImportedModels(FromJs(models), FromJs(request), workspace,
                                         FromJs(options)));
}

bool JsRelease(Handle h) { return Api().Release(h); }
double JsHandleCount() { return static_cast<double>(Api().HandleCount()); }

// Benchmarks run inside WASM, so that the JavaScript boundary is measured separately.
double JsBenchOpenEnvelopes(int count) {
  SymmetricKey key = SymmetricKey::Generate(1);
  EnvelopeContext ctx{"credential", "ws", "obj", 1};
  auto sealed = SealEnvelope(key, ctx, AsBytes(std::string(100, 'x')));
  if (!sealed.ok()) return -1;
  double start = emscripten_get_now();
  for (int i = 0; i < count; ++i) {
    if (!OpenEnvelope(key, ctx, *sealed).ok()) return -1;
  }
  return emscripten_get_now() - start;
}

}  // namespace
}  // namespace credvault

EMSCRIPTEN_BINDINGS(credvault) {
  using namespace credvault;
  emscripten::function("init", &JsInit);
  emscripten::function("info", &JsInfo);
  emscripten::function("newId", &JsNewId);
  emscripten::function("kdfDefaults", &JsKdfDefaults);
  emscripten::function("kdfMinimum", &JsKdfMinimum);
  emscripten::function("createAccount", &JsCreateAccount);
  emscripten::function("unlockAccount", &JsUnlockAccount);
  emscripten::function("deriveAuthKey", &JsDeriveAuthKey);
  emscripten::function("deriveRecoveryAuthKey", &JsDeriveRecoveryAuthKey);
  emscripten::function("recoverAccount", &JsRecoverAccount);
  emscripten::function("changePassword", &JsChangePassword);
  emscripten::function("accountInfo", &JsAccountInfo);
  emscripten::function("fingerprint", &JsFingerprint);
  emscripten::function("newWorkspaceKeys", &JsNewWorkspaceKeys);
  emscripten::function("makeGrant", &JsMakeGrant);
  emscripten::function("openGrant", &JsOpenGrant);
  emscripten::function("workspaceHasSecrets", &JsWorkspaceHasSecrets);
  emscripten::function("newDataKey", &JsNewDataKey);
  emscripten::function("wrapDataKey", &JsWrapDataKey);
  emscripten::function("unwrapDataKey", &JsUnwrapDataKey);
  emscripten::function("seal", &JsSeal);
  emscripten::function("open", &JsOpen);
  emscripten::function("inspectEnvelope", &JsInspectEnvelope);
  emscripten::function("sealCredential", &JsSealCredential);
  emscripten::function("openCredential", &JsOpenCredential);
  emscripten::function("summarizeCredential", &JsSummarizeCredential);
  emscripten::function("openCredentialDataKey", &JsOpenCredentialDataKey);
  emscripten::function("grantCredential", &JsGrantCredential);
  emscripten::function("sealConnection", &JsSealConnection);
  emscripten::function("openConnection", &JsOpenConnection);
  emscripten::function("sealTestJob", &JsSealTestJob);
  emscripten::function("sealConnectionTest", &JsSealConnectionTest);
  emscripten::function("verifyTestResult", &JsVerifyTestResult);
  emscripten::function("authMethods", &JsAuthMethods);
  emscripten::function("credentialForm", &JsCredentialForm);
  emscripten::function("dropUnusedFields", &JsDropUnusedFields);
  emscripten::function("connectionForm", &JsConnectionForm);
  emscripten::function("stateChip", &JsStateChip);
  emscripten::function("outcomeChip", &JsOutcomeChip);
  emscripten::function("expiryChip", &JsExpiryChip);
  emscripten::function("summarizeConnection", &JsSummarizeConnection);
  emscripten::function("listConnections", &JsListConnections);
  emscripten::function("listCredentials", &JsListCredentials);
  emscripten::function("connectionActions", &JsConnectionActions);
  emscripten::function("kubeconfigIds", &JsKubeconfigIds);
  emscripten::function("sealImportedModels", &JsSealImportedModels);
  emscripten::function("release", &JsRelease);
  emscripten::function("handleCount", &JsHandleCount);
  emscripten::function("benchOpenEnvelopes", &JsBenchOpenEnvelopes);
}
