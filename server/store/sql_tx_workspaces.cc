// SqlTx: workspaces, members and key grants.
#include <string>

#include "store/sql_tx.h"

namespace credvault::server::sql {
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
template <typename Statement>
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
template <typename Statement>
Result<MemberRow> ReadMember(const Statement& s, int at) {
  MemberRow row;
  row.workspace_id = s.Text(at);
  row.account_id = s.Text(at + 1);
  CV_ASSIGN_OR_RETURN(row.role, RoleFromColumn(s.Text(at + 2)));
  row.version = static_cast<uint64_t>(s.Int(at + 3));
  row.added_at = s.Int(at + 4);
  return row;
}

}  // namespace

// ---- Workspaces ---------------------------------------------------------------------------

template <SqlEngine Engine>
Result<WorkspaceRow> SqlTx<Engine>::GetWorkspace(std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  if (cache_ != nullptr) {
    if (const WorkspaceRow* cached = cache_->FindWorkspace(workspace_id)) return *cached;
  }
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT id, name, key_generation, version, created_at, updated_at, created_by"
                  " FROM workspaces WHERE id = $1",
                  "get workspace"));
  s.BindText(1, workspace_id);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "workspace not found");
  WorkspaceRow workspace = ReadWorkspace(s, 0);
  if (cache_ != nullptr) cache_->PutWorkspace(workspace);
  return workspace;
}

template <SqlEngine Engine>
Result<Page<Membership>> SqlTx<Engine>::ListWorkspacesOf(std::string_view account_id,
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

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertWorkspace(const WorkspaceRow& row) {
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

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::UpdateWorkspace(const WorkspaceRow& row,
                                                uint64_t expected_version) {
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

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteWorkspace(std::string_view workspace_id) {
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

template <SqlEngine Engine>
Result<MemberRow> SqlTx<Engine>::GetMember(std::string_view workspace_id,
                                           std::string_view account_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  if (cache_ != nullptr) {
    if (const MemberRow* cached = cache_->FindMember(workspace_id, account_id)) return *cached;
  }
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT workspace_id, account_id, role, version, added_at FROM members"
                  " WHERE workspace_id = $1 AND account_id = $2",
                  "get member"));
  s.BindText(1, workspace_id).BindText(2, account_id);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "member not found");
  Result<MemberRow> member = ReadMember(s, 0);
  if (cache_ != nullptr && member.ok()) cache_->PutMember(*member);
  return member;
}

template <SqlEngine Engine>
Result<Page<MemberDetail>> SqlTx<Engine>::ListMembers(std::string_view workspace_id,
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

template <SqlEngine Engine>
Result<std::vector<MemberRow>> SqlTx<Engine>::ListAllMembers(std::string_view workspace_id) {
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

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertMember(const MemberRow& row) {
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

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::UpdateMember(const MemberRow& row, uint64_t expected_version) {
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

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteMember(std::string_view workspace_id, std::string_view account_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  CV_ASSIGN_OR_RETURN(int64_t deleted,
                      Execute("DELETE FROM members WHERE workspace_id = $1 AND account_id = $2",
                              "delete member", {workspace_id, account_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "member not found");
  return DeleteKeyGrants(workspace_id, account_id).status();
}

// ---- Key grants ---------------------------------------------------------------------------

template <SqlEngine Engine>
Result<std::vector<KeyGrant>> SqlTx<Engine>::ListKeyGrants(std::string_view workspace_id,
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

template <SqlEngine Engine>
Status SqlTx<Engine>::PutKeyGrant(const KeyGrant& grant) {
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

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::DeleteKeyGrants(std::string_view workspace_id,
                                                std::string_view recipient_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("recipient_id", recipient_id));
  CV_ASSIGN_OR_RETURN(
      int64_t deleted,
      Execute("DELETE FROM key_grants WHERE workspace_id = $1 AND recipient_id = $2",
              "delete key grants", {workspace_id, recipient_id}));
  return static_cast<uint64_t>(deleted);
}

CV_SQL_TX_INSTANTIATE();

}  // namespace credvault::server::sql
