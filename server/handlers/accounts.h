// Accounts and sessions under /api/v1 (DESIGN §3: the server never learns a password):
//
//   POST /accounts                  register {record, auth_key, recovery_auth_key} → 201
//   POST /auth/prelogin             {email} → {kdf, salt}; stable fake ones for unknown emails
//   POST /auth/login                {email, auth_key} → {token, csrf_token, expires_at,
//                                   account} + the session cookie; 401 wrong, 429 limited
//   POST /auth/logout               → 204, the session ends
//   GET  /account                   → {account, email}
//   PUT  /account/password          {auth_key, record, new_auth_key} → {account}; the
//                                   account's other sessions end
//   POST /auth/recover              {email, recovery_auth_key} → {account}
//   POST /auth/recover/complete     {email, recovery_auth_key, record, auth_key} → {account}
//   GET  /accounts/lookup?email=    → {account_id, box_public_key, sign_public_key}
//
// The store keeps HashLoginProof of each proof, never a proof. Failed proofs are limited
// per account and per address (auth/login_policy.h). Errors reach the router as Statuses,
// except 401 and 429 (api/responses.h). Handlers are thread-safe; the state they share is
// immutable.
#ifndef CREDVAULT_SERVER_HANDLERS_ACCOUNTS_H_
#define CREDVAULT_SERVER_HANDLERS_ACCOUNTS_H_

#include "api/endpoint.h"
#include "auth/login_policy.h"
#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

// Loads or creates the server's prelogin secret in the store, then adds the routes.
Status RegisterAccountRoutes(Router& router, const api::ApiContext& context,
                             const auth::LoginPolicy& policy = {});

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_ACCOUNTS_H_
