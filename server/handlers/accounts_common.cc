#include "handlers/accounts_common.h"

#include <algorithm>

#include "api/json_body.h"
#include "credvault/crypto.h"
#include "credvault/crypto_json.h"
#include "credvault/digest.h"

namespace credvault::server::accounts {
namespace {

using nlohmann::json;

constexpr size_t kProofBytes = 32;
constexpr size_t kServerSecretBytes = 32;
constexpr std::string_view kPreloginSecretName = "prelogin";

Result<Bytes> LoadOrCreateSecret(Store& store, std::string_view name) {
  Bytes secret;
  const Status status = store.Transact([&](Tx& tx) -> Status {
    Result<Bytes> existing = tx.GetServerSecret(name);
    if (existing.ok()) {
      secret = std::move(existing).value();
      return Status::Ok();
    }
    if (existing.code() != ErrorCode::kNotFound) return existing.status();
    secret = RandomBytes(kServerSecretBytes);
    return tx.InsertServerSecret(name, secret);
  });
  if (!status.ok()) return status;
  return secret;
}

// One counter read per limit; the larger wait wins.
Result<int64_t> LimitedFor(const AccountsState& state, const std::string& account_key,
                           const std::string& address_key, int64_t now) {
  const auth::LoginPolicy& policy = state.policy;
  return ReadResult<int64_t>(*state.api.store, [&](ReadTx& tx) -> Result<int64_t> {
    CV_ASSIGN_OR_RETURN(uint64_t account_failures,
                        tx.GetCounter(account_key, auth::WindowStart(policy.per_account, now)));
    CV_ASSIGN_OR_RETURN(uint64_t address_failures,
                        tx.GetCounter(address_key, auth::WindowStart(policy.per_address, now)));
    return std::max(auth::RetryAfterSeconds(policy.per_account, account_failures, now),
                    auth::RetryAfterSeconds(policy.per_address, address_failures, now));
  });
}

Status CountFailure(const AccountsState& state, const std::string& account_key,
                    const std::string& address_key, int64_t now) {
  const auth::LoginPolicy& policy = state.policy;
  return state.api.store->Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(
        tx.IncrementCounter(account_key, auth::WindowStart(policy.per_account, now)));
    CV_RETURN_IF_ERROR(
        tx.IncrementCounter(address_key, auth::WindowStart(policy.per_address, now)));
    // Old windows are dead weight; dropping them here keeps the table small.
    const int64_t oldest = std::min(auth::WindowStart(policy.per_account, now),
                                    auth::WindowStart(policy.per_address, now));
    return tx.DeleteCountersBefore(oldest).status();
  });
}

Status CheckEnvelope(const Bytes& envelope, const char* name) {
  const Result<EnvelopeHeader> header = InspectEnvelope(envelope);
  if (header.ok()) return Status::Ok();
  return Status(header.code(), std::string(name) + ": " + header.status().message());
}

Status Unchanged(bool same, const char* name) {
  if (same) return Status::Ok();
  return Status(ErrorCode::kValidation, std::string("record.") + name + ": may not change here");
}

}  // namespace

Result<AccountRecord> ReadAccountRecord(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_object()) {
    return Status(ErrorCode::kValidation, std::string(name) + ": must be an account record");
  }
  CV_ASSIGN_OR_RETURN(AccountRecord record, AccountRecordFromJson(*it));
  // The core's mapping names every field once; anything else the client sent is unknown.
  const json canonical = AccountRecordToJson(record);
  for (const auto& item : it->items()) {
    if (!canonical.contains(item.key())) {
      return Status(ErrorCode::kValidation, std::string(name) + "." + item.key() + ": unknown");
    }
  }
  if (!IsObjectId(record.account_id)) {
    return Status(ErrorCode::kValidation, std::string(name) + ".account_id: not an object id");
  }
  CV_RETURN_IF_ERROR(api::NormalizeEmail(record.email).status());
  CV_RETURN_IF_ERROR(CheckKdfParams(record.kdf));
  CV_RETURN_IF_ERROR(CheckEnvelope(record.wrapped_private_keys, "wrapped_private_keys"));
  CV_RETURN_IF_ERROR(
      CheckEnvelope(record.recovery_wrapped_private_keys, "recovery_wrapped_private_keys"));
  return record;
}

Result<SecretBytes> ReadProof(const json& body, const char* name) {
  std::string text;
  CV_RETURN_IF_ERROR(api::ReadString(body, name, &text, 64));
  Bytes decoded;
  if (!Base64UrlDecode(text, &decoded) || decoded.size() != kProofBytes) {
    Wipe(decoded);
    Wipe(text);
    return Status(ErrorCode::kValidation, std::string(name) + ": must be 32 bytes, base64url");
  }
  SecretBytes proof = SecretBytes::CopyFrom(decoded);
  Wipe(decoded);
  Wipe(text);
  return proof;
}

Status CheckPasswordRewrap(const AccountRecord& stored, const AccountRecord& next) {
  CV_RETURN_IF_ERROR(Unchanged(stored.account_id == next.account_id, "account_id"));
  CV_RETURN_IF_ERROR(Unchanged(stored.email == next.email, "email"));
  CV_RETURN_IF_ERROR(Unchanged(stored.box_public_key == next.box_public_key, "box_public_key"));
  CV_RETURN_IF_ERROR(Unchanged(stored.sign_public_key == next.sign_public_key, "sign_public_key"));
  CV_RETURN_IF_ERROR(
      Unchanged(stored.recovery_wrapped_private_keys == next.recovery_wrapped_private_keys,
                "recovery_wrapped_private_keys"));
  if (next.keys_version <= stored.keys_version) {
    return Status(ErrorCode::kValidation, "record.keys_version: must be greater than the stored " +
                                              std::to_string(stored.keys_version));
  }
  return Status::Ok();
}

Result<std::shared_ptr<const AccountsState>> NewAccountsState(api::ApiContext api,
                                                              auth::LoginPolicy policy) {
  auto state = std::make_shared<AccountsState>();
  state->api = std::move(api);
  state->policy = policy;
  CV_ASSIGN_OR_RETURN(state->prelogin_secret,
                      LoadOrCreateSecret(*state->api.store, kPreloginSecretName));
  const Bytes decoy = RandomBytes(kProofBytes);
  CV_ASSIGN_OR_RETURN(state->decoy_hash, HashLoginProof(decoy));
  return std::shared_ptr<const AccountsState>(std::move(state));
}

Result<ProofCheck> CheckProof(const AccountsState& state, const HttpRequest& request,
                              std::string_view email, const SecretBytes& proof, ProofKind kind,
                              int64_t now) {
  CV_ASSIGN_OR_RETURN(const std::string normalized, api::NormalizeEmail(email));
  const std::string account_key = auth::AccountLimitKey(normalized);
  const std::string address_key = auth::AddressLimitKey(ClientAddress(request));
  ProofCheck check;
  CV_ASSIGN_OR_RETURN(check.retry_after, LimitedFor(state, account_key, address_key, now));
  if (check.retry_after > 0) return check;

  std::optional<AccountRow> row;
  CV_RETURN_IF_ERROR(state.api.store->Read([&](ReadTx& tx) -> Status {
    Result<AccountRow> found = tx.GetAccountByEmail(normalized);
    if (found.ok()) row = std::move(found).value();
    return found.ok() || found.code() == ErrorCode::kNotFound ? Status::Ok() : found.status();
  }));
  const std::string& hash = !row                           ? state.decoy_hash
                            : kind == ProofKind::kRecovery ? row->recovery_auth_hash
                                                           : row->auth_hash;
  if (VerifyLoginProof(hash, proof.view()) && row) {
    check.account = std::move(row);
    return check;
  }
  CV_RETURN_IF_ERROR(CountFailure(state, account_key, address_key, now));
  return check;
}

std::string_view ClientAddress(const HttpRequest& request) { return request.remote_address; }

json PublicKeysJson(const AccountRecord& record) {
  return {{"account_id", record.account_id},
          {"box_public_key", Base64UrlEncode(record.box_public_key)},
          {"sign_public_key", Base64UrlEncode(record.sign_public_key)}};
}

}  // namespace credvault::server::accounts
