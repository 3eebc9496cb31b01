// Runners under /api/v1/workspaces/{ws}/runners: the connectivity probers a workspace
// admits, known by their public keys (DESIGN §3, §5: clients seal test jobs to the X25519
// key and verify results with the Ed25519 key). GET (a page) and POST {id, name,
// box_public_key, sign_public_key} (base64url, 32 bytes each); /runners/{id}: GET, DELETE.
// A runner's keys never change: a runner with new keys is a new runner. Each runner in a
// list or GET says whether it is `connected` right now — to this server (the hub) or, on
// PostgreSQL, to another server sharing the database (relay/pg_relay.h presence) — and whether
// it is `granted` the workspace keys for active monitoring (runner_grants.h: removing such a
// runner takes the key rotation body).
//
// GET /api/v1/runners/builtin (any signed-in account): the built-in runner's id and public
// keys with the fingerprint of its signing key, for an admin to compare and admit; 404 when
// the server runs without one.
//
// Reading needs kReadConnections (every member seals or verifies against these keys),
// registering and removing kManageRunners. Each mutation is one store transaction with its
// audit event. Errors: kValidation (body), kConflict (the id is registered), kNotFound.
// Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_HANDLERS_RUNNERS_H_
#define CREDVAULT_SERVER_HANDLERS_RUNNERS_H_

#include <nlohmann/json.hpp>

#include "api/endpoint.h"
#include "credvault/identity.h"
#include "credvault/status.h"
#include "relay/runner_hub.h"
#include "router.h"
#include "store/store.h"

namespace credvault::server {

Status RegisterRunnerRoutes(Router& router, const api::ApiContext& context,
                            const relay::RunnerHub* hub, const Identity* builtin_runner);

// The JSON of a runner, and the parse of a registration body (exposed for unit tests).
nlohmann::json RunnerToJson(const RunnerRow& row);
Result<RunnerRow> ParseRunnerBody(const nlohmann::json& body);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_RUNNERS_H_
