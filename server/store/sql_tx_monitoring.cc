// SqlTx: monitoring schedules, the bounded test history and the per-state counts.
#include <string>

#include "store/sql_tx.h"

namespace credvault::server::sql {
namespace {

namespace checks = store_checks;

constexpr const char* kHistoryColumns =
    "SELECT h.seq, h.workspace_id, h.connection_id, h.at, h.outcome, h.tested_at, h.latency_ms,"
    " h.http_status, h.runner_id, h.source, h.state_before, h.state_after,"
    " h.client_cert_not_after, h.server_cert_not_after, h.token_expires_at FROM test_history h ";

Status CheckInterval(uint32_t minutes) {
  if (minutes > kMaxMonitorIntervalMinutes) {
    return Status(ErrorCode::kInvalidArgument, "interval_minutes is over the maximum");
  }
  return Status::Ok();
}

template <typename Statement>
Result<TestHistoryEntry> ReadHistory(const Statement& s) {
  TestHistoryEntry entry;
  entry.workspace_id = s.Text(1);
  entry.connection_id = s.Text(2);
  entry.at = s.Int(3);
  CV_ASSIGN_OR_RETURN(entry.outcome, OutcomeFromColumn(s.Text(4)));
  entry.tested_at = s.Int(5);
  entry.latency_ms = static_cast<uint32_t>(s.Int(6));
  entry.http_status = static_cast<uint16_t>(s.Int(7));
  entry.runner_id = s.Text(8);
  entry.source = s.Text(9);
  CV_ASSIGN_OR_RETURN(entry.state_before, StateFromColumn(s.Text(10)));
  CV_ASSIGN_OR_RETURN(entry.state_after, StateFromColumn(s.Text(11)));
  entry.client_cert_not_after = s.Int(12);
  entry.server_cert_not_after = s.Int(13);
  entry.token_expires_at = s.Int(14);
  return entry;
}

}  // namespace

template <SqlEngine Engine>
Result<MonitorSettings> SqlTx<Engine>::GetMonitorSettings(std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  MonitorSettings settings;
  {
    CV_ASSIGN_OR_RETURN(Statement s,
                        db_.Prepare("SELECT monitor_default_minutes FROM workspaces WHERE id = $1",
                                    "get monitor default"));
    s.BindText(1, workspace_id);
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status(ErrorCode::kNotFound, "workspace not found");
    settings.default_interval_minutes = static_cast<uint32_t>(s.Int(0));
  }
  CV_ASSIGN_OR_RETURN(Statement s,
                      db_.Prepare("SELECT id, monitor_interval_minutes FROM connections"
                                  " WHERE workspace_id = $1 AND monitor_interval_minutes IS NOT"
                                  " NULL ORDER BY seq",
                                  "list connection monitors"));
  s.BindText(1, workspace_id);
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    settings.connection_intervals[s.Text(0)] = static_cast<uint32_t>(s.Int(1));
  }
  return settings;
}

template <SqlEngine Engine>
Result<std::vector<MonitorTarget>> SqlTx<Engine>::ListMonitorTargets() {
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT c.workspace_id, c.id, c.state,"
                  " COALESCE(c.monitor_interval_minutes, w.monitor_default_minutes),"
                  " COALESCE(c.tested_at, 0) FROM connections c"
                  " JOIN workspaces w ON w.id = c.workspace_id"
                  " WHERE COALESCE(c.monitor_interval_minutes, w.monitor_default_minutes) > 0"
                  " ORDER BY c.seq",
                  "list monitor targets"));
  std::vector<MonitorTarget> targets;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    MonitorTarget target;
    target.workspace_id = s.Text(0);
    target.connection_id = s.Text(1);
    CV_ASSIGN_OR_RETURN(target.state, StateFromColumn(s.Text(2)));
    target.interval_minutes = static_cast<uint32_t>(s.Int(3));
    target.last_tested_at = s.Int(4);
    targets.push_back(std::move(target));
  }
  return targets;
}

template <SqlEngine Engine>
Result<std::vector<TestHistoryEntry>> SqlTx<Engine>::ListTestHistory(std::string_view workspace_id,
                                                                     const HistoryFilter& filter) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Page({"", filter.limit}));
  if (filter.connection_id) CV_RETURN_IF_ERROR(checks::Key("connection_id", *filter.connection_id));
  // $2 NULL = any connection; $3 = state changes only; $4 = the newest per connection.
  static const std::string sql =
      std::string(kHistoryColumns) +
      "WHERE h.workspace_id = $1 AND (CAST($2 AS TEXT) IS NULL OR h.connection_id = $2)"
      " AND ($3 = 0 OR h.state_before <> h.state_after)"
      " AND ($4 = 0 OR h.seq = (SELECT MAX(l.seq) FROM test_history l"
      " WHERE l.connection_id = h.connection_id))"
      " ORDER BY h.seq DESC LIMIT $5";
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "list test history"));
  s.BindText(1, workspace_id);
  if (filter.connection_id) {
    s.BindText(2, *filter.connection_id);
  } else {
    s.BindNull(2);
  }
  s.BindInt(3, filter.state_changes_only ? 1 : 0)
      .BindInt(4, filter.latest_per_connection ? 1 : 0)
      .BindInt(5, static_cast<int64_t>(filter.limit));
  std::vector<TestHistoryEntry> entries;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CV_ASSIGN_OR_RETURN(TestHistoryEntry entry, ReadHistory(s));
    entries.push_back(std::move(entry));
  }
  return entries;
}

template <SqlEngine Engine>
Result<std::map<std::string, std::map<ConnectionState, uint64_t>>>
SqlTx<Engine>::CountConnectionsByState() {
  CV_ASSIGN_OR_RETURN(Statement s,
                      db_.Prepare("SELECT workspace_id, state, COUNT(*) FROM connections"
                                  " GROUP BY workspace_id, state",
                                  "count connections by state"));
  std::map<std::string, std::map<ConnectionState, uint64_t>> counts;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CV_ASSIGN_OR_RETURN(ConnectionState state, StateFromColumn(s.Text(1)));
    counts[s.Text(0)][state] = static_cast<uint64_t>(s.Int(2));
  }
  return counts;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::SetMonitorDefault(std::string_view workspace_id, uint32_t interval_minutes) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(CheckInterval(interval_minutes));
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE workspaces SET monitor_default_minutes = $2"
                                               " WHERE id = $1",
                                               "set monitor default"));
  s.BindText(1, workspace_id).BindInt(2, interval_minutes);
  CV_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) return Status(ErrorCode::kNotFound, "workspace not found");
  return Status::Ok();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::SetConnectionMonitor(std::string_view workspace_id,
                                           std::string_view connection_id,
                                           std::optional<uint32_t> interval_minutes) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("connection_id", connection_id));
  if (interval_minutes) CV_RETURN_IF_ERROR(CheckInterval(*interval_minutes));
  CV_ASSIGN_OR_RETURN(Statement s,
                      db_.Prepare("UPDATE connections SET monitor_interval_minutes = $3"
                                  " WHERE workspace_id = $1 AND id = $2",
                                  "set connection monitor"));
  s.BindText(1, workspace_id).BindText(2, connection_id);
  if (interval_minutes) {
    s.BindInt(3, *interval_minutes);
  } else {
    s.BindNull(3);
  }
  CV_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) return Status(ErrorCode::kNotFound, "connection not found");
  return Status::Ok();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::AppendTestHistory(const TestHistoryEntry& entry) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", entry.workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("connection_id", entry.connection_id));
  CV_RETURN_IF_ERROR(checks::Text("runner_id", entry.runner_id));
  CV_RETURN_IF_ERROR(checks::Key("source", entry.source));
  CV_RETURN_IF_ERROR(Exists("SELECT 1 FROM connections WHERE workspace_id = $1 AND id = $2",
                            "connection", {entry.workspace_id, entry.connection_id}));
  {
    CV_ASSIGN_OR_RETURN(
        Statement s,
        db_.Prepare("INSERT INTO test_history (workspace_id, connection_id, at, outcome,"
                    " tested_at, latency_ms, http_status, runner_id, source, state_before,"
                    " state_after, client_cert_not_after, server_cert_not_after,"
                    " token_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                    " $12, $13, $14)",
                    "append test history"));
    s.BindText(1, entry.workspace_id)
        .BindText(2, entry.connection_id)
        .BindInt(3, entry.at)
        .BindText(4, TestOutcomeName(entry.outcome))
        .BindInt(5, entry.tested_at)
        .BindInt(6, entry.latency_ms)
        .BindInt(7, entry.http_status)
        .BindText(8, entry.runner_id)
        .BindText(9, entry.source)
        .BindText(10, ConnectionStateName(entry.state_before))
        .BindText(11, ConnectionStateName(entry.state_after))
        .BindInt(12, entry.client_cert_not_after)
        .BindInt(13, entry.server_cert_not_after)
        .BindInt(14, entry.token_expires_at);
    CV_RETURN_IF_ERROR(s.Run());
  }
  CV_ASSIGN_OR_RETURN(Statement trim,
                      db_.Prepare("DELETE FROM test_history WHERE connection_id = $1 AND seq <="
                                  " (SELECT seq FROM test_history WHERE connection_id = $1"
                                  " ORDER BY seq DESC LIMIT 1 OFFSET $2)",
                                  "trim test history"));
  trim.BindText(1, entry.connection_id)
      .BindInt(2, static_cast<int64_t>(kMaxTestHistoryPerConnection));
  return trim.Run();
}

CV_SQL_TX_INSTANTIATE();

}  // namespace credvault::server::sql
