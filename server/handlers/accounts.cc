#include "handlers/accounts.h"

#include <utility>

#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "credvault/crypto_json.h"
#include "handlers/accounts_common.h"

namespace credvault::server {
namespace accounts {
namespace {

using nlohmann::json;

// Account bodies carry two envelopes of a few hundred bytes.
constexpr size_t kAccountBodyBytes = 32 << 10;

Result<HttpResponse> Register(const api::PublicCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http, kAccountBodyBytes));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"record", "auth_key", "recovery_auth_key"}));
  CV_ASSIGN_OR_RETURN(AccountRecord record, ReadAccountRecord(body, "record"));
  CV_ASSIGN_OR_RETURN(const SecretBytes auth_key, ReadProof(body, "auth_key"));
  CV_ASSIGN_OR_RETURN(const SecretBytes recovery_key, ReadProof(body, "recovery_auth_key"));
  if (auth_key.Equals(recovery_key)) {
    return Status(ErrorCode::kValidation, "recovery_auth_key: must differ from auth_key");
  }
  AccountRow row;
  row.record = std::move(record);
  CV_ASSIGN_OR_RETURN(row.auth_hash, HashLoginProof(auth_key.view()));
  CV_ASSIGN_OR_RETURN(row.recovery_auth_hash, HashLoginProof(recovery_key.view()));
  row.created_at = call.now;
  row.updated_at = call.now;
  CV_RETURN_IF_ERROR(call.store.Transact([&](Tx& tx) { return tx.InsertAccount(row); }));
  return api::Created({{"account", AccountRecordToJson(row.record)}});
}

Result<AccountRow> LoadAccount(Store& store, std::string_view account_id) {
  return ReadResult<AccountRow>(store, [&](ReadTx& tx) { return tx.GetAccount(account_id); });
}

Result<HttpResponse> GetAccount(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const AccountRow row, LoadAccount(call.store, call.actor.account_id));
  return api::Ok({{"account", AccountRecordToJson(row.record)}, {"email", row.record.email}});
}

Result<HttpResponse> ChangePassword(const AccountsState& state, const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http, kAccountBodyBytes));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"auth_key", "record", "new_auth_key"}));
  CV_ASSIGN_OR_RETURN(const SecretBytes proof, ReadProof(body, "auth_key"));
  CV_ASSIGN_OR_RETURN(const AccountRecord next, ReadAccountRecord(body, "record"));
  CV_ASSIGN_OR_RETURN(const SecretBytes new_proof, ReadProof(body, "new_auth_key"));
  CV_ASSIGN_OR_RETURN(const AccountRow current, LoadAccount(call.store, call.actor.account_id));
  CV_ASSIGN_OR_RETURN(ProofCheck check, CheckProof(state, call.http, current.record.email, proof,
                                                   ProofKind::kAuth, call.now));
  if (check.retry_after > 0) return api::RateLimited(check.retry_after);
  // The session is fine; the proof of the current password is not.
  if (!check.account || check.account->record.account_id != call.actor.account_id) {
    return Status(ErrorCode::kPermissionDenied, "auth_key: the current password is wrong");
  }
  CV_RETURN_IF_ERROR(CheckPasswordRewrap(check.account->record, next));
  AccountRow row = *check.account;
  row.record = next;
  CV_ASSIGN_OR_RETURN(row.auth_hash, HashLoginProof(new_proof.view()));
  row.updated_at = call.now;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.UpdateAccount(row, check.account->version).status());
    return tx.DeleteSessionsOf(row.record.account_id, call.actor.session_digest).status();
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{"account", AccountRecordToJson(row.record)}});
}

Result<HttpResponse> Lookup(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const api::QueryParams params, api::ParseQuery(call.http, {"email"}));
  const auto it = params.find("email");
  if (it == params.end()) return Status(ErrorCode::kValidation, "email: missing");
  CV_ASSIGN_OR_RETURN(const std::string email, api::NormalizeEmail(it->second));
  CV_ASSIGN_OR_RETURN(const AccountRow row, ReadResult<AccountRow>(call.store, [&](ReadTx& tx) {
                        return tx.GetAccountByEmail(email);
                      }));
  return api::Ok(PublicKeysJson(row.record));
}

}  // namespace

Status AddAccountRoutes(Router& router, std::shared_ptr<const AccountsState> state) {
  const api::ApiContext& context = state->api;
  CV_RETURN_IF_ERROR(router.Add("POST", "/api/v1/accounts", api::Public(context, Register)));
  CV_RETURN_IF_ERROR(router.Add("GET", "/api/v1/account", api::WithSession(context, GetAccount)));
  CV_RETURN_IF_ERROR(router.Add("PUT", "/api/v1/account/password",
                                api::WithSession(context, [state](const api::SessionCall& call) {
                                  return ChangePassword(*state, call);
                                })));
  CV_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/accounts/lookup", api::WithSession(context, Lookup)));
  return Status::Ok();
}

}  // namespace accounts

Status RegisterAccountRoutes(Router& router, const api::ApiContext& context,
                             const auth::LoginPolicy& policy) {
  CV_ASSIGN_OR_RETURN(std::shared_ptr<const accounts::AccountsState> state,
                      accounts::NewAccountsState(context, policy));
  CV_RETURN_IF_ERROR(accounts::AddAccountRoutes(router, state));
  return accounts::AddLoginRoutes(router, state);
}

}  // namespace credvault::server
