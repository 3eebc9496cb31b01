// PgTx: workspaces, members, key grants, environments, runners and audit events.
#include <string>

#include "store/pg_tx.h"

namespace credvault::server::pg {
namespace {

namespace checks = store_checks;

Status CheckWorkspace(const WorkspaceRow& row) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.id));
  CV_RETURN_IF_ERROR(checks::Key("name", row.name));
  CV_RETURN_IF_ERROR(checks::Key("created_by", row.created_by));
  if (row.key_generation < 1) {
    return Status(ErrorCode::kInvalidArgument, "key_generation is out of range");
  }
  return Status::Ok();
}

// Columns 0..6 of a workspace starting at `at`.
WorkspaceRow ReadWorkspace(const Statement& s, int at) {
  WorkspaceRow row;
  row.id = s.Text(at);
  row.name = s.Text(at + 1);
  row.key_generation = static_cast<uint32_t>(s.Int(at + 2));
  row.version = static_cast<uint64_t>(s.Int(at + 3));
  row.created_at = s.Int(at + 4);
  row.updated_at = s.Int(at + 5);
  row.created_by = s.Text(at + 6);
  return row;
}

// Columns 0..4 of a member starting at `at`.
Result<MemberRow> ReadMember(const Statement& s, int at) {
  MemberRow row;
  row.workspace_id = s.Text(at);
  row.account_id = s.Text(at + 1);
  CV_ASSIGN_OR_RETURN(row.role, RoleFromColumn(s.Text(at + 2)));
  row.version = static_cast<uint64_t>(s.Int(at + 3));
  row.added_at = s.Int(at + 4);
  return row;
}

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

// ---- Workspaces ---------------------------------------------------------------------------

Result<WorkspaceRow> PgTx::GetWorkspace(std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT id, name, key_generation, version, created_at, updated_at, created_by"
                  " FROM workspaces WHERE id = $1",
                  "get workspace"));
  s.BindText(1, workspace_id);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "workspace not found");
  return ReadWorkspace(s, 0);
}

Result<Page<Membership>> PgTx::ListWorkspacesOf(std::string_view account_id,
                                                const PageRequest& page) {
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  CV_ASSIGN_OR_RETURN(int64_t after, PageStart(page, false));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT m.seq, w.id, w.name, w.key_generation, w.version, w.created_at,"
                  " w.updated_at, w.created_by, m.workspace_id, m.account_id, m.role, m.version,"
                  " m.added_at FROM members m JOIN workspaces w ON w.id = m.workspace_id"
                  " WHERE m.account_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
                  "list workspaces"));
  s.BindText(1, account_id).BindInt(2, after).BindInt(3, static_cast<int64_t>(page.limit) + 1);
  std::vector<Membership> items;
  std::vector<int64_t> seqs;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    seqs.push_back(s.Int(0));
    CV_ASSIGN_OR_RETURN(MemberRow member, ReadMember(s, 8));
    items.push_back(Membership{ReadWorkspace(s, 1), std::move(member)});
  }
  return MakePage(std::move(items), seqs, page.limit);
}

Status PgTx::InsertWorkspace(const WorkspaceRow& row) {
  CV_RETURN_IF_ERROR(CheckWorkspace(row));
  CV_RETURN_IF_ERROR(checks::Version("version", row.version));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO workspaces (id, name, key_generation, version, created_at,"
                  " updated_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  "insert workspace"));
  s.BindText(1, row.id)
      .BindText(2, row.name)
      .BindInt(3, row.key_generation)
      .BindInt(4, static_cast<int64_t>(row.version))
      .BindInt(5, row.created_at)
      .BindInt(6, row.updated_at)
      .BindText(7, row.created_by);
  return s.Run();
}

Result<uint64_t> PgTx::UpdateWorkspace(const WorkspaceRow& row, uint64_t expected_version) {
  CV_RETURN_IF_ERROR(CheckWorkspace(row));
  CV_ASSIGN_OR_RETURN(uint64_t next, NextVersion("SELECT version FROM workspaces WHERE id = $1",
                                                 "workspace", {row.id}, expected_version));
  CV_ASSIGN_OR_RETURN(Statement s,
                      db_.Prepare("UPDATE workspaces SET name = $2, key_generation = $3,"
                                  " version = $4, updated_at = $5 WHERE id = $1",
                                  "update workspace"));
  s.BindText(1, row.id)
      .BindText(2, row.name)
      .BindInt(3, row.key_generation)
      .BindInt(4, static_cast<int64_t>(next))
      .BindInt(5, row.updated_at);
  CV_RETURN_IF_ERROR(s.Run());
  return next;
}

Status PgTx::DeleteWorkspace(std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(Exists("SELECT 1 FROM workspaces WHERE id = $1", "workspace", {workspace_id}));
  // Credentials shared only with this workspace would be left unreachable: remember which
  // were granted here, then drop those with no grant left once the cascade has run.
  CV_ASSIGN_OR_RETURN(std::vector<CredentialGrantRow> granted,
                      ListCredentialGrantsIn(workspace_id));
  CV_RETURN_IF_ERROR(
      Execute("DELETE FROM workspaces WHERE id = $1", "delete workspace", {workspace_id}).status());
  for (const CredentialGrantRow& row : granted) {
    CV_RETURN_IF_ERROR(Execute("DELETE FROM credentials WHERE id = $1 AND NOT EXISTS (SELECT 1"
                               " FROM credential_grants g WHERE g.credential_id = $1)",
                               "delete unreachable credential", {row.credential_id})
                           .status());
  }
  return Status::Ok();
}

// ---- Members ------------------------------------------------------------------------------

Result<MemberRow> PgTx::GetMember(std::string_view workspace_id, std::string_view account_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT workspace_id, account_id, role, version, added_at FROM members"
                  " WHERE workspace_id = $1 AND account_id = $2",
                  "get member"));
  s.BindText(1, workspace_id).BindText(2, account_id);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "member not found");
  return ReadMember(s, 0);
}

Result<Page<MemberDetail>> PgTx::ListMembers(std::string_view workspace_id,
                                             const PageRequest& page) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(int64_t after, PageStart(page, false));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT m.seq, m.workspace_id, m.account_id, m.role, m.version, m.added_at,"
                  " a.email, a.box_public_key, a.sign_public_key FROM members m"
                  " JOIN accounts a ON a.id = m.account_id"
                  " WHERE m.workspace_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
                  "list members"));
  s.BindText(1, workspace_id).BindInt(2, after).BindInt(3, static_cast<int64_t>(page.limit) + 1);
  std::vector<MemberDetail> items;
  std::vector<int64_t> seqs;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    seqs.push_back(s.Int(0));
    MemberDetail detail;
    CV_ASSIGN_OR_RETURN(detail.member, ReadMember(s, 1));
    detail.email = s.Text(6);
    detail.box_public_key = s.Blob(7);
    detail.sign_public_key = s.Blob(8);
    items.push_back(std::move(detail));
  }
  return MakePage(std::move(items), seqs, page.limit);
}

Result<std::vector<MemberRow>> PgTx::ListAllMembers(std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT workspace_id, account_id, role, version, added_at FROM members"
                  " WHERE workspace_id = $1 ORDER BY seq",
                  "list all members"));
  s.BindText(1, workspace_id);
  std::vector<MemberRow> members;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CV_ASSIGN_OR_RETURN(MemberRow member, ReadMember(s, 0));
    members.push_back(std::move(member));
  }
  return members;
}

Status PgTx::InsertMember(const MemberRow& row) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("account_id", row.account_id));
  CV_RETURN_IF_ERROR(checks::Version("version", row.version));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO members (workspace_id, account_id, role, version, added_at)"
                  " VALUES ($1, $2, $3, $4, $5)",
                  "insert member"));
  s.BindText(1, row.workspace_id)
      .BindText(2, row.account_id)
      .BindText(3, RoleName(row.role))
      .BindInt(4, static_cast<int64_t>(row.version))
      .BindInt(5, row.added_at);
  return s.Run();
}

Result<uint64_t> PgTx::UpdateMember(const MemberRow& row, uint64_t expected_version) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("account_id", row.account_id));
  CV_ASSIGN_OR_RETURN(
      uint64_t next,
      NextVersion("SELECT version FROM members WHERE workspace_id = $1 AND account_id = $2",
                  "member", {row.workspace_id, row.account_id}, expected_version));
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare("UPDATE members SET role = $3, version = $4"
                                               " WHERE workspace_id = $1 AND account_id = $2",
                                               "update member"));
  s.BindText(1, row.workspace_id)
      .BindText(2, row.account_id)
      .BindText(3, RoleName(row.role))
      .BindInt(4, static_cast<int64_t>(next));
  CV_RETURN_IF_ERROR(s.Run());
  return next;
}

Status PgTx::DeleteMember(std::string_view workspace_id, std::string_view account_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  CV_ASSIGN_OR_RETURN(int64_t deleted,
                      Execute("DELETE FROM members WHERE workspace_id = $1 AND account_id = $2",
                              "delete member", {workspace_id, account_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "member not found");
  return DeleteKeyGrants(workspace_id, account_id).status();
}

// ---- Key grants ---------------------------------------------------------------------------

Result<std::vector<KeyGrant>> PgTx::ListKeyGrants(std::string_view workspace_id,
                                                  std::string_view recipient_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("recipient_id", recipient_id));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT workspace_id, recipient_id, granter_id, generation, includes_secrets,"
                  " sealed, signature FROM key_grants WHERE workspace_id = $1 AND"
                  " recipient_id = $2 ORDER BY generation",
                  "list key grants"));
  s.BindText(1, workspace_id).BindText(2, recipient_id);
  std::vector<KeyGrant> grants;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    KeyGrant grant;
    grant.workspace_id = s.Text(0);
    grant.recipient_id = s.Text(1);
    grant.granter_id = s.Text(2);
    grant.generation = static_cast<uint32_t>(s.Int(3));
    grant.includes_secrets = s.Int(4) != 0;
    grant.sealed = s.Blob(5);
    grant.signature = s.Blob(6);
    grants.push_back(std::move(grant));
  }
  return grants;
}

Status PgTx::PutKeyGrant(const KeyGrant& grant) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", grant.workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("recipient_id", grant.recipient_id));
  CV_RETURN_IF_ERROR(checks::Key("granter_id", grant.granter_id));
  CV_RETURN_IF_ERROR(checks::Blob("sealed", grant.sealed));
  CV_RETURN_IF_ERROR(checks::Blob("signature", grant.signature));
  if (grant.generation < 1) {
    return Status(ErrorCode::kInvalidArgument, "generation is out of range");
  }
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO key_grants (workspace_id, recipient_id, generation, granter_id,"
                  " includes_secrets, sealed, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                  " ON CONFLICT (workspace_id, recipient_id, generation) DO UPDATE SET"
                  " granter_id = excluded.granter_id, includes_secrets = excluded.includes_secrets,"
                  " sealed = excluded.sealed, signature = excluded.signature",
                  "put key grant"));
  s.BindText(1, grant.workspace_id)
      .BindText(2, grant.recipient_id)
      .BindInt(3, grant.generation)
      .BindText(4, grant.granter_id)
      .BindInt(5, grant.includes_secrets ? 1 : 0)
      .BindBlob(6, grant.sealed)
      .BindBlob(7, grant.signature);
  return s.Run();
}

Result<uint64_t> PgTx::DeleteKeyGrants(std::string_view workspace_id,
                                       std::string_view recipient_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("recipient_id", recipient_id));
  CV_ASSIGN_OR_RETURN(
      int64_t deleted,
      Execute("DELETE FROM key_grants WHERE workspace_id = $1 AND recipient_id = $2",
              "delete key grants", {workspace_id, recipient_id}));
  return static_cast<uint64_t>(deleted);
}

// ---- Environments -------------------------------------------------------------------------

Result<EnvironmentRow> PgTx::GetEnvironment(std::string_view workspace_id,
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

Result<Page<EnvironmentRow>> PgTx::ListEnvironments(std::string_view workspace_id,
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

Status PgTx::InsertEnvironment(const EnvironmentRow& row) {
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

Result<uint64_t> PgTx::UpdateEnvironment(const EnvironmentRow& row, uint64_t expected_version) {
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

Status PgTx::DeleteEnvironment(std::string_view workspace_id, std::string_view environment_id) {
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

Result<RunnerRow> PgTx::GetRunner(std::string_view workspace_id, std::string_view runner_id) {
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

Result<Page<RunnerRow>> PgTx::ListRunners(std::string_view workspace_id, const PageRequest& page) {
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

Status PgTx::InsertRunner(const RunnerRow& row) {
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

Status PgTx::DeleteRunner(std::string_view workspace_id, std::string_view runner_id) {
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

Result<Page<AuditEvent>> PgTx::ListAudit(std::string_view workspace_id, const PageRequest& page) {
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

Status PgTx::AppendAudit(const AuditEvent& event) {
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

}  // namespace credvault::server::pg
