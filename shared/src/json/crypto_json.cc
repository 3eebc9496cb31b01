#include "credvault/crypto_json.h"

namespace credvault {

using nlohmann::json;

namespace json_field {
namespace {

Status Missing(const char* name, const char* type) {
  return Status(ErrorCode::kValidation, std::string(name) + ": must be " + type);
}

}  // namespace

Status String(const json& j, const char* name, std::string* out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return Missing(name, "a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status OptionalString(const json& j, const char* name, std::string* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    out->clear();
    return Status::Ok();
  }
  return String(j, name, out);
}

Status Uint(const json& j, const char* name, uint64_t* out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer() ||
      (!it->is_number_unsigned() && it->get<int64_t>() < 0)) {
    return Missing(name, "a non-negative integer");
  }
  *out = it->get<uint64_t>();
  return Status::Ok();
}

Status OptionalUint(const json& j, const char* name, uint64_t* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    *out = 0;
    return Status::Ok();
  }
  return Uint(j, name, out);
}

Status Int(const json& j, const char* name, int64_t* out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return Missing(name, "an integer");
  *out = it->get<int64_t>();
  return Status::Ok();
}

Status Bool(const json& j, const char* name, bool* out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_boolean()) return Missing(name, "true or false");
  *out = it->get<bool>();
  return Status::Ok();
}

Status Binary(const json& j, const char* name, Bytes* out) {
  std::string text;
  CV_RETURN_IF_ERROR(String(j, name, &text));
  if (!Base64UrlDecode(text, out)) return Missing(name, "base64url without padding");
  return Status::Ok();
}

Status Object(const json& j, const char* name, const json** out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object()) return Missing(name, "an object");
  *out = &*it;
  return Status::Ok();
}

}  // namespace json_field

namespace {

Status RequireObject(const json& j, const char* what) {
  if (!j.is_object()) return Status(ErrorCode::kValidation, std::string(what) + ": must be an object");
  return Status::Ok();
}

}  // namespace

json KdfToJson(const KdfParams& kdf) {
  return {{"ops_limit", kdf.ops_limit}, {"mem_limit_bytes", kdf.mem_limit_bytes}};
}

Result<KdfParams> KdfFromJson(const json& j) {
  CV_RETURN_IF_ERROR(RequireObject(j, "kdf"));
  KdfParams kdf;
  CV_RETURN_IF_ERROR(json_field::Uint(j, "ops_limit", &kdf.ops_limit));
  CV_RETURN_IF_ERROR(json_field::Uint(j, "mem_limit_bytes", &kdf.mem_limit_bytes));
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
  CV_RETURN_IF_ERROR(RequireObject(j, "account"));
  AccountRecord r;
  const json* kdf = nullptr;
  CV_RETURN_IF_ERROR(json_field::String(j, "account_id", &r.account_id));
  CV_RETURN_IF_ERROR(json_field::String(j, "email", &r.email));
  CV_RETURN_IF_ERROR(json_field::Object(j, "kdf", &kdf));
  CV_ASSIGN_OR_RETURN(r.kdf, KdfFromJson(*kdf));
  CV_RETURN_IF_ERROR(json_field::Binary(j, "salt", &r.salt));
  CV_RETURN_IF_ERROR(json_field::Uint(j, "keys_version", &r.keys_version));
  CV_RETURN_IF_ERROR(json_field::Binary(j, "box_public_key", &r.box_public_key));
  CV_RETURN_IF_ERROR(json_field::Binary(j, "sign_public_key", &r.sign_public_key));
  CV_RETURN_IF_ERROR(json_field::Binary(j, "wrapped_private_keys", &r.wrapped_private_keys));
  CV_RETURN_IF_ERROR(
      json_field::Binary(j, "recovery_wrapped_private_keys", &r.recovery_wrapped_private_keys));
  if (r.salt.size() != kSaltBytes) return Status(ErrorCode::kValidation, "salt: must be 16 bytes");
  if (r.box_public_key.size() != kBoxPublicKeyBytes ||
      r.sign_public_key.size() != kSignPublicKeyBytes) {
    return Status(ErrorCode::kValidation, "public keys: must be 32 bytes each");
  }
  return r;
}

json KeyGrantToJson(const KeyGrant& g) {
  return {{"workspace_id", g.workspace_id},     {"recipient_id", g.recipient_id},
          {"granter_id", g.granter_id},         {"generation", g.generation},
          {"includes_secrets", g.includes_secrets}, {"sealed", Base64UrlEncode(g.sealed)},
          {"signature", Base64UrlEncode(g.signature)}};
}

Result<KeyGrant> KeyGrantFromJson(const json& j) {
  CV_RETURN_IF_ERROR(RequireObject(j, "grant"));
  KeyGrant g;
  uint64_t generation = 0;
  CV_RETURN_IF_ERROR(json_field::String(j, "workspace_id", &g.workspace_id));
  CV_RETURN_IF_ERROR(json_field::String(j, "recipient_id", &g.recipient_id));
  CV_RETURN_IF_ERROR(json_field::String(j, "granter_id", &g.granter_id));
  CV_RETURN_IF_ERROR(json_field::Uint(j, "generation", &generation));
  if (generation > UINT32_MAX) return Status(ErrorCode::kValidation, "generation: out of range");
  g.generation = static_cast<uint32_t>(generation);
  CV_RETURN_IF_ERROR(json_field::Bool(j, "includes_secrets", &g.includes_secrets));
  CV_RETURN_IF_ERROR(json_field::Binary(j, "sealed", &g.sealed));
  CV_RETURN_IF_ERROR(json_field::Binary(j, "signature", &g.signature));
  return g;
}

Result<EnvelopeContext> EnvelopeContextFromJson(const json& j) {
  CV_RETURN_IF_ERROR(RequireObject(j, "context"));
  EnvelopeContext c;
  CV_RETURN_IF_ERROR(json_field::String(j, "purpose", &c.purpose));
  CV_RETURN_IF_ERROR(json_field::OptionalString(j, "workspace_id", &c.workspace_id));
  CV_RETURN_IF_ERROR(json_field::String(j, "object_id", &c.object_id));
  CV_RETURN_IF_ERROR(json_field::OptionalUint(j, "object_version", &c.object_version));
  return c;
}

json EnvelopeHeaderToJson(const EnvelopeHeader& h) {
  return {{"version", h.version},
          {"algorithm", h.algorithm},
          {"key_generation", h.key_generation},
          {"padded_plaintext_bytes", h.padded_plaintext_bytes}};
}

json TestJobHeaderToJson(const TestJobHeader& h) {
  return {{"job_id", h.job_id},       {"workspace_id", h.workspace_id},
          {"connection_id", h.connection_id}, {"runner_id", h.runner_id},
          {"issued_at", h.issued_at}, {"expires_at", h.expires_at}};
}

Result<TestJobHeader> TestJobHeaderFromJson(const json& j) {
  CV_RETURN_IF_ERROR(RequireObject(j, "job"));
  TestJobHeader h;
  CV_RETURN_IF_ERROR(json_field::String(j, "job_id", &h.job_id));
  CV_RETURN_IF_ERROR(json_field::String(j, "workspace_id", &h.workspace_id));
  CV_RETURN_IF_ERROR(json_field::String(j, "connection_id", &h.connection_id));
  CV_RETURN_IF_ERROR(json_field::String(j, "runner_id", &h.runner_id));
  CV_RETURN_IF_ERROR(json_field::Int(j, "issued_at", &h.issued_at));
  CV_RETURN_IF_ERROR(json_field::Int(j, "expires_at", &h.expires_at));
  return h;
}

json SignedTestResultToJson(const SignedTestResult& r) {
  return {{"payload", r.payload}, {"signature", Base64UrlEncode(r.signature)}};
}

Result<SignedTestResult> SignedTestResultFromJson(const json& j) {
  CV_RETURN_IF_ERROR(RequireObject(j, "result"));
  SignedTestResult r;
  CV_RETURN_IF_ERROR(json_field::String(j, "payload", &r.payload));
  CV_RETURN_IF_ERROR(json_field::Binary(j, "signature", &r.signature));
  return r;
}

Result<PinnedKeys> PinnedKeysFromJson(const json& j) {
  CV_RETURN_IF_ERROR(RequireObject(j, "pinned"));
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
