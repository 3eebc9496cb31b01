// Routes that prove who someone is: prelogin, login, logout, and recovery with the
// recovery code's proof. See accounts.h.
#include <utility>

#include "api/json_body.h"
#include "api/responses.h"
#include "auth/session_token.h"
#include "credvault/crypto_json.h"
#include "credvault/digest.h"
#include "handlers/accounts_common.h"

namespace credvault::server::accounts {
namespace {

using nlohmann::json;

constexpr std::string_view kPreloginSaltLabel = "credvault/prelogin-salt/v1";
constexpr std::string_view kWrongProof = "the email or the password is wrong";
constexpr std::string_view kWrongRecoveryProof = "the email or the recovery code is wrong";

// Unknown emails get the parameters a new account would have and a salt that is a keyed
// digest of the email: stable across calls and restarts, unguessable without the secret.
Result<json> FakePrelogin(const AccountsState& state, std::string_view email) {
  CV_ASSIGN_OR_RETURN(
      Bytes salt, FieldsDigest(state.prelogin_secret, {AsBytes(kPreloginSaltLabel), AsBytes(email)},
                               kSaltBytes));
  return json{{"kdf", KdfToJson(kDefaultKdf)}, {"salt", Base64UrlEncode(salt)}};
}

Result<HttpResponse> Prelogin(const AccountsState& state, const api::PublicCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"email"}));
  std::string email;
  CV_RETURN_IF_ERROR(api::ReadString(body, "email", &email));
  CV_ASSIGN_OR_RETURN(email, api::NormalizeEmail(email));
  std::optional<AccountRow> row;
  CV_RETURN_IF_ERROR(call.store.Read([&](ReadTx& tx) -> Status {
    Result<AccountRow> found = tx.GetAccountByEmail(email);
    if (found.ok()) row = std::move(found).value();
    return found.ok() || found.code() == ErrorCode::kNotFound ? Status::Ok() : found.status();
  }));
  // Compute the fake either way, so both answers cost the same.
  CV_ASSIGN_OR_RETURN(json fake, FakePrelogin(state, email));
  if (!row) return api::Ok(fake);
  return api::Ok(
      {{"kdf", KdfToJson(row->record.kdf)}, {"salt", Base64UrlEncode(row->record.salt)}});
}

Result<HttpResponse> Login(const AccountsState& state, const api::PublicCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"email", "auth_key"}));
  std::string email;
  CV_RETURN_IF_ERROR(api::ReadString(body, "email", &email));
  CV_ASSIGN_OR_RETURN(const SecretBytes proof, ReadProof(body, "auth_key"));
  CV_ASSIGN_OR_RETURN(ProofCheck check,
                      CheckProof(state, call.http, email, proof, ProofKind::kAuth, call.now));
  if (check.retry_after > 0) return api::RateLimited(check.retry_after);
  if (!check.account) return api::Unauthenticated(kWrongProof);

  const auth::NewSession session = auth::MakeSessionToken();
  SessionRow row;
  row.token_digest = session.token_digest;
  row.account_id = check.account->record.account_id;
  row.csrf_digest = session.csrf_digest;
  row.created_at = call.now;
  row.expires_at = call.now + state.policy.session_ttl_seconds;
  CV_RETURN_IF_ERROR(call.store.Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.DeleteExpiredSessions(call.now).status());
    return tx.InsertSession(row);
  }));
  HttpResponse response = api::Ok({{"token", session.token},
                                   {"csrf_token", session.csrf_token},
                                   {"expires_at", row.expires_at},
                                   {"account", AccountRecordToJson(check.account->record)}});
  response.SetHeader("Set-Cookie",
                     auth::SessionCookie(session.token, state.policy.session_ttl_seconds));
  return response;
}

Result<HttpResponse> Logout(const api::SessionCall& call) {
  if (!call.http.body.empty()) {  // an empty object is all a client may send
    CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
    CV_RETURN_IF_ERROR(api::CheckFields(body, {}));
  }
  const Status deleted = call.store.Transact(
      [&](Tx& tx) -> Status { return tx.DeleteSession(call.actor.session_digest); });
  // Two logouts racing: the session is gone either way.
  if (!deleted.ok() && deleted.code() != ErrorCode::kNotFound) return deleted;
  HttpResponse response = api::NoContent();
  response.SetHeader("Set-Cookie", auth::ClearedSessionCookie());
  return response;
}

Result<HttpResponse> Recover(const AccountsState& state, const api::PublicCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"email", "recovery_auth_key"}));
  std::string email;
  CV_RETURN_IF_ERROR(api::ReadString(body, "email", &email));
  CV_ASSIGN_OR_RETURN(const SecretBytes proof, ReadProof(body, "recovery_auth_key"));
  CV_ASSIGN_OR_RETURN(ProofCheck check,
                      CheckProof(state, call.http, email, proof, ProofKind::kRecovery, call.now));
  if (check.retry_after > 0) return api::RateLimited(check.retry_after);
  if (!check.account) return api::Unauthenticated(kWrongRecoveryProof);
  return api::Ok({{"account", AccountRecordToJson(check.account->record)}});
}

// The client recovered its keys with the recovery code and re-wrapped them under a new
// password: store the new wrap and proof, and end every session (someone who knew the old
// password may hold one).
Result<HttpResponse> CompleteRecovery(const AccountsState& state, const api::PublicCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  CV_RETURN_IF_ERROR(api::CheckFields(body, {"email", "recovery_auth_key", "record", "auth_key"}));
  std::string email;
  CV_RETURN_IF_ERROR(api::ReadString(body, "email", &email));
  CV_ASSIGN_OR_RETURN(const SecretBytes proof, ReadProof(body, "recovery_auth_key"));
  CV_ASSIGN_OR_RETURN(const AccountRecord next, ReadAccountRecord(body, "record"));
  CV_ASSIGN_OR_RETURN(const SecretBytes new_proof, ReadProof(body, "auth_key"));
  CV_ASSIGN_OR_RETURN(ProofCheck check,
                      CheckProof(state, call.http, email, proof, ProofKind::kRecovery, call.now));
  if (check.retry_after > 0) return api::RateLimited(check.retry_after);
  if (!check.account) return api::Unauthenticated(kWrongRecoveryProof);
  CV_RETURN_IF_ERROR(CheckPasswordRewrap(check.account->record, next));
  CV_ASSIGN_OR_RETURN(std::string new_hash, HashLoginProof(new_proof.view()));

  AccountRow row = *check.account;
  row.record = next;
  row.auth_hash = std::move(new_hash);
  row.updated_at = call.now;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.UpdateAccount(row, check.account->version).status());
    return tx.DeleteSessionsOf(row.record.account_id, {}).status();
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{"account", AccountRecordToJson(row.record)}});
}

}  // namespace

Status AddLoginRoutes(Router& router, std::shared_ptr<const AccountsState> state) {
  const api::ApiContext& context = state->api;
  CV_RETURN_IF_ERROR(router.Add("POST", "/api/v1/auth/prelogin",
                                api::Public(context, [state](const api::PublicCall& call) {
                                  return Prelogin(*state, call);
                                })));
  CV_RETURN_IF_ERROR(router.Add(
      "POST", "/api/v1/auth/login",
      api::Public(context, [state](const api::PublicCall& call) { return Login(*state, call); })));
  CV_RETURN_IF_ERROR(router.Add("POST", "/api/v1/auth/logout", api::WithSession(context, Logout)));
  CV_RETURN_IF_ERROR(router.Add("POST", "/api/v1/auth/recover",
                                api::Public(context, [state](const api::PublicCall& call) {
                                  return Recover(*state, call);
                                })));
  CV_RETURN_IF_ERROR(router.Add("POST", "/api/v1/auth/recover/complete",
                                api::Public(context, [state](const api::PublicCall& call) {
                                  return CompleteRecovery(*state, call);
                                })));
  return Status::Ok();
}

}  // namespace credvault::server::accounts
