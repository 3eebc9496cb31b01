// Connections under /api/v1/workspaces/{ws}/connections: list (cursor pages, ?kind=,
// ?state=, ?environment=, with counts per state), create, read, update with version,
// delete (the state machine's move to `deleted`, which is terminal: the record stays,
// readable and counted) and POST .../{id}/transitions ({"version", "to"} for a user's pick,
// {"version", "test"} to record a verified test result), every state change decided by the
// core's ApplyEvent with the caller's role.
//
// The server stores SealedConnection JSON (model_json.h) and never opens its envelope. A
// connection's credential must be visible in its workspace and fit its kind
// (CheckCredentialFits); its environments must exist in the workspace. Every mutation runs
// in one store transaction with its audit event. Errors as in connections_rules.h, plus the
// membership and role refusals of auth::RequireWorkspaceAction. Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_HANDLERS_CONNECTIONS_H_
#define CREDVAULT_SERVER_HANDLERS_CONNECTIONS_H_

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

Status RegisterConnectionRoutes(Router& router, const api::ApiContext& context);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_CONNECTIONS_H_
