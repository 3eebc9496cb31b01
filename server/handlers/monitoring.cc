#include "handlers/monitoring.h"

#include <string>
#include <utility>
#include <vector>

#include "api/audit_log.h"
#include "api/json_body.h"
#include "api/query.h"
#include "api/responses.h"
#include "auth/request_auth.h"
#include "credvault/ui_expiry.h"  // the history entry's expiry field names

namespace credvault::server {
namespace {

using nlohmann::json;

constexpr std::string_view kWorkspaceParam = "ws";
constexpr std::string_view kIdParam = "id";
constexpr const char* kIntervalField = "interval_minutes";
constexpr const char* kDefaultField = "default_interval_minutes";

json TimeOrNull(int64_t seconds) { return seconds > 0 ? json(seconds) : json(nullptr); }

Result<size_t> ReadLimit(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const api::QueryParams params, api::ParseQuery(call.http, {"limit"}));
  CV_ASSIGN_OR_RETURN(const PageRequest page, api::ReadPage(params));
  return page.limit;
}

Result<HttpResponse> SetDefault(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  const Result<std::optional<uint32_t>> minutes = ReadMonitorInterval(body, kDefaultField, false);
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireWorkspaceAction(tx, call.actor, call.Param(kWorkspaceParam),
                                                     Action::kEditWorkspace));
    CV_RETURN_IF_ERROR(minutes.status());
    CV_RETURN_IF_ERROR(tx.SetMonitorDefault(actor.workspace.id, **minutes));
    return api::RecordAudit(tx, actor.workspace.id, call.actor.account_id, "monitor.set_default",
                            "workspace", actor.workspace.id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{kDefaultField, **minutes}});
}

Result<HttpResponse> GetSettings(const api::SessionCall& call) {
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireWorkspaceAction(tx, call.actor, call.Param(kWorkspaceParam),
                                                     Action::kReadConnections));
    CV_ASSIGN_OR_RETURN(const MonitorSettings settings, tx.GetMonitorSettings(actor.workspace.id));
    HistoryFilter latest;
    latest.latest_per_connection = true;
    latest.limit = kMaxPageLimit;
    CV_ASSIGN_OR_RETURN(const std::vector<TestHistoryEntry> entries,
                        tx.ListTestHistory(actor.workspace.id, latest));
    json connections = json::array();
    for (const auto& [id, minutes] : settings.connection_intervals) {
      connections.push_back({{"connection_id", id}, {kIntervalField, minutes}});
    }
    json items = json::array();
    for (const TestHistoryEntry& entry : entries) items.push_back(HistoryEntryToJson(entry));
    return api::Ok({{kDefaultField, settings.default_interval_minutes},
                    {"connections", std::move(connections)},
                    {"latest", std::move(items)}});
  });
}

Result<HttpResponse> SetConnection(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const json body, api::ParseJsonBody(call.http));
  const Result<std::optional<uint32_t>> minutes = ReadMonitorInterval(body, kIntervalField, true);
  const std::string connection_id(call.Param(kIdParam));
  uint32_t effective = 0;
  const Status written = call.store.Transact([&](Tx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireWorkspaceAction(tx, call.actor, call.Param(kWorkspaceParam),
                                                     Action::kEditConnection));
    CV_RETURN_IF_ERROR(api::CheckPathId(connection_id, "connection"));
    CV_RETURN_IF_ERROR(tx.GetConnection(actor.workspace.id, connection_id).status());
    CV_RETURN_IF_ERROR(minutes.status());
    CV_RETURN_IF_ERROR(tx.SetConnectionMonitor(actor.workspace.id, connection_id, *minutes));
    CV_ASSIGN_OR_RETURN(const MonitorSettings settings, tx.GetMonitorSettings(actor.workspace.id));
    effective = minutes->value_or(settings.default_interval_minutes);
    return api::RecordAudit(tx, actor.workspace.id, call.actor.account_id, "connection.set_monitor",
                            "connection", connection_id, call.now);
  });
  if (!written.ok()) return api::FailureOf(written);
  return api::Ok({{"connection_id", connection_id},
                  {kIntervalField, *minutes ? json(**minutes) : json(nullptr)},
                  {"effective_interval_minutes", effective}});
}

Result<HttpResponse> ListHistory(const api::SessionCall& call, bool feed) {
  CV_ASSIGN_OR_RETURN(const size_t limit, ReadLimit(call));
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(const Membership actor,
                        auth::RequireWorkspaceAction(tx, call.actor, call.Param(kWorkspaceParam),
                                                     Action::kReadConnections));
    HistoryFilter filter;
    filter.limit = limit;
    if (feed) {
      filter.state_changes_only = true;
    } else {
      CV_RETURN_IF_ERROR(api::CheckPathId(call.Param(kIdParam), "connection"));
      CV_RETURN_IF_ERROR(tx.GetConnection(actor.workspace.id, call.Param(kIdParam)).status());
      filter.connection_id = std::string(call.Param(kIdParam));
    }
    CV_ASSIGN_OR_RETURN(const std::vector<TestHistoryEntry> entries,
                        tx.ListTestHistory(actor.workspace.id, filter));
    json items = json::array();
    for (const TestHistoryEntry& entry : entries) items.push_back(HistoryEntryToJson(entry));
    return api::Ok({{"items", std::move(items)}});
  });
}

}  // namespace

Result<std::optional<uint32_t>> ReadMonitorInterval(const json& body, const char* field,
                                                    bool null_allowed) {
  CV_RETURN_IF_ERROR(api::CheckFields(body, {field}));
  if (body[field].is_null()) {
    if (null_allowed) return std::optional<uint32_t>();
    return Status(ErrorCode::kValidation, std::string(field) + ": must be a number of minutes");
  }
  uint64_t minutes = 0;
  CV_RETURN_IF_ERROR(api::ReadUint(body, field, &minutes));
  if (minutes > kMaxMonitorIntervalMinutes) {
    return Status(ErrorCode::kValidation, std::string(field) + ": at most " +
                                              std::to_string(kMaxMonitorIntervalMinutes) +
                                              " (a week); 0 turns monitoring off");
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(minutes));
}

json HistoryEntryToJson(const TestHistoryEntry& entry) {
  return {{"connection_id", entry.connection_id},
          {"at", entry.at},
          {"tested_at", entry.tested_at},
          {"outcome", TestOutcomeName(entry.outcome)},
          {"latency_ms", entry.latency_ms},
          {"http_status", entry.http_status == 0 ? json(nullptr) : json(entry.http_status)},
          {"runner_id", entry.runner_id},
          {"source", entry.source},
          {"state_before", ConnectionStateName(entry.state_before)},
          {"state_after", ConnectionStateName(entry.state_after)},
          {kClientCertNotAfterKey, TimeOrNull(entry.client_cert_not_after)},
          {kServerCertNotAfterKey, TimeOrNull(entry.server_cert_not_after)},
          {kTokenExpiresAtKey, TimeOrNull(entry.token_expires_at)}};
}

Status RegisterMonitoringRoutes(Router& router, const api::ApiContext& context) {
  constexpr std::string_view kMonitor = "/api/v1/workspaces/{ws}/monitor";
  CV_RETURN_IF_ERROR(router.Add("GET", kMonitor, api::WithSession(context, GetSettings)));
  CV_RETURN_IF_ERROR(router.Add("PUT", kMonitor, api::WithSession(context, SetDefault)));
  CV_RETURN_IF_ERROR(router.Add("PUT", "/api/v1/workspaces/{ws}/connections/{id}/monitor",
                                api::WithSession(context, SetConnection)));
  CV_RETURN_IF_ERROR(router.Add("GET", "/api/v1/workspaces/{ws}/connections/{id}/history",
                                api::WithSession(context, [](const api::SessionCall& call) {
                                  return ListHistory(call, false);
                                })));
  return router.Add("GET", "/api/v1/workspaces/{ws}/feed",
                    api::WithSession(context, [](const api::SessionCall& call) {
                      return ListHistory(call, true);
                    }));
}

}  // namespace credvault::server
