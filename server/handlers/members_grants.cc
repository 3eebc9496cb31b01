#include "handlers/members_grants.h"

#include "credvault/crypto_json.h"
#include "credvault/identity.h"

namespace credvault::server {
namespace {

// A grant seals two 32-byte keys plus framing; anything near this is not a grant.
constexpr size_t kMaxSealedBytes = 4096;

Status Mismatch(std::string_view name, std::string_view field, std::string_view why) {
  return Status(ErrorCode::kValidation,
                std::string(name) + "." + std::string(field) + ": " + std::string(why));
}

}  // namespace

Result<KeyGrant> ReadGrant(const nlohmann::json& value, std::string_view name,
                           const GrantExpectation& expected, const AccountRecord& granter) {
  if (!value.is_object()) {
    return Status(ErrorCode::kValidation, std::string(name) + ": must be a key grant");
  }
  Result<KeyGrant> parsed = KeyGrantFromJson(value);
  if (!parsed.ok()) {
    return Status(parsed.code(), std::string(name) + ": " + parsed.status().message());
  }
  KeyGrant grant = std::move(parsed).value();
  const nlohmann::json canonical = KeyGrantToJson(grant);
  for (const auto& item : value.items()) {
    if (!canonical.contains(item.key())) return Mismatch(name, item.key(), "unknown field");
  }
  if (grant.workspace_id != expected.workspace_id) {
    return Mismatch(name, "workspace_id", "must be this workspace");
  }
  if (grant.recipient_id != expected.recipient_id) {
    return Mismatch(name, "recipient_id", "must be " + std::string(expected.recipient_id));
  }
  if (grant.granter_id != granter.account_id) {
    return Mismatch(name, "granter_id", "must be the signed-in account");
  }
  if (grant.generation != expected.generation) {
    return Mismatch(name, "generation", "must be " + std::to_string(expected.generation));
  }
  if (grant.includes_secrets != ReceivesSecretsKey(expected.recipient_role)) {
    return Mismatch(name, "includes_secrets",
                    std::string("must be ") +
                        (ReceivesSecretsKey(expected.recipient_role) ? "true" : "false") +
                        " for the role " + std::string(RoleName(expected.recipient_role)));
  }
  if (grant.sealed.empty() || grant.sealed.size() > kMaxSealedBytes) {
    return Mismatch(name, "sealed", "not a sealed grant");
  }
  const Status signature =
      VerifySignature(granter.sign_public_key, grant.SignedBytes(), grant.signature);
  if (!signature.ok()) {
    return Status(signature.code(), std::string(name) + ".signature: " + signature.message());
  }
  return grant;
}

}  // namespace credvault::server
