// SqlTx: environments, runners and audit events.
#include <string>

#include "store/sql_tx.h"

namespace credvault::server::sql {
namespace {

namespace checks = store_checks;

template <typename Statement>
EnvironmentRow ReadEnvironment(const Statement& s, int at) {
  EnvironmentRow row;
  row.id = s.Text(at);
  row.workspace_id = s.Text(at + 1);
  row.name = s.Text(at + 2);
  row.version = static_cast<uint64_t>(s.Int(at + 3));
  row.created_at = s.Int(at + 4);
  row.updated_at = s.Int(at + 5);
  return row;
}

template <typename Statement>
RunnerRow ReadRunner(const Statement& s, int at) {
  RunnerRow row;
  row.id = s.Text(at);
  row.workspace_id = s.Text(at + 1);
  row.name = s.Text(at + 2);
  row.box_public_key = s.Blob(at + 3);
  row.sign_public_key = s.Blob(at + 4);
  row.created_at = s.Int(at + 5);
  return row;
}

template <typename Statement>
AuditEvent ReadAudit(const Statement& s, int at) {
  AuditEvent event;
  event.id = s.Text(at);
  event.workspace_id = s.Text(at + 1);
  event.at = s.Int(at + 2);
  event.actor_id = s.Text(at + 3);
  event.action = s.Text(at + 4);
  event.object_type = s.Text(at + 5);
  event.object_id = s.Text(at + 6);
  return event;
}

}  // namespace

// ---- Environments -------------------------------------------------------------------------

template <SqlEngine Engine>
Result<EnvironmentRow> SqlTx<Engine>::GetEnvironment(std::string_view workspace_id,
                                                     std::string_view environment_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("environment_id", environment_id));
  CV_ASSIGN_OR_RETURN(Statement s,
                      db_.Prepare("SELECT id, workspace_id, name, version, created_at, updated_at"
                                  " FROM environments WHERE workspace_id = $1 AND id = $2",
                                  "get environment"));
  s.BindText(1, workspace_id).BindText(2, environment_id);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "environment not found");
  return ReadEnvironment(s, 0);
}

template <SqlEngine Engine>
Result<Page<EnvironmentRow>> SqlTx<Engine>::ListEnvironments(std::string_view workspace_id,
                                                             const PageRequest& page) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(int64_t after, PageStart(page, false));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT seq, id, workspace_id, name, version, created_at, updated_at"
                  " FROM environments WHERE workspace_id = $1 AND seq > $2 ORDER BY seq"
                  " LIMIT $3",
                  "list environments"));
  s.BindText(1, workspace_id).BindInt(2, after).BindInt(3, static_cast<int64_t>(page.limit) + 1);
  std::vector<EnvironmentRow> items;
  std::vector<int64_t> seqs;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    seqs.push_back(s.Int(0));
    items.push_back(ReadEnvironment(s, 1));
  }
  return MakePage(std::move(items), seqs, page.limit);
}

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertEnvironment(const EnvironmentRow& row) {
  CV_RETURN_IF_ERROR(checks::Key("environment_id", row.id));
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("name", row.name));
  CV_RETURN_IF_ERROR(checks::Version("version", row.version));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO environments (id, workspace_id, name, version, created_at,"
                  " updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                  "insert environment"));
  s.BindText(1, row.id)
      .BindText(2, row.workspace_id)
      .BindText(3, row.name)
      .BindInt(4, static_cast<int64_t>(row.version))
      .BindInt(5, row.created_at)
      .BindInt(6, row.updated_at);
  return s.Run();
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::UpdateEnvironment(const EnvironmentRow& row,
                                                  uint64_t expected_version) {
  CV_RETURN_IF_ERROR(checks::Key("environment_id", row.id));
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("name", row.name));
  CV_ASSIGN_OR_RETURN(
      uint64_t next,
      NextVersion("SELECT version FROM environments WHERE workspace_id = $1 AND id = $2",
                  "environment", {row.workspace_id, row.id}, expected_version));
  CV_ASSIGN_OR_RETURN(Statement s,
                      db_.Prepare("UPDATE environments SET name = $3, version = $4,"
                                  " updated_at = $5 WHERE workspace_id = $1 AND id = $2",
                                  "update environment"));
  s.BindText(1, row.workspace_id)
      .BindText(2, row.id)
      .BindText(3, row.name)
      .BindInt(4, static_cast<int64_t>(next))
      .BindInt(5, row.updated_at);
  CV_RETURN_IF_ERROR(s.Run());
  return next;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteEnvironment(std::string_view workspace_id,
                                        std::string_view environment_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("environment_id", environment_id));
  // connection_environments rows go by ON DELETE CASCADE.
  CV_ASSIGN_OR_RETURN(int64_t deleted,
                      Execute("DELETE FROM environments WHERE workspace_id = $1 AND id = $2",
                              "delete environment", {workspace_id, environment_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "environment not found");
  return Status::Ok();
}

// ---- Runners ------------------------------------------------------------------------------

template <SqlEngine Engine>
Result<RunnerRow> SqlTx<Engine>::GetRunner(std::string_view workspace_id,
                                           std::string_view runner_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("runner_id", runner_id));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT id, workspace_id, name, box_public_key, sign_public_key, created_at"
                  " FROM runners WHERE workspace_id = $1 AND id = $2",
                  "get runner"));
  s.BindText(1, workspace_id).BindText(2, runner_id);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "runner not found");
  return ReadRunner(s, 0);
}

template <SqlEngine Engine>
Result<Page<RunnerRow>> SqlTx<Engine>::ListRunners(std::string_view workspace_id,
                                                   const PageRequest& page) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(int64_t after, PageStart(page, false));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT seq, id, workspace_id, name, box_public_key, sign_public_key,"
                  " created_at FROM runners WHERE workspace_id = $1 AND seq > $2 ORDER BY seq"
                  " LIMIT $3",
                  "list runners"));
  s.BindText(1, workspace_id).BindInt(2, after).BindInt(3, static_cast<int64_t>(page.limit) + 1);
  std::vector<RunnerRow> items;
  std::vector<int64_t> seqs;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    seqs.push_back(s.Int(0));
    items.push_back(ReadRunner(s, 1));
  }
  return MakePage(std::move(items), seqs, page.limit);
}

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertRunner(const RunnerRow& row) {
  CV_RETURN_IF_ERROR(checks::Key("runner_id", row.id));
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.workspace_id));
  CV_RETURN_IF_ERROR(checks::Text("name", row.name));
  CV_RETURN_IF_ERROR(checks::Blob("box_public_key", row.box_public_key));
  CV_RETURN_IF_ERROR(checks::Blob("sign_public_key", row.sign_public_key));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO runners (id, workspace_id, name, box_public_key, sign_public_key,"
                  " created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                  "insert runner"));
  s.BindText(1, row.id)
      .BindText(2, row.workspace_id)
      .BindText(3, row.name)
      .BindBlob(4, row.box_public_key)
      .BindBlob(5, row.sign_public_key)
      .BindInt(6, row.created_at);
  return s.Run();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteRunner(std::string_view workspace_id, std::string_view runner_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("runner_id", runner_id));
  CV_ASSIGN_OR_RETURN(int64_t deleted,
                      Execute("DELETE FROM runners WHERE workspace_id = $1 AND id = $2",
                              "delete runner", {workspace_id, runner_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "runner not found");
  // A runner admitted to the workspace holds a key grant like a member.
  return DeleteKeyGrants(workspace_id, runner_id).status();
}

// ---- Audit --------------------------------------------------------------------------------

template <SqlEngine Engine>
Result<Page<AuditEvent>> SqlTx<Engine>::ListAudit(std::string_view workspace_id,
                                                  const PageRequest& page) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(int64_t before, PageStart(page, true));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT seq, id, workspace_id, at, actor_id, action, object_type, object_id"
                  " FROM audit_events WHERE workspace_id = $1 AND seq < $2"
                  " ORDER BY seq DESC LIMIT $3",
                  "list audit events"));
  s.BindText(1, workspace_id).BindInt(2, before).BindInt(3, static_cast<int64_t>(page.limit) + 1);
  std::vector<AuditEvent> items;
  std::vector<int64_t> seqs;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    seqs.push_back(s.Int(0));
    items.push_back(ReadAudit(s, 1));
  }
  return MakePage(std::move(items), seqs, page.limit);
}

template <SqlEngine Engine>
Status SqlTx<Engine>::AppendAudit(const AuditEvent& event) {
  CV_RETURN_IF_ERROR(checks::Key("id", event.id));
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", event.workspace_id));
  CV_RETURN_IF_ERROR(checks::Text("actor_id", event.actor_id));
  CV_RETURN_IF_ERROR(checks::Key("action", event.action));
  CV_RETURN_IF_ERROR(checks::Text("object_type", event.object_type));
  CV_RETURN_IF_ERROR(checks::Text("object_id", event.object_id));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO audit_events (id, workspace_id, at, actor_id, action, object_type,"
                  " object_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  "append audit event"));
  s.BindText(1, event.id)
      .BindText(2, event.workspace_id)
      .BindInt(3, event.at)
      .BindText(4, event.actor_id)
      .BindText(5, event.action)
      .BindText(6, event.object_type)
      .BindText(7, event.object_id);
  return s.Run();
}

CV_SQL_TX_INSTANTIATE();

}  // namespace credvault::server::sql
