// GET /api/v1/workspaces/{ws}/audit: the workspace's audit events, newest first, paginated
// (read_audit). Events say who did what to which object, and when; never content. They are
// written by every mutating handler through api/audit_log.h. Thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_AUDIT_H_
#define CREDVAULT_SERVER_HANDLERS_AUDIT_H_

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

Status RegisterAuditRoutes(Router& router, const api::ApiContext& context);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_AUDIT_H_
