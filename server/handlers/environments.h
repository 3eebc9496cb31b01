// Environments under /api/v1/workspaces/{ws}/environments: named groups of connections
// ("production", "staging"); a connection lists the ids of any number of them. GET (a page)
// and POST {id, name}; /environments/{id}: GET, PATCH {name, version}, DELETE (the
// environment leaves every connection that listed it; the connections' sealed details do
// not change). Names are plaintext the server may know, unique within the workspace.
//
// Reading needs kReadConnections, changing kManageEnvironments. Each mutation is one store
// transaction with its audit event. Errors: kValidation (body), kConflict (name taken, or
// a stale version, answered with the current one), kNotFound. Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_HANDLERS_ENVIRONMENTS_H_
#define CREDVAULT_SERVER_HANDLERS_ENVIRONMENTS_H_

#include <nlohmann/json.hpp>

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"
#include "store/store.h"

namespace credvault::server {

Status RegisterEnvironmentRoutes(Router& router, const api::ApiContext& context);

// The JSON of an environment (exposed for unit tests).
nlohmann::json EnvironmentToJson(const EnvironmentRow& row);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_ENVIRONMENTS_H_
