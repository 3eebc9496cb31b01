// SqlTx: accounts, sessions, rate-limit counters and server secrets.
#include <string>

#include "store/sql_tx.h"

namespace credvault::server::sql {
namespace {

namespace checks = store_checks;

constexpr const char* kAccountColumns =
    "SELECT id, email, kdf_ops_limit, kdf_mem_limit_bytes, salt, keys_version, box_public_key,"
    " sign_public_key, wrapped_private_keys, recovery_wrapped_private_keys, auth_hash,"
    " recovery_auth_hash, version, created_at, updated_at FROM accounts ";

template <typename Statement>
AccountRow ReadAccount(const Statement& s) {
  AccountRow row;
  row.record.account_id = s.Text(0);
  row.record.email = s.Text(1);
  row.record.kdf.ops_limit = static_cast<uint64_t>(s.Int(2));
  row.record.kdf.mem_limit_bytes = static_cast<uint64_t>(s.Int(3));
  row.record.salt = s.Blob(4);
  row.record.keys_version = static_cast<uint64_t>(s.Int(5));
  row.record.box_public_key = s.Blob(6);
  row.record.sign_public_key = s.Blob(7);
  row.record.wrapped_private_keys = s.Blob(8);
  row.record.recovery_wrapped_private_keys = s.Blob(9);
  row.auth_hash = s.Text(10);
  row.recovery_auth_hash = s.Text(11);
  row.version = static_cast<uint64_t>(s.Int(12));
  row.created_at = s.Int(13);
  row.updated_at = s.Int(14);
  return row;
}

Status CheckAccount(const AccountRow& row) {
  const AccountRecord& r = row.record;
  CV_RETURN_IF_ERROR(checks::Key("account_id", r.account_id));
  CV_RETURN_IF_ERROR(checks::Key("email", r.email));
  CV_RETURN_IF_ERROR(checks::Key("auth_hash", row.auth_hash));
  CV_RETURN_IF_ERROR(checks::Key("recovery_auth_hash", row.recovery_auth_hash));
  CV_RETURN_IF_ERROR(checks::Blob("salt", r.salt));
  CV_RETURN_IF_ERROR(checks::Blob("box_public_key", r.box_public_key));
  CV_RETURN_IF_ERROR(checks::Blob("sign_public_key", r.sign_public_key));
  CV_RETURN_IF_ERROR(checks::Blob("wrapped_private_keys", r.wrapped_private_keys));
  CV_RETURN_IF_ERROR(
      checks::Blob("recovery_wrapped_private_keys", r.recovery_wrapped_private_keys));
  CV_RETURN_IF_ERROR(checks::Version("keys_version", r.keys_version));
  // Stored as signed 64-bit integers.
  if (r.kdf.ops_limit > static_cast<uint64_t>(INT64_MAX) ||
      r.kdf.mem_limit_bytes > static_cast<uint64_t>(INT64_MAX)) {
    return Status(ErrorCode::kInvalidArgument, "kdf is out of range");
  }
  return Status::Ok();
}

// Binds $1..$13: every column a write sets but created_at and version.
template <typename Statement>
void BindAccount(Statement& s, const AccountRow& row) {
  const AccountRecord& r = row.record;
  s.BindText(1, r.account_id)
      .BindText(2, r.email)
      .BindInt(3, static_cast<int64_t>(r.kdf.ops_limit))
      .BindInt(4, static_cast<int64_t>(r.kdf.mem_limit_bytes))
      .BindBlob(5, r.salt)
      .BindInt(6, static_cast<int64_t>(r.keys_version))
      .BindBlob(7, r.box_public_key)
      .BindBlob(8, r.sign_public_key)
      .BindBlob(9, r.wrapped_private_keys)
      .BindBlob(10, r.recovery_wrapped_private_keys)
      .BindText(11, row.auth_hash)
      .BindText(12, row.recovery_auth_hash)
      .BindInt(13, row.updated_at);
}

}  // namespace

template <SqlEngine Engine>
Result<AccountRow> SqlTx<Engine>::GetAccount(std::string_view account_id) {
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  static const std::string sql = std::string(kAccountColumns) + "WHERE id = $1";
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "get account"));
  s.BindText(1, account_id);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "account not found");
  return ReadAccount(s);
}

template <SqlEngine Engine>
Result<AccountRow> SqlTx<Engine>::GetAccountByEmail(std::string_view email) {
  CV_RETURN_IF_ERROR(checks::Key("email", email));
  static const std::string sql = std::string(kAccountColumns) + "WHERE " + Engine::kEmailMatches;
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql.c_str(), "get account by email"));
  s.BindText(1, email);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "account not found");
  return ReadAccount(s);
}

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertAccount(const AccountRow& row) {
  CV_RETURN_IF_ERROR(CheckAccount(row));
  CV_RETURN_IF_ERROR(checks::Version("version", row.version));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO accounts (id, email, kdf_ops_limit, kdf_mem_limit_bytes, salt,"
                  " keys_version, box_public_key, sign_public_key, wrapped_private_keys,"
                  " recovery_wrapped_private_keys, auth_hash, recovery_auth_hash, updated_at,"
                  " created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                  " $12, $13, $14, $15)",
                  "insert account"));
  BindAccount(s, row);
  s.BindInt(14, row.created_at).BindInt(15, static_cast<int64_t>(row.version));
  return s.Run();
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::UpdateAccount(const AccountRow& row, uint64_t expected_version) {
  CV_RETURN_IF_ERROR(CheckAccount(row));
  CV_ASSIGN_OR_RETURN(uint64_t next,
                      NextVersion("SELECT version FROM accounts WHERE id = $1", "account",
                                  {row.record.account_id}, expected_version));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE accounts SET email = $2, kdf_ops_limit = $3, kdf_mem_limit_bytes = $4,"
                  " salt = $5, keys_version = $6, box_public_key = $7, sign_public_key = $8,"
                  " wrapped_private_keys = $9, recovery_wrapped_private_keys = $10,"
                  " auth_hash = $11, recovery_auth_hash = $12, updated_at = $13, version = $14"
                  " WHERE id = $1",
                  "update account"));
  BindAccount(s, row);
  s.BindInt(14, static_cast<int64_t>(next));
  CV_RETURN_IF_ERROR(s.Run());
  return next;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteAccount(std::string_view account_id) {
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  CV_RETURN_IF_ERROR(Execute("DELETE FROM key_grants WHERE recipient_id = $1",
                             "delete account's key grants", {account_id})
                         .status());
  // Sessions and memberships go by ON DELETE CASCADE.
  CV_ASSIGN_OR_RETURN(int64_t deleted, Execute("DELETE FROM accounts WHERE id = $1",
                                               "delete account", {account_id}));
  if (deleted == 0) return Status(ErrorCode::kNotFound, "account not found");
  return Status::Ok();
}

template <SqlEngine Engine>
Result<SessionRow> SqlTx<Engine>::GetSession(ByteView token_digest, int64_t now) {
  CV_RETURN_IF_ERROR(checks::Key("token_digest", token_digest));
  const SessionRow* cached = cache_ == nullptr ? nullptr : cache_->FindSession(token_digest);
  if (cached != nullptr) {
    if (cached->expires_at > now) return *cached;
    return Status(ErrorCode::kNotFound, "session not found");
  }
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT token_digest, account_id, csrf_digest, created_at, expires_at"
                  " FROM sessions WHERE token_digest = $1 AND expires_at > $2",
                  "get session"));
  s.BindBlob(1, token_digest).BindInt(2, now);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "session not found");
  SessionRow session;
  session.token_digest = s.Blob(0);
  session.account_id = s.Text(1);
  session.csrf_digest = s.Blob(2);
  session.created_at = s.Int(3);
  session.expires_at = s.Int(4);
  if (cache_ != nullptr) cache_->PutSession(session);
  return session;
}

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertSession(const SessionRow& row) {
  CV_RETURN_IF_ERROR(checks::Key("token_digest", row.token_digest));
  CV_RETURN_IF_ERROR(checks::Key("account_id", row.account_id));
  CV_RETURN_IF_ERROR(checks::Key("csrf_digest", row.csrf_digest));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO sessions (token_digest, account_id, csrf_digest, created_at,"
                  " expires_at) VALUES ($1, $2, $3, $4, $5)",
                  "insert session"));
  s.BindBlob(1, row.token_digest)
      .BindText(2, row.account_id)
      .BindBlob(3, row.csrf_digest)
      .BindInt(4, row.created_at)
      .BindInt(5, row.expires_at);
  return s.Run();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::DeleteSession(ByteView token_digest) {
  CV_RETURN_IF_ERROR(checks::Key("token_digest", token_digest));
  CV_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("DELETE FROM sessions WHERE token_digest = $1", "delete session"));
  s.BindBlob(1, token_digest);
  CV_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) return Status(ErrorCode::kNotFound, "session not found");
  return Status::Ok();
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::DeleteSessionsOf(std::string_view account_id, ByteView keep) {
  CV_RETURN_IF_ERROR(checks::Key("account_id", account_id));
  CV_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("DELETE FROM sessions WHERE account_id = $1 AND token_digest <> $2",
                               "delete sessions of account"));
  // An empty blob matches no digest (digests are never empty), so nothing is kept.
  s.BindText(1, account_id).BindBlob(2, keep);
  CV_RETURN_IF_ERROR(s.Run());
  return static_cast<uint64_t>(db_.Changes());
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::DeleteExpiredSessions(int64_t now) {
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM sessions WHERE expires_at <= $1",
                                               "delete expired sessions"));
  s.BindInt(1, now);
  CV_RETURN_IF_ERROR(s.Run());
  return static_cast<uint64_t>(db_.Changes());
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::GetCounter(std::string_view key, int64_t window_start) {
  CV_RETURN_IF_ERROR(checks::Key("key", key));
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT count FROM rate_counters WHERE key = $1 AND window_start = $2",
                  "get counter"));
  s.BindText(1, key).BindInt(2, window_start);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<uint64_t>(s.Int(0)) : uint64_t{0};
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::IncrementCounter(std::string_view key, int64_t window_start,
                                                 uint64_t by) {
  CV_RETURN_IF_ERROR(checks::Key("key", key));
  if (by > static_cast<uint64_t>(INT32_MAX)) {
    return Status(ErrorCode::kInvalidArgument, "by is out of range");
  }
  CV_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO rate_counters (key, window_start, count) VALUES ($1, $2, $3)"
                  " ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + $3"
                  " RETURNING count",
                  "increment counter"));
  s.BindText(1, key).BindInt(2, window_start).BindInt(3, static_cast<int64_t>(by));
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kInternal, "increment counter: no count returned");
  uint64_t count = static_cast<uint64_t>(s.Int(0));
  CV_RETURN_IF_ERROR(s.Run());
  return count;
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::DeleteCountersBefore(int64_t window_start) {
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare("DELETE FROM rate_counters WHERE window_start < $1",
                                               "delete old counters"));
  s.BindInt(1, window_start);
  CV_RETURN_IF_ERROR(s.Run());
  return static_cast<uint64_t>(db_.Changes());
}

template <SqlEngine Engine>
Result<Bytes> SqlTx<Engine>::GetServerSecret(std::string_view name) {
  CV_RETURN_IF_ERROR(checks::Key("name", name));
  CV_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT value FROM server_secrets WHERE name = $1",
                                               "get server secret"));
  s.BindText(1, name);
  CV_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status(ErrorCode::kNotFound, "server secret not found");
  return s.Blob(0);
}

template <SqlEngine Engine>
Status SqlTx<Engine>::InsertServerSecret(std::string_view name, ByteView value) {
  CV_RETURN_IF_ERROR(checks::Key("name", name));
  CV_RETURN_IF_ERROR(checks::Blob("value", value));
  CV_ASSIGN_OR_RETURN(Statement s,
                      db_.Prepare("INSERT INTO server_secrets (name, value) VALUES ($1, $2)",
                                  "insert server secret"));
  s.BindText(1, name).BindBlob(2, value);
  return s.Run();
}

CV_SQL_TX_INSTANTIATE();

}  // namespace credvault::server::sql
