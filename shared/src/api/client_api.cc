#include "credvault/client_api.h"

#include "credvault/account.h"
#include "credvault/connection.h"
#include "credvault/connection_probe.h"
#include "credvault/credential.h"
#include "credvault/crypto_json.h"
#include "credvault/model_json.h"
#include "credvault/ui_json.h"
#include "json/model_reader.h"

namespace credvault {

using nlohmann::json;

namespace {

Status UnknownHandle(Handle h, const char* what) {
  return Status(ErrorCode::kUnknownHandle,
                "handle " + std::to_string(h) + " is not " + what + " (released, or never made)");
}

Result<Bytes> DecodeKey(std::string_view text, const char* name) {
  Bytes out;
  if (!Base64UrlDecode(text, &out)) {
    return Result<Bytes>(ErrorCode::kInvalidArgument, std::string(name) + ": not base64url");
  }
  return out;
}

// Defaults to kDefaultKdf when `j` is null.
Result<KdfParams> KdfOrDefault(const json& j) {
  if (j.is_null()) return kDefaultKdf;
  return KdfFromJson(j);
}

// The caller's copy of a password or code is its own; ours is wiped when we are done.
struct WipeOnExit {
  std::string& s;
  ~WipeOnExit() { Wipe(s); }
};

}  // namespace

Handle KeyRing::Insert(Entry entry) {
  Handle h = next_++;
  entries_.emplace(h, std::move(entry));
  return h;
}

Handle KeyRing::Add(std::unique_ptr<Identity> identity) { return Insert(std::move(identity)); }
Handle KeyRing::Add(WorkspaceKeys keys) { return Insert(std::move(keys)); }
Handle KeyRing::Add(SymmetricKey key) { return Insert(std::move(key)); }

const KeyRing::Entry* KeyRing::Find(Handle h) const {
  auto it = entries_.find(h);
  return it == entries_.end() ? nullptr : &it->second;
}

Result<const Identity*> KeyRing::GetIdentity(Handle h) const {
  const Entry* e = Find(h);
  if (e == nullptr || !std::holds_alternative<std::unique_ptr<Identity>>(*e)) {
    return UnknownHandle(h, "an account");
  }
  return std::get<std::unique_ptr<Identity>>(*e).get();
}

Result<const WorkspaceKeys*> KeyRing::GetWorkspace(Handle h) const {
  const Entry* e = Find(h);
  if (e == nullptr || !std::holds_alternative<WorkspaceKeys>(*e)) {
    return UnknownHandle(h, "a workspace key set");
  }
  return &std::get<WorkspaceKeys>(*e);
}

Result<const SymmetricKey*> KeyRing::GetDataKey(Handle h) const {
  const Entry* e = Find(h);
  if (e == nullptr || !std::holds_alternative<SymmetricKey>(*e)) {
    return UnknownHandle(h, "a data key");
  }
  return &std::get<SymmetricKey>(*e);
}

Result<const SymmetricKey*> KeyRing::GetSealingKey(Handle h) const {
  const Entry* e = Find(h);
  if (e != nullptr && std::holds_alternative<WorkspaceKeys>(*e)) {
    return &std::get<WorkspaceKeys>(*e).metadata;
  }
  return GetDataKey(h);
}

bool KeyRing::Release(Handle h) { return entries_.erase(h) == 1; }

json ClientApi::Info() const {
  return {{"target", CryptoTarget()}, {"random_source", RandomSourceName()}, {"version", "0.1.0"}};
}

std::string ClientApi::NewId() const { return NewObjectId(); }

Result<json> ClientApi::CreateAccount(std::string email, std::string password, const json& kdf) {
  WipeOnExit wipe{password};
  CV_ASSIGN_OR_RETURN(KdfParams params, KdfOrDefault(kdf));
  CV_ASSIGN_OR_RETURN(NewAccount created, credvault::CreateAccount(email, password, params));
  json out = {{"record", AccountRecordToJson(created.record)},
              {"auth_key", Base64UrlEncode(created.auth_key.view())},
              {"recovery_auth_key", Base64UrlEncode(created.recovery_auth_key.view())},
              {"recovery_code", created.recovery_code}};
  Wipe(created.recovery_code);
  out["account"] = ring_.Add(std::move(created.account));
  return out;
}

Result<json> ClientApi::UnlockAccount(std::string password, const json& record) {
  WipeOnExit wipe{password};
  CV_ASSIGN_OR_RETURN(AccountRecord r, AccountRecordFromJson(record));
  CV_ASSIGN_OR_RETURN(UnlockResult unlocked, credvault::UnlockAccount(password, r));
  return json{{"auth_key", Base64UrlEncode(unlocked.auth_key.view())},
              {"account", ring_.Add(std::move(unlocked.account))}};
}

Result<std::string> ClientApi::DeriveAuthKey(std::string password, std::string_view salt,
                                             const json& kdf) {
  WipeOnExit wipe{password};
  CV_ASSIGN_OR_RETURN(Bytes salt_bytes, DecodeKey(salt, "salt"));
  CV_ASSIGN_OR_RETURN(KdfParams params, KdfFromJson(kdf));
  CV_ASSIGN_OR_RETURN(LoginKeys keys, DeriveLoginKeys(password, salt_bytes, params));
  return Base64UrlEncode(keys.auth_key.view());
}

Result<std::string> ClientApi::DeriveRecoveryAuthKey(std::string code) {
  WipeOnExit wipe{code};
  CV_ASSIGN_OR_RETURN(SecretBytes key, credvault::DeriveRecoveryAuthKey(code));
  return Base64UrlEncode(key.view());
}

Result<Handle> ClientApi::RecoverAccount(std::string code, const json& record) {
  WipeOnExit wipe{code};
  CV_ASSIGN_OR_RETURN(AccountRecord r, AccountRecordFromJson(record));
  CV_ASSIGN_OR_RETURN(auto identity, credvault::RecoverAccount(code, r));
  return ring_.Add(std::move(identity));
}

Result<json> ClientApi::ChangePassword(Handle account, const json& record,
                                       std::string new_password, const json& kdf) {
  WipeOnExit wipe{new_password};
  CV_ASSIGN_OR_RETURN(const Identity* identity, ring_.GetIdentity(account));
  CV_ASSIGN_OR_RETURN(AccountRecord r, AccountRecordFromJson(record));
  CV_ASSIGN_OR_RETURN(KdfParams params, KdfOrDefault(kdf));
  CV_ASSIGN_OR_RETURN(PasswordChange change,
                      credvault::ChangePassword(*identity, r, new_password, params));
  return json{{"record", AccountRecordToJson(change.record)},
              {"auth_key", Base64UrlEncode(change.auth_key.view())}};
}

Result<json> ClientApi::AccountInfo(Handle account) const {
  CV_ASSIGN_OR_RETURN(const Identity* identity, ring_.GetIdentity(account));
  return json{{"account_id", identity->id()},
              {"box_public_key", Base64UrlEncode(identity->box_public_key())},
              {"sign_public_key", Base64UrlEncode(identity->sign_public_key())},
              {"fingerprint", KeyFingerprint(identity->sign_public_key())}};
}

Result<std::string> ClientApi::Fingerprint(std::string_view public_key) const {
  CV_ASSIGN_OR_RETURN(Bytes key, DecodeKey(public_key, "public key"));
  return KeyFingerprint(key);
}

Handle ClientApi::NewWorkspaceKeys(std::string workspace_id, uint32_t generation) {
  return ring_.Add(WorkspaceKeys::Generate(std::move(workspace_id), generation));
}

Result<json> ClientApi::MakeGrant(Handle granter, Handle workspace, bool include_secrets,
                                  std::string recipient_id, std::string_view recipient_box_key) {
  CV_ASSIGN_OR_RETURN(const Identity* identity, ring_.GetIdentity(granter));
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(Bytes box_key, DecodeKey(recipient_box_key, "recipient box key"));
  CV_ASSIGN_OR_RETURN(KeyGrant grant,
                      credvault::MakeGrant(*identity, *keys, include_secrets, recipient_id, box_key));
  return KeyGrantToJson(grant);
}

Result<Handle> ClientApi::OpenGrant(Handle recipient, const json& grant, const json& pinned) {
  CV_ASSIGN_OR_RETURN(const Identity* identity, ring_.GetIdentity(recipient));
  CV_ASSIGN_OR_RETURN(KeyGrant g, KeyGrantFromJson(grant));
  CV_ASSIGN_OR_RETURN(PinnedKeys pins, PinnedKeysFromJson(pinned));
  CV_ASSIGN_OR_RETURN(WorkspaceKeys keys, credvault::OpenGrant(*identity, g, pins));
  return ring_.Add(std::move(keys));
}

Result<bool> ClientApi::WorkspaceHasSecrets(Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  return keys->secrets.has_value();
}

Handle ClientApi::NewDataKey() { return ring_.Add(credvault::NewDataKey()); }

Result<std::string> ClientApi::WrapDataKey(Handle workspace, std::string_view credential_id,
                                           uint64_t version, Handle data_key) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(const SymmetricKey* key, ring_.GetDataKey(data_key));
  CV_ASSIGN_OR_RETURN(Bytes wrapped, credvault::WrapDataKey(*keys, credential_id, version, *key));
  return Base64UrlEncode(wrapped);
}

Result<Handle> ClientApi::UnwrapDataKey(Handle workspace, std::string_view credential_id,
                                        uint64_t version, std::string_view wrapped) {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  Bytes raw;
  if (!Base64UrlDecode(wrapped, &raw)) {
    return Result<Handle>(ErrorCode::kMalformed, "wrapped data key is not base64url");
  }
  CV_ASSIGN_OR_RETURN(SymmetricKey key, credvault::UnwrapDataKey(*keys, credential_id, version, raw));
  return ring_.Add(std::move(key));
}

namespace {

Result<CredentialRecord> CredentialRecordFromJson(const json& j) {
  internal::ModelReader r(j, "record");
  CredentialRecord record;
  r.String("id", &record.id);
  r.String("owner_id", &record.owner_id);
  r.String("workspace_id", &record.workspace_id);
  r.Uint("version", &record.version);
  r.Int("created_at", &record.created_at);
  r.Int("updated_at", &record.updated_at);
  if (!r.ok()) return r.status();
  return record;
}

}  // namespace

Result<json> ClientApi::SealCredential(const json& view, const json& record, Handle data_key,
                                       const std::vector<Handle>& workspaces) {
  CV_ASSIGN_OR_RETURN(CredentialView v, CredentialViewFromJson(view));
  CV_ASSIGN_OR_RETURN(CredentialRecord rec, CredentialRecordFromJson(record));
  CV_ASSIGN_OR_RETURN(const SymmetricKey* key, ring_.GetDataKey(data_key));
  std::vector<const WorkspaceKeys*> keys;
  for (Handle h : workspaces) {
    CV_ASSIGN_OR_RETURN(const WorkspaceKeys* k, ring_.GetWorkspace(h));
    keys.push_back(k);
  }
  CV_ASSIGN_OR_RETURN(SealedCredential sealed, credvault::SealCredential(v, rec, *key, keys));
  return SealedCredentialToJson(sealed);
}

Result<json> ClientApi::OpenCredential(const json& sealed, Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(SealedCredential s, SealedCredentialFromJson(sealed));
  CV_ASSIGN_OR_RETURN(CredentialView view, credvault::OpenCredential(s, *keys));
  return CredentialViewToJson(view);
}

Result<json> ClientApi::SummarizeCredential(const json& sealed, Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(SealedCredential s, SealedCredentialFromJson(sealed));
  CV_ASSIGN_OR_RETURN(CredentialSummary summary, credvault::SummarizeCredential(s, *keys));
  return CredentialRowJson(summary);
}

Result<Handle> ClientApi::OpenCredentialDataKey(const json& sealed, Handle workspace) {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(SealedCredential s, SealedCredentialFromJson(sealed));
  CV_ASSIGN_OR_RETURN(SymmetricKey key, OpenDataKey(s, *keys));
  return ring_.Add(std::move(key));
}

Result<json> ClientApi::GrantCredential(const json& sealed, std::string_view name,
                                        Handle data_key, Handle target_workspace) const {
  CV_ASSIGN_OR_RETURN(const SymmetricKey* key, ring_.GetDataKey(data_key));
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* target, ring_.GetWorkspace(target_workspace));
  CV_ASSIGN_OR_RETURN(SealedCredential s, SealedCredentialFromJson(sealed));
  CV_ASSIGN_OR_RETURN(CredentialGrant grant, credvault::GrantCredential(s, name, *key, *target));
  return CredentialGrantToJson(grant);
}

Result<json> ClientApi::SealConnection(const json& view, Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(ConnectionView v, ConnectionViewFromJson(view));
  CV_ASSIGN_OR_RETURN(SealedConnection sealed, credvault::SealConnection(v, *keys));
  return SealedConnectionToJson(sealed);
}

Result<json> ClientApi::OpenConnection(const json& sealed, Handle workspace) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(SealedConnection s, SealedConnectionFromJson(sealed));
  CV_ASSIGN_OR_RETURN(ConnectionView view, credvault::OpenConnection(s, *keys));
  return ConnectionViewToJson(view);
}

Result<std::string> ClientApi::Seal(Handle key, const EnvelopeContext& context,
                                    std::string_view plaintext) const {
  CV_ASSIGN_OR_RETURN(const SymmetricKey* k, ring_.GetSealingKey(key));
  CV_ASSIGN_OR_RETURN(Bytes sealed, SealEnvelope(*k, context, AsBytes(plaintext)));
  return Base64UrlEncode(sealed);
}

Result<std::string> ClientApi::Open(Handle key, const EnvelopeContext& context,
                                    std::string_view envelope) const {
  CV_ASSIGN_OR_RETURN(const SymmetricKey* k, ring_.GetSealingKey(key));
  Bytes raw;
  if (!Base64UrlDecode(envelope, &raw)) {
    return Result<std::string>(ErrorCode::kMalformed, "envelope is not base64url");
  }
  CV_ASSIGN_OR_RETURN(SecretBytes plain, OpenEnvelope(*k, context, raw));
  return std::string(plain.chars());
}

Result<json> ClientApi::InspectEnvelope(std::string_view envelope) const {
  CV_ASSIGN_OR_RETURN(EnvelopeHeader header, InspectEnvelopeText(envelope));
  return EnvelopeHeaderToJson(header);
}

Result<std::string> ClientApi::SealTestJob(std::string_view runner_box_key, const json& header,
                                           const json& body) const {
  CV_ASSIGN_OR_RETURN(Bytes key, DecodeKey(runner_box_key, "runner box key"));
  CV_ASSIGN_OR_RETURN(TestJobHeader h, TestJobHeaderFromJson(header));
  if (!body.is_object()) return Result<std::string>(ErrorCode::kInvalidArgument, "body: must be an object");
  std::string text = body.dump();
  auto sealed = credvault::SealTestJob(key, h, text);
  Wipe(text);
  if (!sealed.ok()) return sealed.status();
  return Base64UrlEncode(*sealed);
}

Result<json> ClientApi::SealConnectionTest(const json& sealed_connection,
                                           const json& sealed_credential, Handle workspace,
                                           const json& runner, const json& options) const {
  CV_ASSIGN_OR_RETURN(const WorkspaceKeys* keys, ring_.GetWorkspace(workspace));
  CV_ASSIGN_OR_RETURN(SealedConnection s, SealedConnectionFromJson(sealed_connection));
  CV_ASSIGN_OR_RETURN(ConnectionView connection, credvault::OpenConnection(s, *keys));
  std::optional<CredentialView> credential;
  if (!sealed_credential.is_null()) {
    CV_ASSIGN_OR_RETURN(SealedCredential c, SealedCredentialFromJson(sealed_credential));
    if (c.id != connection.credential_id) {
      return Result<json>(ErrorCode::kInvalidArgument,
                          "credential: not the credential this connection names");
    }
    CV_ASSIGN_OR_RETURN(credential, credvault::OpenCredential(c, *keys));
  } else if (!connection.credential_id.empty()) {
    return Result<json>(ErrorCode::kInvalidArgument, "credential: this connection names one");
  }
  if (!runner.is_object() || !runner.contains("id") || !runner["id"].is_string() ||
      !runner.contains("box_public_key") || !runner["box_public_key"].is_string()) {
    return Result<json>(ErrorCode::kInvalidArgument,
                        "runner: must be {\"id\": string, \"box_public_key\": string}");
  }
  CV_ASSIGN_OR_RETURN(Bytes box_key,
                      DecodeKey(runner["box_public_key"].get<std::string>(), "runner box key"));
  if (!options.is_object() || !options.contains("now") || !options["now"].is_number_integer()) {
    return Result<json>(ErrorCode::kInvalidArgument, "options.now: must be unix seconds");
  }
  ConnectionTestOptions test_options;
  int64_t lifetime = kDefaultJobLifetimeSeconds;
  if (auto it = options.find("lifetime_seconds"); it != options.end()) {
    if (!it->is_number_integer()) {
      return Result<json>(ErrorCode::kInvalidArgument, "options.lifetime_seconds: an integer");
    }
    lifetime = it->get<int64_t>();
  }
  if (auto it = options.find("allow_private_targets"); it != options.end()) {
    if (!it->is_boolean()) {
      return Result<json>(ErrorCode::kInvalidArgument, "options.allow_private_targets: a bool");
    }
    test_options.ssrf.allow_private_and_link_local = it->get<bool>();
  }
  if (auto it = options.find("http_expected_status"); it != options.end()) {
    if (!it->is_number_integer()) {
      return Result<json>(ErrorCode::kInvalidArgument, "options.http_expected_status: an integer");
    }
    test_options.http_expected_status = it->get<int>();
  }
  CV_ASSIGN_OR_RETURN(
      SealedConnectionTest sealed,
      credvault::SealConnectionTest(connection, credential ? &*credential : nullptr,
                                    test_options, runner["id"].get<std::string>(), box_key,
                                    options["now"].get<int64_t>(), lifetime));
  return json{{"job", Base64UrlEncode(sealed.job)},
              {"header", TestJobHeaderToJson(sealed.header)}};
}

Result<json> ClientApi::VerifyTestResult(std::string_view runner_sign_key, const json& signed_result,
                                         std::string_view job_id,
                                         std::string_view connection_id) const {
  CV_ASSIGN_OR_RETURN(Bytes key, DecodeKey(runner_sign_key, "runner signing key"));
  CV_ASSIGN_OR_RETURN(SignedTestResult r, SignedTestResultFromJson(signed_result));
  return credvault::VerifyTestResult(key, r, job_id, connection_id);
}

}  // namespace credvault
