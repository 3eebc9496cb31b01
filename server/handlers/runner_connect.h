// GET /api/v1/runners/connect: where a standalone runner dials in. A WebSocket upgrade to it
// is taken by the transport before routing (runner_socket.h) and never reaches the route
// table; this route answers every other request to the path, so it is documented and
// listed like any route: 400 (invalid_argument) for a plain GET, 503 (unavailable) for an
// upgrade this server does not take (no runner hub). No session: the runner authenticates
// by proving its key, and a workspace admits it by pinning that key. Thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_RUNNER_CONNECT_H_
#define CREDVAULT_SERVER_HANDLERS_RUNNER_CONNECT_H_

#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

Status RegisterRunnerConnectRoute(Router& router);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_RUNNER_CONNECT_H_
