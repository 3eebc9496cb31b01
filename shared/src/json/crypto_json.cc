#include "credvault/crypto_json.h"

#include "json/model_reader.h"

namespace credvault {

using internal::ModelReader;
using nlohmann::json;

namespace {

// A generation is a u32 in every envelope header.
constexpr uint64_t kMaxGeneration = UINT32_MAX;

}  // namespace

json KdfToJson(const KdfParams& kdf) {
  return {{"ops_limit", kdf.ops_limit}, {"mem_limit_bytes", kdf.mem_limit_bytes}};
}

Result<KdfParams> KdfFromJson(const json& j) {
  ModelReader r(j, "kdf");
  KdfParams kdf;
  r.Uint("ops_limit", &kdf.ops_limit);
  r.Uint("mem_limit_bytes", &kdf.mem_limit_bytes);
  if (!r.ok()) return r.status();
  return kdf;
}

json AccountRecordToJson(const AccountRecord& r) {
  return {{"account_id", r.account_id},
          {"email", r.email},
          {"kdf", KdfToJson(r.kdf)},
          {"salt", Base64UrlEncode(r.salt)},
          {"keys_version", r.keys_version},
          {"box_public_key", Base64UrlEncode(r.box_public_key)},
          {"sign_public_key", Base64UrlEncode(r.sign_public_key)},
          {"wrapped_private_keys", Base64UrlEncode(r.wrapped_private_keys)},
          {"recovery_wrapped_private_keys", Base64UrlEncode(r.recovery_wrapped_private_keys)}};
}

Result<AccountRecord> AccountRecordFromJson(const json& j) {
  ModelReader r(j, "");
  AccountRecord a;
  r.String("account_id", &a.account_id);
  r.String("email", &a.email);
  const json* kdf = r.Object("kdf");
  r.Base64Url("salt", &a.salt);
  r.Uint("keys_version", &a.keys_version);
  r.Base64Url("box_public_key", &a.box_public_key);
  r.Base64Url("sign_public_key", &a.sign_public_key);
  r.Envelope("wrapped_private_keys", &a.wrapped_private_keys);
  r.Envelope("recovery_wrapped_private_keys", &a.recovery_wrapped_private_keys);
  if (r.ok() && a.salt.size() != kSaltBytes) r.Fail("salt", "must be 16 bytes");
  if (r.ok() && a.box_public_key.size() != kBoxPublicKeyBytes) {
    r.Fail("box_public_key", "must be 32 bytes");
  }
  if (r.ok() && a.sign_public_key.size() != kSignPublicKeyBytes) {
    r.Fail("sign_public_key", "must be 32 bytes");
  }
  if (!r.ok()) return r.status();
  CV_ASSIGN_OR_RETURN(a.kdf, KdfFromJson(*kdf));
  return a;
}

json KeyGrantToJson(const KeyGrant& g) {
  return {{"workspace_id", g.workspace_id},
          {"recipient_id", g.recipient_id},
          {"granter_id", g.granter_id},
          {"generation", g.generation},
          {"includes_secrets", g.includes_secrets},
          {"sealed", Base64UrlEncode(g.sealed)},
          {"signature", Base64UrlEncode(g.signature)}};
}

Result<KeyGrant> KeyGrantFromJson(const json& j) {
  ModelReader r(j, "grant");
  KeyGrant g;
  uint64_t generation = 0;
  r.String("workspace_id", &g.workspace_id);
  r.String("recipient_id", &g.recipient_id);
  r.String("granter_id", &g.granter_id);
  r.Uint("generation", &generation, kMaxGeneration);
  r.Bool("includes_secrets", &g.includes_secrets);
  r.Base64Url("sealed", &g.sealed);
  r.Base64Url("signature", &g.signature);
  if (!r.ok()) return r.status();
  g.generation = static_cast<uint32_t>(generation);
  return g;
}

Result<EnvelopeContext> EnvelopeContextFromJson(const json& j) {
  ModelReader r(j, "context");
  EnvelopeContext c;
  r.String("purpose", &c.purpose);
  r.OptionalString("workspace_id", &c.workspace_id);
  r.String("object_id", &c.object_id);
  r.OptionalUint("object_version", &c.object_version);
  if (!r.ok()) return r.status();
  return c;
}

json EnvelopeHeaderToJson(const EnvelopeHeader& h) {
  return {{"version", h.version},
          {"algorithm", h.algorithm},
          {"key_generation", h.key_generation},
          {"padded_plaintext_bytes", h.padded_plaintext_bytes}};
}

json TestJobHeaderToJson(const TestJobHeader& h) {
  return {{"job_id", h.job_id},         {"workspace_id", h.workspace_id},
          {"connection_id", h.connection_id}, {"runner_id", h.runner_id},
          {"issued_at", h.issued_at},   {"expires_at", h.expires_at}};
}

Result<TestJobHeader> TestJobHeaderFromJson(const json& j) {
  ModelReader r(j, "job");
  TestJobHeader h;
  r.String("job_id", &h.job_id);
  r.String("workspace_id", &h.workspace_id);
  r.String("connection_id", &h.connection_id);
  r.String("runner_id", &h.runner_id);
  r.Int("issued_at", &h.issued_at);
  r.Int("expires_at", &h.expires_at);
  if (!r.ok()) return r.status();
  return h;
}

json SignedTestResultToJson(const SignedTestResult& r) {
  return {{"payload", r.payload}, {"signature", Base64UrlEncode(r.signature)}};
}

Result<SignedTestResult> SignedTestResultFromJson(const json& j) {
  ModelReader r(j, "result");
  SignedTestResult out;
  r.String("payload", &out.payload);
  r.Base64Url("signature", &out.signature);
  if (!r.ok()) return r.status();
  return out;
}

Result<PinnedKeys> PinnedKeysFromJson(const json& j) {
  if (!j.is_object()) return Status(ErrorCode::kValidation, "pinned: must be an object");
  PinnedKeys pins;
  for (auto it = j.begin(); it != j.end(); ++it) {
    Bytes key;
    if (!it.value().is_string() || !Base64UrlDecode(it.value().get<std::string>(), &key) ||
        key.size() != kSignPublicKeyBytes) {
      return Status(ErrorCode::kValidation, "pinned." + it.key() + ": must be a base64url key");
    }
    pins.emplace(it.key(), std::move(key));
  }
  return pins;
}

}  // namespace credvault
