// Active monitoring's settings and what it recorded (issue 8), under
// /api/v1/workspaces/{ws}:
//
//   PUT  /monitor {"default_interval_minutes": N}        workspace default (kEditWorkspace)
//   GET  /monitor  → {"default_interval_minutes", "connections": [{"connection_id",
//                    "interval_minutes"}], "latest": [history entry per connection]}
//   PUT  /connections/{id}/monitor {"interval_minutes": N | null}   (kEditConnection)
//        null follows the workspace default; 0 is off; 1..kMaxMonitorIntervalMinutes.
//   GET  /connections/{id}/history?limit=  → {"items": [history entry, newest first]}
//   GET  /feed?limit=  → {"items": [history entries whose state moved, newest first]}: the
//        workspace feed of state changes (relayed tests and monitoring alike; source says
//        which). Monitoring's own changes are also audit events "connection.monitor".
//
// Reads need kReadConnections. Schedules are plaintext (the server must know when a test is
// due); the history holds outcome codes, times and expiry dates, never a message. Settings
// are audited ("monitor.set_default", "connection.set_monitor"). Errors: kValidation (body,
// query), kNotFound. Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_HANDLERS_MONITORING_H_
#define CREDVAULT_SERVER_HANDLERS_MONITORING_H_

#include <nlohmann/json.hpp>
#include <optional>

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"
#include "store/store.h"

namespace credvault::server {

Status RegisterMonitoringRoutes(Router& router, const api::ApiContext& context);

// Exposed for unit tests: the body of PUT .../connections/{id}/monitor (`field` =
// "interval_minutes", null allowed) or PUT .../monitor ("default_interval_minutes", null
// refused). kValidation naming the field.
Result<std::optional<uint32_t>> ReadMonitorInterval(const nlohmann::json& body, const char* field,
                                                    bool null_allowed);
nlohmann::json HistoryEntryToJson(const TestHistoryEntry& entry);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_MONITORING_H_
