// GET /api/v1/runners/connect: where a standalone runner dials in. A WebSocket upgrade to it
// is taken by the transport before routing (runner_socket.h) and never reaches the route
// table; this route answers every other request to the path, so it is documented and
// listed like any route: a plain GET answers 204 with "Upgrade: websocket" and the protocol
// name in X-Credvault-Runner-Protocol (so an operator can check that a proxy passes the path
// through), an upgrade this server does not take (no runner hub) 503 (unavailable). No session: the runner authenticates
// by proving its key, and a workspace admits it by pinning that key. Thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_RUNNER_CONNECT_H_
#define CREDVAULT_SERVER_HANDLERS_RUNNER_CONNECT_H_

#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

Status RegisterRunnerConnectRoute(Router& router);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_RUNNER_CONNECT_H_
