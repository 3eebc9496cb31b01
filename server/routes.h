// RegisterRoutes: the server's whole route table, in one place.
//
// Each resource adds its handlers here (one handler file per resource under handlers/).
// Static mounts are registered last and are the least specific patterns, so an API route
// always wins over a file. Errors: kInvalidArgument/kConflict from Router::Add, or a bad
// static root.
#ifndef CREDVAULT_SERVER_ROUTES_H_
#define CREDVAULT_SERVER_ROUTES_H_

#include "api/endpoint.h"
#include "config.h"
#include "credvault/identity.h"
#include "credvault/status.h"
#include "ops/metrics.h"
#include "relay/runner_hub.h"
#include "router.h"

namespace credvault::server {

// Handlers may keep references to objects they create; `router` owns them through its
// handlers, so they live as long as it does. `api.store` must outlive the router, and so
// must `metrics` (served at /metrics; null: an empty registry of the router's own).
// `runners`: the hub test jobs are relayed through (null: every test answers 503);
// `builtin_runner`: the in-process runner's identity, offered for admins to admit (null: none).
Status RegisterRoutes(const ServerConfig& config, const api::ApiContext& api, Router& router,
                      ops::Metrics* metrics = nullptr, relay::RunnerHub* runners = nullptr,
                      const Identity* builtin_runner = nullptr);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_ROUTES_H_
