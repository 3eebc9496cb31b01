// ClientApi: the operations a client (the browser, a Node program, the CLI) performs on
// keys, as JSON in and JSON out. The WASM module re-exports it one function for one.
//
// Keys never leave it: they are held in a key ring and named by numeric handles; nothing
// returns key bytes. (Two deliberate exceptions cross out, because the user or the server
// must have them: the auth key, which is the login proof, and the recovery code, shown
// once.) Errors are Status codes. Not thread-safe: one ClientApi per thread or page.
#ifndef CREDVAULT_CLIENT_API_H_
#define CREDVAULT_CLIENT_API_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "credvault/identity.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"

namespace credvault {

using Handle = uint32_t;

// Owns keys under handles. Releasing a handle wipes its key.
class KeyRing {
 public:
  Handle Add(std::unique_ptr<Identity> identity);
  Handle Add(WorkspaceKeys keys);
  Handle Add(SymmetricKey key);

  Result<const Identity*> GetIdentity(Handle h) const;
  Result<const WorkspaceKeys*> GetWorkspace(Handle h) const;
  // The key `seal`/`open` use: a data key, or a workspace's metadata key.
  Result<const SymmetricKey*> GetSealingKey(Handle h) const;
  Result<const SymmetricKey*> GetDataKey(Handle h) const;

  bool Release(Handle h);
  size_t size() const { return entries_.size(); }

 private:
  using Entry = std::variant<std::unique_ptr<Identity>, WorkspaceKeys, SymmetricKey>;
  Handle Insert(Entry entry);
  const Entry* Find(Handle h) const;
  std::map<Handle, Entry> entries_;
  Handle next_ = 1;
};

class ClientApi {
 public:
  nlohmann::json Info() const;
  std::string NewId() const;

  Result<nlohmann::json> CreateAccount(std::string email, std::string password,
                                       const nlohmann::json& kdf);
  Result<nlohmann::json> UnlockAccount(std::string password, const nlohmann::json& record);
  Result<std::string> DeriveAuthKey(std::string password, std::string_view salt,
                                    const nlohmann::json& kdf);
  Result<std::string> DeriveRecoveryAuthKey(std::string code);
  Result<Handle> RecoverAccount(std::string code, const nlohmann::json& record);
  Result<nlohmann::json> ChangePassword(Handle account, const nlohmann::json& record,
                                        std::string new_password, const nlohmann::json& kdf);
  Result<nlohmann::json> AccountInfo(Handle account) const;
  Result<std::string> Fingerprint(std::string_view public_key) const;

  Handle NewWorkspaceKeys(std::string workspace_id, uint32_t generation);
  Result<nlohmann::json> MakeGrant(Handle granter, Handle workspace, bool include_secrets,
                                   std::string recipient_id, std::string_view recipient_box_key);
  Result<Handle> OpenGrant(Handle recipient, const nlohmann::json& grant,
                           const nlohmann::json& pinned);
  Result<bool> WorkspaceHasSecrets(Handle workspace) const;

  Handle NewDataKey();
  Result<std::string> WrapDataKey(Handle workspace, std::string_view credential_id,
                                  uint64_t version, Handle data_key) const;
  Result<Handle> UnwrapDataKey(Handle workspace, std::string_view credential_id, uint64_t version,
                               std::string_view wrapped);

  // The model's records (JSON of model_json.h), sealed and opened with keys from the ring.
  // `record` carries the plaintext facts: {id, owner_id, workspace_id, version, created_at,
  // updated_at}. `workspaces` are handles of the workspaces to grant it to (the home one
  // among them).
  Result<nlohmann::json> SealCredential(const nlohmann::json& view, const nlohmann::json& record,
                                        Handle data_key, const std::vector<Handle>& workspaces);
  Result<nlohmann::json> OpenCredential(const nlohmann::json& sealed, Handle workspace) const;
  Result<nlohmann::json> SummarizeCredential(const nlohmann::json& sealed, Handle workspace) const;
  Result<Handle> OpenCredentialDataKey(const nlohmann::json& sealed, Handle workspace);
  Result<nlohmann::json> GrantCredential(const nlohmann::json& sealed, std::string_view name,
                                         Handle data_key, Handle target_workspace) const;
  Result<nlohmann::json> SealConnection(const nlohmann::json& view, Handle workspace) const;
  Result<nlohmann::json> OpenConnection(const nlohmann::json& sealed, Handle workspace) const;

  Result<std::string> Seal(Handle key, const EnvelopeContext& context,
                           std::string_view plaintext) const;
  Result<std::string> Open(Handle key, const EnvelopeContext& context,
                           std::string_view envelope) const;
  Result<nlohmann::json> InspectEnvelope(std::string_view envelope) const;

  Result<std::string> SealTestJob(std::string_view runner_box_key, const nlohmann::json& header,
                                  const nlohmann::json& body) const;
  // Opens the connection (and its credential, null for none) with the workspace keys, builds
  // the test job and seals it to `runner` ({"id", "box_public_key"}). `options`:
  // {"now": unix seconds (required), "lifetime_seconds", "allow_private_targets",
  // "http_expected_status"}. Returns {"job": base64url, "header": TestJobHeader}: the
  // secret never leaves the core.
  Result<nlohmann::json> SealConnectionTest(const nlohmann::json& sealed_connection,
                                            const nlohmann::json& sealed_credential,
                                            Handle workspace, const nlohmann::json& runner,
                                            const nlohmann::json& options) const;
  Result<nlohmann::json> VerifyTestResult(std::string_view runner_sign_key,
                                          const nlohmann::json& signed_result,
                                          std::string_view job_id,
                                          std::string_view connection_id) const;

  // View models for the web app (JSON of ui_json.h); client_api_views.cc.
  Result<nlohmann::json> AuthMethods(std::string_view kind) const;
  Result<nlohmann::json> CredentialForm(const nlohmann::json& view, bool touched) const;
  Result<nlohmann::json> DropUnusedFields(const nlohmann::json& view) const;
  Result<nlohmann::json> ConnectionForm(const nlohmann::json& input, bool touched) const;
  Result<nlohmann::json> StateChip(std::string_view state) const;
  Result<nlohmann::json> OutcomeChip(std::string_view outcome) const;
  // A list row: the summary, its version and its chips (ConnectionRowJson).
  Result<nlohmann::json> SummarizeConnection(const nlohmann::json& sealed, Handle workspace) const;
  Result<nlohmann::json> ListConnections(const nlohmann::json& summaries,
                                         const nlohmann::json& query) const;
  Result<nlohmann::json> ListCredentials(const nlohmann::json& summaries,
                                         const nlohmann::json& query) const;
  Result<nlohmann::json> ConnectionActions(std::string_view state, std::string_view role) const;

  // Kubeconfig import. The id key is derived from the workspace's metadata key inside the
  // core (DeriveKubeconfigIdKey): neither JavaScript nor the server ever sees it. `request`
  // as KubeconfigImportInputFromJson reads it. Errors: those of PlanKubeconfigImportText
  // (a file that cannot be read: kParseError / kValidation / kInvalidArgument, the message
  // naming line and column).
  Result<nlohmann::json> PlanKubeconfigImport(std::string_view text, const nlohmann::json& request,
                                              Handle workspace) const;
  // Plans, then seals what the plan imports: {"plan", "credentials": [SealedCredential],
  // "connections": [SealedConnection]}. Each new credential gets a fresh data key and one
  // grant, to this workspace; credentials listed in request.existing_credentials are not
  // sealed again (the same id is the same material). A connection the plan updates is
  // sealed at version + 1 of request.existing[].version (kInvalidArgument when missing),
  // keeping its environments. `options`: {"owner_id", "now"} (both required).
  Result<nlohmann::json> SealKubeconfigImport(std::string_view text, const nlohmann::json& request,
                                              Handle workspace,
                                              const nlohmann::json& options) const;

  // The main module's half of the two-module import (kubeconfig_seal.h): the ids for step 1's
  // inputs (KubeconfigContextIdsJson), and the sealing of step 3's models
  // (SealKubeconfigModelsJson), both with `workspace`'s keys.
  Result<nlohmann::json> KubeconfigIds(const nlohmann::json& inputs, Handle workspace) const;
  Result<nlohmann::json> SealImportedModels(const nlohmann::json& models,
                                            const nlohmann::json& request, Handle workspace,
                                            const nlohmann::json& options) const;

  bool Release(Handle h) { return ring_.Release(h); }
  size_t HandleCount() const { return ring_.size(); }

 private:
  KeyRing ring_;
};

}  // namespace credvault

#endif  // CREDVAULT_CLIENT_API_H_
