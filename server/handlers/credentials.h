// Credentials under /api/v1/workspaces/{ws}/credentials: list (cursor pages, ?kind=),
// create, read, update with version, delete (refused with 409 and the connections that use
// it), share with another workspace (POST .../grants) and revoke a share
// (DELETE .../grants/{grant_ws}).
//
// The server stores and hands out SealedCredential JSON (model_json.h); it checks the
// structure of what it is sent (credentials_rules.h) and never opens an envelope. A
// credential is visible in every workspace it is granted to; it is edited, deleted and
// shared from its home workspace. Every mutation runs in one store transaction with its
// audit event. Errors as in credentials_rules.h, plus the membership and role refusals of
// auth::RequireWorkspaceAction. Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_HANDLERS_CREDENTIALS_H_
#define CREDVAULT_SERVER_HANDLERS_CREDENTIALS_H_

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

Status RegisterCredentialRoutes(Router& router, const api::ApiContext& context);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_CREDENTIALS_H_
