// POST /api/v1/workspaces/{ws}/connections/{id}/tests: the relay of DESIGN §5.
//
// Body {"runner_id": "<admitted runner>", "job": "<base64url sealed job>"}. The server
// cannot open the job: it checks the caller may run tests (Action::kRunTest), that the
// connection exists and the runner is admitted to the workspace and connected, hands the
// bytes to the runner's link and waits for the signed result (asynchronously: no io thread
// waits). It then verifies the signature against the runner key the workspace pinned and the
// result's binding to this connection, records the result as the connection's last test
// (time, outcome, latency, HTTP status, runner) and applies the state the core's ApplyEvent
// derives from the outcome, with an audit event "connection.test" and a history entry, in one
// transaction (monitor/record_result.h: the same recording as a monitoring run).
//
// Answer 200: {"result": {"payload", "signature"}, "connection": <SealedConnection JSON>}.
// The client verifies the signature itself against the key it pinned (the server is not
// trusted to). Errors: 400 validation (body, unknown runner), 404 (connection), 503
// unavailable (runner not connected, busy or silent), the runner's refusals (410 expired,
// 409 replayed, 400 decrypt_failed / wrong_recipient / malformed), 400 bad_signature or
// wrong_recipient when the result does not verify (nothing recorded), 409
// invalid_transition for a deleted connection. Thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_CONNECTION_TESTS_H_
#define CREDVAULT_SERVER_HANDLERS_CONNECTION_TESTS_H_

#include <nlohmann/json.hpp>

#include "api/endpoint.h"
#include "credvault/connection.h"
#include "credvault/status.h"
#include "credvault/test_job.h"
#include "monitor/record_result.h"
#include "ops/metrics.h"
#include "relay/runner_hub.h"
#include "router.h"

namespace credvault::server {

inline constexpr size_t kMaxSealedJobBytes = 256 << 10;

// `metrics` (may be null) counts each recorded result (source "relay").
Status RegisterConnectionTestRoutes(Router& router, const api::ApiContext& context,
                                    relay::RunnerHub* hub, ops::Metrics* metrics);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_CONNECTION_TESTS_H_
