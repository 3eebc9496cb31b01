// SqlTx: credentials and their per-workspace grants.
#include <set>
#include <string>

#include "store/sql_tx.h"

namespace credvault::server::sql {
namespace {

namespace checks = store_checks;

constexpr const char* kCredentialColumns =
    "c.seq, c.id, c.owner_id, c.workspace_id, c.kind, c.method, c.version, c.created_at,"
    " c.updated_at, c.sealed_secret, c.rotate_recommended";

Status CheckGrant(const CredentialGrant& grant) {
  CV_RETURN_IF_ERROR(checks::Key("grant workspace_id", grant.workspace_id));
  CV_RETURN_IF_ERROR(checks::Blob("wrapped_data_key", grant.wrapped_data_key));
  CV_RETURN_IF_ERROR(checks::Blob("sealed_name", grant.sealed_name));
  if (grant.key_generation < 1) {
    return Status(ErrorCode::kInvalidArgument, "key_generation is out of range");
  }
  return Status::Ok();
}

Status CheckCredential(const SealedCredential& row) {
  CV_RETURN_IF_ERROR(checks::Key("credential_id", row.id));
  CV_RETURN_IF_ERROR(checks::Key("owner_id", row.owner_id));
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", row.workspace_id));
  CV_RETURN_IF_ERROR(checks::Blob("sealed_secret", row.sealed_secret));
  CV_RETURN_IF_ERROR(checks::Version("version", row.version));
  std::set<std::string_view> workspaces;
  for (const CredentialGrant& grant : row.grants) {
    CV_RETURN_IF_ERROR(CheckGrant(grant));
    if (!workspaces.insert(grant.workspace_id).second) {
      return Status(ErrorCode::kInvalidArgument, "grants name a workspace twice");
    }
  }
  return Status::Ok();
}

// Columns of kCredentialColumns starting at `at` + 1 (after seq); grants are loaded apart.
template <typename Statement>
Result<SealedCredential> ReadCredential(const Statement& s, int at) {
  SealedCredential row;
  row.id = s.Text(at + 1);
  row.owner_id = s.Text(at + 2);
  row.workspace_id = s.Text(at + 3);
  CV_ASSIGN_OR_RETURN(row.kind, KindFromColumn(s.Text(at + 4)));
  CV_ASSIGN_OR_RETURN(row.method, MethodFromColumn(s.Text(at + 5)));
  row.version = static_cast<uint64_t>(s.Int(at + 6));
  row.created_at = s.Int(at + 7);
  row.updated_at = s.Int(at + 8);
  row.sealed_secret = s.Blob(at + 9);
  row.rotate_recommended = s.Int(at + 10) != 0;
  return row;
}

template <typename Statement>
CredentialGrant ReadGrant(const Statement& s, int at) {
  CredentialGrant grant;
  grant.workspace_id = s.Text(at);
  grant.key_generation = static_cast<uint32_t>(s.Int(at + 1));
  grant.wrapped_data_key = s.Blob(at + 2);
  grant.sealed_name = s.Blob(at + 3);
  return grant;
}

}  // namespace

template <SqlEngine Engine>
Result<std::vector<CredentialGrant>> SqlTx<Engine>::LoadCredentialGrants(
    std::string_view credential_id) {
  static const std::string sql =
      "SELECT workspace_id, key_generation, wrapped_data_key, sealed_name FROM credential_grants"
      " WHERE credential_id = $1 ORDER BY " +
      std::string(Engine::kGrantOrder);
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "load credential grants"));
  s.BindText(1, credential_id);
  std::vector<CredentialGrant> grants;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    grants.push_back(ReadGrant(s, 0));
  }
  return grants;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::WriteCredentialGrants(std::string_view credential_id,
                                            const std::vector<CredentialGrant>& grants) {
  for (const CredentialGrant& grant : grants) {
    CV_RETURN_IF_ERROR(PutCredentialGrant(credential_id, grant));
  }
  return Status::Ok();
}

template <SqlEngine Engine>
Result<SealedCredential> SqlTx<Engine>::GetCredential(std::string_view workspace_id,
                                                      std::string_view credential_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_RETURN_IF_ERROR(checks::Key("credential_id", credential_id));
  if (cache_ != nullptr) {
    const SealedCredential* cached = cache_->FindCredential(workspace_id, credential_id);
    if (cached != nullptr) return *cached;
  }
  static const std::string sql = std::string("SELECT ") + kCredentialColumns +
                                 " FROM credentials c WHERE c.id = $2 AND EXISTS (SELECT 1 FROM"
                                 " credential_grants g WHERE g.credential_id = c.id AND"
                                 " g.workspace_id = $1)";
  SealedCredential credential;
  {
    CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "get credential"));
    s.BindText(1, workspace_id).BindText(2, credential_id);
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status(ErrorCode::kNotFound, "credential not found");
    CV_ASSIGN_OR_RETURN(credential, ReadCredential(s, 0));
  }
  CV_ASSIGN_OR_RETURN(credential.grants, LoadCredentialGrants(credential.id));
  if (cache_ != nullptr) cache_->PutCredential(workspace_id, credential);
  return credential;
}

template <SqlEngine Engine>
Result<Page<SealedCredential>> SqlTx<Engine>::ListCredentials(std::string_view workspace_id,
                                                              const CredentialFilter& filter,
                                                              const PageRequest& page) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(int64_t after, PageStart(page, false));
  static const std::string sql =
      std::string("SELECT ") + kCredentialColumns +
      " FROM credentials c JOIN credential_grants g ON g.credential_id = c.id"
      " WHERE g.workspace_id = $1 AND (CAST($2 AS TEXT) IS NULL OR c.kind = $2) AND c.seq > $3"
      " ORDER BY c.seq LIMIT $4";
  std::vector<SealedCredential> items;
  std::vector<int64_t> seqs;
  {
    CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "list credentials"));
    s.BindText(1, workspace_id);
    if (filter.kind) {
      s.BindText(2, ServiceKindName(*filter.kind));
    } else {
      s.BindNull(2);
    }
    s.BindInt(3, after).BindInt(4, static_cast<int64_t>(page.limit) + 1);
    while (true) {
      CV_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      seqs.push_back(s.Int(0));
      CV_ASSIGN_OR_RETURN(SealedCredential credential, ReadCredential(s, 0));
      items.push_back(std::move(credential));
    }
  }
  Page<SealedCredential> result = MakePage(std::move(items), seqs, page.limit);
  for (SealedCredential& credential : result.items) {
    CV_ASSIGN_OR_RETURN(credential.grants, LoadCredentialGrants(credential.id));
  }
  return result;
}

template <SqlEngine Engine>
Result<std::vector<CredentialGrantRow>> SqlTx<Engine>::ListCredentialGrantsIn(
    std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  static const std::string sql =
      "SELECT credential_id, workspace_id, key_generation, wrapped_data_key, sealed_name"
      " FROM credential_grants WHERE workspace_id = $1 ORDER BY " +
      std::string(Engine::kGrantOrder);
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "list credential grants"));
  s.BindText(1, workspace_id);
  std::vector<CredentialGrantRow> rows;
  while (true) {
    CV_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    rows.push_back(CredentialGrantRow{s.Text(0), ReadGrant(s, 1)});
  }
  return rows;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertCredential(const SealedCredential& row) {
  CV_RETURN_IF_ERROR(CheckCredential(row));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO credentials (id, owner_id, workspace_id, kind, method, version,"
                  " created_at, updated_at, sealed_secret, rotate_recommended)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                  "insert credential"));
  s.BindText(1, row.id)
      .BindText(2, row.owner_id)
      .BindText(3, row.workspace_id)
      .BindText(4, ServiceKindName(row.kind))
      .BindText(5, AuthMethodName(row.method))
      .BindInt(6, static_cast<int64_t>(row.version))
      .BindInt(7, row.created_at)
      .BindInt(8, row.updated_at)
      .BindBlob(9, row.sealed_secret)
      .BindInt(10, row.rotate_recommended ? 1 : 0);
  CV_RETURN_IF_ERROR(s.Run());
  return WriteCredentialGrants(row.id, row.grants);
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::UpdateCredential(const SealedCredential& row,
                                                 uint64_t expected_version) {
  CV_RETURN_IF_ERROR(CheckCredential(row));
  CV_RETURN_IF_ERROR(checks::Version("expected_version", expected_version));
  if (row.version != expected_version + 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "a credential update must be sealed for the version after the expected one");
  }
  CV_ASSIGN_OR_RETURN(uint64_t next, NextVersion("SELECT version FROM credentials WHERE id = $1",
                                                 "credential", {row.id}, expected_version));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE credentials SET kind = $2, method = $3, version = $4, updated_at = $5,"
                  " sealed_secret = $6, rotate_recommended = $7 WHERE id = $1",
                  "update credential"));
  s.BindText(1, row.id)
      .BindText(2, ServiceKindName(row.kind))
      .BindText(3, AuthMethodName(row.method))
      .BindInt(4, static_cast<int64_t>(next))
      .BindInt(5, row.updated_at)
      .BindBlob(6, row.sealed_secret)
      .BindInt(7, row.rotate_recommended ? 1 : 0);
  CV_RETURN_IF_ERROR(s.Run());
  CV_RETURN_IF_ERROR(WriteCredentialGrants(row.id, row.grants));
  return next;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteCredential(std::string_view credential_id) {
  CV_RETURN_IF_ERROR(checks::Key("credential_id", credential_id));
  CV_ASSIGN_OR_RETURN(int64_t deleted, Execute("DELETE FROM credentials WHERE id = $1",
                                               "delete credential", {credential_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "credential not found");
  return Status::Ok();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::PutCredentialGrant(std::string_view credential_id,
                                         const CredentialGrant& grant) {
  CV_RETURN_IF_ERROR(checks::Key("credential_id", credential_id));
  CV_RETURN_IF_ERROR(CheckGrant(grant));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO credential_grants (credential_id, workspace_id, key_generation,"
                  " wrapped_data_key, sealed_name) VALUES ($1, $2, $3, $4, $5)"
                  " ON CONFLICT (credential_id, workspace_id) DO UPDATE SET"
                  " key_generation = excluded.key_generation,"
                  " wrapped_data_key = excluded.wrapped_data_key,"
                  " sealed_name = excluded.sealed_name",
                  "put credential grant"));
  s.BindText(1, credential_id)
      .BindText(2, grant.workspace_id)
      .BindInt(3, grant.key_generation)
      .BindBlob(4, grant.wrapped_data_key)
      .BindBlob(5, grant.sealed_name);
  return s.Run();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteCredentialGrant(std::string_view credential_id,
                                            std::string_view workspace_id) {
  CV_RETURN_IF_ERROR(checks::Key("credential_id", credential_id));
  CV_RETURN_IF_ERROR(checks::Key("workspace_id", workspace_id));
  CV_ASSIGN_OR_RETURN(
      int64_t deleted,
      Execute("DELETE FROM credential_grants WHERE credential_id = $1 AND workspace_id = $2",
              "delete credential grant", {credential_id, workspace_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "credential grant not found");
  return Status::Ok();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::SetRotateRecommended(std::string_view credential_id, bool value) {
  CV_RETURN_IF_ERROR(checks::Key("credential_id", credential_id));
  CV_ASSIGN_OR_RETURN(
      int64_t changed,
      Execute(value ? "UPDATE credentials SET rotate_recommended = TRUE WHERE id = $1"
                    : "UPDATE credentials SET rotate_recommended = FALSE WHERE id = $1",
              "set rotate recommended", {credential_id}));
  if (changed == 0) return Status(ErrorCode::kNotFound, "credential not found");
  return Status::Ok();
}

CV_SQL_TX_INSTANTIATE();

}  // namespace credvault::server::sql
