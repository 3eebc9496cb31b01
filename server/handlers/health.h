// Health: GET /healthz, the liveness probe. 200 {"status":"ok"} while the process serves
// requests at all; it checks nothing else (readiness, which will check the store, is
// /readyz). Stateless, thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_HEALTH_H_
#define CREDVAULT_SERVER_HANDLERS_HEALTH_H_

#include "credvault/status.h"
#include "http_message.h"

namespace credvault::server {

Result<HttpResponse> HandleHealthz(const HttpRequest& request);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_HEALTH_H_
