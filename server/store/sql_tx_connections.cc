// SqlTx: connections, their environment lists, counts per state and state changes.
#include <set>
#include <string>

#include "store/sql_tx.h"

namespace credvault::server::sql {
namespace {

namespace checks = store_checks;

constexpr const char* kConnectionColumns =
    "SELECT c.seq, c.id, c.workspace_id, c.kind, c.state, c.credential_id, c.managed,"
    " c.insecure_skip_verify, c.test_outcome, c.tested_at, c.test_latency_ms,"
    " c.test_http_status, c.test_runner_id, c.version, c.created_at, c.updated_at,"
    " c.sealed_details FROM connections c ";

// The kind / state / environment filter, as $2 / $3 / $4 (NULL = any).
constexpr const char* kFilter =
    " c.workspace_id = $1 AND (CAST($2 AS TEXT) IS NULL OR c.kind = $2) AND (CAST($3 AS TEXT) IS "
    "NULL OR c.state = "
    "$3)"
    " AND (CAST($4 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM connection_environments e"
    " WHERE e.connection_id = c.id AND e.environment_id = $4)) ";

Status CheckLastTest(const std::optional<LastTest>& last_test) {
  if (!last_test) return Status::Ok();
  return checks::Text("runner_id", last_test->runner_id);
}

Status CheckConnection(const SealedConnection& row) {
  CV_RETURN_IF_ERROR(checks::Key("connection_id", row.id));
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.workspace_id));
  CV_RETURN_IF_ERROR(checks::Text("credential_id", row.credential_id));
  CV_RETURN_IF_ERROR(checks::Blob("sealed_details", row.sealed_details));
  CV_RETURN_IF_ERROR(checks::Version("version", row.version));
  CV_RETURN_IF_ERROR(CheckLastTest(row.last_test));
  if (row.environment_ids.size() > kMaxEnvironmentsPerConnection) {
    return Status(ErrorCode::kInvalidArgument, "environment_ids has too many entries");
  }
  std::set<std::string_view> seen;
  for (const std::string& id : row.environment_ids) {
    CV_RETURN_IF_ERROR(checks::Key("environment_id", id));
    if (!seen.insert(id).second) {
      return Status(ErrorCode::kInvalidArgument, "environment_ids names an environment twice");
    }
  }
  return Status::Ok();
}

// The columns of kConnectionColumns after seq (which is column 0).
template <typename Statement>
Result<SealedConnection> ReadConnection(const Statement& s) {
  SealedConnection row;
  row.id = s.Text(1);
  row.workspace_id = s.Text(2);
  CV_ASSIGN_OR_RETURN(row.kind, KindFromColumn(s.Text(3)));
  CV_ASSIGN_OR_RETURN(row.state, StateFromColumn(s.Text(4)));
  row.credential_id = s.Text(5);
  row.managed = s.Int(6) != 0;
  row.insecure_skip_verify = s.Int(7) != 0;
  if (!s.IsNull(8)) {
    LastTest test;
    CV_ASSIGN_OR_RETURN(test.outcome, OutcomeFromColumn(s.Text(8)));
    test.tested_at = s.Int(9);
    test.latency_ms = static_cast<uint32_t>(s.Int(10));
    test.http_status = static_cast<uint16_t>(s.Int(11));
    test.runner_id = s.Text(12);
    row.last_test = std::move(test);
  }
  row.version = static_cast<uint64_t>(s.Int(13));
  row.created_at = s.Int(14);
  row.updated_at = s.Int(15);
  row.sealed_details = s.Blob(16);
  return row;
}

// Binds the last test to $first .. $first+4 (all NULL when there is none).
template <typename Statement>
void BindLastTest(Statement& s, int first, const std::optional<LastTest>& last_test) {
  if (!last_test) {
    for (int i = 0; i < 5; ++i) s.BindNull(first + i);
    return;
  }
  s.BindText(first, TestOutcomeName(last_test->outcome))
      .BindInt(first + 1, last_test->tested_at)
      .BindInt(first + 2, last_test->latency_ms)
      .BindInt(first + 3, last_test->http_status)
      .BindText(first + 4, last_test->runner_id);
}

template <typename Statement>
void BindFilter(Statement& s, std::string_view workspace_id, const ConnectionFilter& filter) {
  s.BindText(1, workspace_id);
  if (filter.kind) {
    s.BindText(2, ServiceKindName(*filter.kind));
  } else {
    s.BindNull(2);
  }
  if (filter.state) {
    s.BindText(3, ConnectionStateName(*filter.state));
  } else {
    s.BindNull(3);
  }
  if (filter.environment_id) {
    s.BindText(4, *filter.environment_id);
  } else {
    s.BindNull(4);
  }
}

}  // namespace

template <SqlEngine Engine>
Result<std::vector<std::string>> SqlTx<Engine>::LoadEnvironmentIds(std::string_view connection_id) {
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT environment_id FROM connection_environments"
                                               " WHERE connection_id = $1 ORDER BY position",
                                               "load connection environments"));
  s.BindText(1, connection_id);
  std::vector<std::string> ids;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.push_back(s.Text(0));
  }
  return ids;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::WriteEnvironmentIds(const SealedConnection& row) {
  CV_RETURN_IF_ERROR(Execute("DELETE FROM connection_environments WHERE connection_id = $1",
                             "write connection environments", {row.id})
                         .status());
  CV_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("INSERT INTO connection_environments (connection_id, workspace_id,"
                               " environment_id, position) VALUES ($1, $2, $3, $4)",
                               "write connection environments"));
  for (size_t i = 0; i < row.environment_ids.size(); ++i) {
    s.BindText(1, row.id)
        .BindText(2, row.workspace_id)
        .BindText(3, row.environment_ids[i])
        .BindInt(4, static_cast<int64_t>(i));
    CV_RETURN_IF_ERROR(s.Run());
  }
  return Status::Ok();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::CompleteConnections(std::vector<SealedConnection>& connections) {
  for (SealedConnection& connection : connections) {
    CV_ASSIGN_OR_RETURN(connection.environment_ids, LoadEnvironmentIds(connection.id));
  }
  return Status::Ok();
}

template <SqlEngine Engine>
Result<SealedConnection> SqlTx<Engine>::GetConnection(std::string_view workspace_id,
                                                      std::string_view connection_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("connection_id", connection_id));
  static const std::string sql =
      std::string(kConnectionColumns) + "WHERE c.workspace_id = $1 AND c.id = $2";
  std::vector<SealedConnection> found;
  {
    CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "get connection"));
    s.BindText(1, workspace_id).BindText(2, connection_id);
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status(ErrorCode::kNotFound, "connection not found");
    CV_ASSIGN_OR_RETURN(SealedConnection connection, ReadConnection(s));
    found.push_back(std::move(connection));
  }
  CV_RETURN_IF_ERROR(CompleteConnections(found));
  return std::move(found.front());
}

template <SqlEngine Engine>
Result<ConnectionPage> SqlTx<Engine>::ListConnections(std::string_view workspace_id,
                                                      const ConnectionFilter& filter,
                                                      const PageRequest& page) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  if (filter.environment_id) {
    CV_RETURN_IF_ERROR(checks::Key("environment_id", *filter.environment_id));
  }
  CV_ASSIGN_OR_RETURN(int64_t after, PageStart(page, false));
  static const std::string list_sql = std::string(kConnectionColumns) + "WHERE" + kFilter +
                                      "AND c.seq > $5 ORDER BY c.seq LIMIT $6";
  std::vector<SealedConnection> items;
  std::vector<int64_t> seqs;
  {
    CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(list_sql.c_str(), "list connections"));
    BindFilter(s, workspace_id, filter);
    s.BindInt(5, after).BindInt(6, static_cast<int64_t>(page.limit) + 1);
    while (true) {
      CV_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      seqs.push_back(s.Int(0));
      CV_ASSIGN_OR_RETURN(SealedConnection connection, ReadConnection(s));
      items.push_back(std::move(connection));
    }
  }
  Page<SealedConnection> paged = MakePage(std::move(items), seqs, page.limit);
  CV_RETURN_IF_ERROR(CompleteConnections(paged.items));

  ConnectionPage result;
  result.items = std::move(paged.items);
  result.next_cursor = std::move(paged.next_cursor);
  // Counts ignore the state filter: $3 is bound NULL.
  static const std::string count_sql =
      std::string("SELECT c.state, COUNT(*) FROM connections c WHERE") + kFilter +
      "GROUP BY c.state";
  CV_ASSIGN_OR_RETURN(Statement counts, db_.Prepare(count_sql.c_str(), "count connections"));
  ConnectionFilter unstated = filter;
  unstated.state.reset();
  BindFilter(counts, workspace_id, unstated);
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, counts.Step());
    if (!row) break;
    CV_ASSIGN_OR_RETURN(ConnectionState state, StateFromColumn(counts.Text(0)));
    result.counts[state] = static_cast<uint64_t>(counts.Int(1));
  }
  return result;
}

template <SqlEngine Engine>
Result<std::vector<SealedConnection>> SqlTx<Engine>::ListConnectionsUsingCredential(
    std::string_view credential_id) {
  CV_RETURN_IF_ERROR(checks::Key("credential_id", credential_id));
  static const std::string sql =
      std::string(kConnectionColumns) + "WHERE c.credential_id = $1 ORDER BY c.seq";
  return ListConnectionsWhere(sql, "list connections of credential", credential_id);
}

template <SqlEngine Engine>
Result<std::vector<SealedConnection>> SqlTx<Engine>::ListAllConnections(
    std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  static const std::string sql =
      std::string(kConnectionColumns) + "WHERE c.workspace_id = $1 ORDER BY c.seq";
  return ListConnectionsWhere(sql, "list all connections", workspace_id);
}

template <SqlEngine Engine>
Result<std::vector<SealedConnection>> SqlTx<Engine>::ListConnectionsWhere(const std::string& sql,
                                                                          const char* what,
                                                                          std::string_view key) {
  std::vector<SealedConnection> connections;
  {
    CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), what));
    s.BindText(1, key);
    while (true) {
      CV_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      CV_ASSIGN_OR_RETURN(SealedConnection connection, ReadConnection(s));
      connections.push_back(std::move(connection));
    }
  }
  CV_RETURN_IF_ERROR(CompleteConnections(connections));
  return connections;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertConnection(const SealedConnection& row) {
  CV_RETURN_IF_ERROR(CheckConnection(row));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO connections (id, workspace_id, kind, state, credential_id,"
                  " managed, insecure_skip_verify, test_outcome, tested_at, test_latency_ms,"
                  " test_http_status, test_runner_id, version, created_at, updated_at,"
                  " sealed_details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                  " $13, $14, $15, $16)",
                  "insert connection"));
  s.BindText(1, row.id)
      .BindText(2, row.workspace_id)
      .BindText(3, ServiceKindName(row.kind))
      .BindText(4, ConnectionStateName(row.state))
      .BindText(5, row.credential_id)
      .BindInt(6, row.managed ? 1 : 0)
      .BindInt(7, row.insecure_skip_verify ? 1 : 0);
  BindLastTest(s, 8, row.last_test);
  s.BindInt(13, static_cast<int64_t>(row.version))
      .BindInt(14, row.created_at)
      .BindInt(15, row.updated_at)
      .BindBlob(16, row.sealed_details);
  CV_RETURN_IF_ERROR(s.Run());
  return WriteEnvironmentIds(row);
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::UpdateConnection(const SealedConnection& row,
                                                 uint64_t expected_version) {
  CV_RETURN_IF_ERROR(CheckConnection(row));
  CV_RETURN_IF_ERROR(checks::Version("expected_version", expected_version));
  if (row.version != expected_version + 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "a connection update must be sealed for the version after the expected one");
  }
  CV_ASSIGN_OR_RETURN(
      uint64_t next,
      NextVersion("SELECT version FROM connections WHERE workspace_id = $1 AND id = $2",
                  "connection", {row.workspace_id, row.id}, expected_version));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE connections SET kind = $3, state = $4, credential_id = $5,"
                  " managed = $6, insecure_skip_verify = $7, test_outcome = $8, tested_at = $9,"
                  " test_latency_ms = $10, test_http_status = $11, test_runner_id = $12,"
                  " version = $13, updated_at = $14, sealed_details = $15"
                  " WHERE workspace_id = $1 AND id = $2",
                  "update connection"));
  s.BindText(1, row.workspace_id)
      .BindText(2, row.id)
      .BindText(3, ServiceKindName(row.kind))
      .BindText(4, ConnectionStateName(row.state))
      .BindText(5, row.credential_id)
      .BindInt(6, row.managed ? 1 : 0)
      .BindInt(7, row.insecure_skip_verify ? 1 : 0);
  BindLastTest(s, 8, row.last_test);
  s.BindInt(13, static_cast<int64_t>(next))
      .BindInt(14, row.updated_at)
      .BindBlob(15, row.sealed_details);
  CV_RETURN_IF_ERROR(s.Run());
  CV_RETURN_IF_ERROR(WriteEnvironmentIds(row));
  return next;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::SetConnectionState(std::string_view workspace_id,
                                         std::string_view connection_id, uint64_t expected_version,
                                         ConnectionState expected_state, ConnectionState new_state,
                                         const std::optional<LastTest>& last_test, int64_t now) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("connection_id", connection_id));
  CV_RETURN_IF_ERROR(checks::Version("expected_version", expected_version));
  CV_RETURN_IF_ERROR(CheckLastTest(last_test));
  {
    CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT version, state FROM connections"
                                                 " WHERE workspace_id = $1 AND id = $2",
                                                 "read connection state"));
    s.BindText(1, workspace_id).BindText(2, connection_id);
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status(ErrorCode::kNotFound, "connection not found");
    uint64_t current = static_cast<uint64_t>(s.Int(0));
    if (current != expected_version || s.Text(1) != ConnectionStateName(expected_state)) {
      return StaleVersion("connection", current);
    }
  }
  // The stored last test stays when none is given ($3 NULL).
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(
          "UPDATE connections SET state = $8, updated_at = $9,"
          " test_outcome = CASE WHEN CAST($3 AS TEXT) IS NULL THEN test_outcome ELSE $3 END,"
          " tested_at = CASE WHEN CAST($3 AS TEXT) IS NULL THEN tested_at ELSE $4 END,"
          " test_latency_ms = CASE WHEN CAST($3 AS TEXT) IS NULL THEN test_latency_ms ELSE $5 END,"
          " test_http_status = CASE WHEN CAST($3 AS TEXT) IS NULL THEN test_http_status ELSE $6 "
          "END,"
          " test_runner_id = CASE WHEN CAST($3 AS TEXT) IS NULL THEN test_runner_id ELSE $7 END"
          " WHERE workspace_id = $1 AND id = $2",
          "set connection state"));
  s.BindText(1, workspace_id).BindText(2, connection_id);
  BindLastTest(s, 3, last_test);
  s.BindText(8, ConnectionStateName(new_state)).BindInt(9, now);
  return s.Run();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteConnection(std::string_view workspace_id,
                                       std::string_view connection_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("connection_id", connection_id));
  CV_ASSIGN_OR_RETURN(int64_t deleted,
                      Execute("DELETE FROM connections WHERE workspace_id = $1 AND id = $2",
                              "delete connection", {workspace_id, connection_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "connection not found");
  return Status::Ok();
}

CV_SQL_TX_INSTANTIATE();

}  // namespace credvault::server::sql
