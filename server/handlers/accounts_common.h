// What the account handlers (accounts.cc, accounts_login.cc) share: reading account records
// and login proofs from request bodies, the one rule for re-wrapping an account's keys, and
// the JSON shapes of the answers. Internal to handlers/accounts*; pure; thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_ACCOUNTS_COMMON_H_
#define CREDVAULT_SERVER_HANDLERS_ACCOUNTS_COMMON_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/endpoint.h"
#include "auth/login_policy.h"
#include "credvault/account.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "http_message.h"
#include "router.h"
#include "store/store.h"

namespace credvault::server::accounts {

// The object field `name` as an AccountRecord: kValidation for unknown fields, a bad id,
// email or key size, kKdfTooWeak/kValidation for KDF parameters outside the core's limits,
// kMalformed (or the envelope's own code) for a wrapped key that is not an envelope.
Result<AccountRecord> ReadAccountRecord(const nlohmann::json& body, const char* name);

// A login proof (auth key or recovery auth key): base64url of exactly 32 bytes.
Result<SecretBytes> ReadProof(const nlohmann::json& body, const char* name);

// A password change or a recovery may replace only the password wrap: kdf, salt,
// wrapped_private_keys, and keys_version, which must grow. kValidation naming the field
// that may not change otherwise.
Status CheckPasswordRewrap(const AccountRecord& stored, const AccountRecord& next);

// The peer's address as the transport saw it, for per-address limits.
std::string_view ClientAddress(const HttpRequest& request);

// {"account_id", "box_public_key", "sign_public_key"}: what anyone signed in may see.
nlohmann::json PublicKeysJson(const AccountRecord& record);

// Shared by every account route; immutable once built.
struct AccountsState {
  api::ApiContext api;
  auth::LoginPolicy policy;
  Bytes prelogin_secret;   // keys the fake KDF parameters of unknown emails
  std::string decoy_hash;  // a proof hash nothing matches: an unknown email costs a check too
};
// Loads (or creates, once) the prelogin secret in the store.
Result<std::shared_ptr<const AccountsState>> NewAccountsState(api::ApiContext api,
                                                              auth::LoginPolicy policy);

enum class ProofKind { kAuth, kRecovery };
struct ProofCheck {
  std::optional<AccountRow> account;  // set when the proof matched
  int64_t retry_after = 0;            // > 0: refused by a rate limit, nothing was checked
};
// Checks a proof for `email` under the per-account and per-address limits, counting a
// failure when it does not match (an unknown email is a failure too, after the same work).
Result<ProofCheck> CheckProof(const AccountsState& state, const HttpRequest& request,
                              std::string_view email, const SecretBytes& proof, ProofKind kind,
                              int64_t now);

// Route groups (accounts.cc, accounts_login.cc).
Status AddAccountRoutes(Router& router, std::shared_ptr<const AccountsState> state);
Status AddLoginRoutes(Router& router, std::shared_ptr<const AccountsState> state);

}  // namespace credvault::server::accounts

#endif  // CREDVAULT_SERVER_HANDLERS_ACCOUNTS_COMMON_H_
