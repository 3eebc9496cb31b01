// Operations endpoints: GET /readyz, GET /metrics and GET /api/openapi.json (GET /healthz is
// handlers/health.h), and the hook that feeds every routed request into the metrics.
//
// /readyz answers 200 {"status":"ready","store":<engine>} when the store answers a trivial
// query (Store::Ping), and 503 {"status":"not_ready","store":..,"error":{code,message}}
// when it does not: a load balancer stops sending traffic, nothing else changes. The
// store's error detail goes to the request log, not to the answer. /metrics is the
// Prometheus text format (ops/metrics.h); /api/openapi.json the document of ops/openapi.h.
// None of them needs a session: they reveal no account data.
//
// OpsContext holds plain pointers owned by main(), which outlive the router. Thread-safe as
// the store and Metrics are.
#ifndef CREDVAULT_SERVER_OPS_OPS_ROUTES_H_
#define CREDVAULT_SERVER_OPS_OPS_ROUTES_H_

#include "credvault/status.h"
#include "http_message.h"
#include "ops/metrics.h"
#include "router.h"
#include "store/store.h"

namespace credvault::server::ops {

struct OpsContext {
  Store* store = nullptr;      // required
  Metrics* metrics = nullptr;  // null: /metrics serves a registry of its own (route tests)
};

// Registers the three endpoints. kInvalidArgument without a store; else Router::Add's errors.
Status RegisterOpsRoutes(Router& router, OpsContext context);

// Makes `router` report every request it answers to `metrics` (by route pattern and status).
void ObserveRequests(Router& router, Metrics& metrics);

// The /readyz answer for `store` (exposed for tests).
HttpResponse Readiness(Store& store);

}  // namespace credvault::server::ops

#endif  // CREDVAULT_SERVER_OPS_OPS_ROUTES_H_
