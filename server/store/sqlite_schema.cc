#include "store/sqlite_schema.h"

#include <iterator>
#include <string>

#include "store/migrations.h"

namespace credvault::server::sqlite {
namespace {

// Rows that are listed carry `seq`, the insertion order their cursors page by. Ciphertext,
// keys and digests are BLOBs. Enum columns hold the core's stable names (kind.h & co.).
constexpr const char* kMigration1 = R"sql(
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kdf_ops_limit INTEGER NOT NULL,
  kdf_mem_limit_bytes INTEGER NOT NULL,
  salt BLOB NOT NULL,
  keys_version INTEGER NOT NULL,
  box_public_key BLOB NOT NULL,
  sign_public_key BLOB NOT NULL,
  wrapped_private_keys BLOB NOT NULL,
  recovery_wrapped_private_keys BLOB NOT NULL,
  auth_hash TEXT NOT NULL,
  recovery_auth_hash TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_digest BLOB PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_digest BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_account ON sessions(account_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
CREATE TABLE rate_counters (
  key TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (key, window_start)
) WITHOUT ROWID;
CREATE INDEX rate_counters_by_window ON rate_counters(window_start);
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_generation INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE members (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  version INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  UNIQUE (workspace_id, account_id)
);
CREATE INDEX members_by_account ON members(account_id, seq);
CREATE TABLE key_grants (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  recipient_id TEXT NOT NULL,
  generation INTEGER NOT NULL,
  granter_id TEXT NOT NULL,
  includes_secrets INTEGER NOT NULL,
  sealed BLOB NOT NULL,
  signature BLOB NOT NULL,
  PRIMARY KEY (workspace_id, recipient_id, generation)
);
CREATE INDEX key_grants_by_recipient ON key_grants(recipient_id);
CREATE TABLE credentials (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  method TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sealed_secret BLOB NOT NULL,
  rotate_recommended INTEGER NOT NULL
);
CREATE TABLE credential_grants (
  credential_id TEXT NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key_generation INTEGER NOT NULL,
  wrapped_data_key BLOB NOT NULL,
  sealed_name BLOB NOT NULL,
  PRIMARY KEY (credential_id, workspace_id)
);
CREATE INDEX credential_grants_by_workspace ON credential_grants(workspace_id);
CREATE TABLE environments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (workspace_id, id),
  UNIQUE (workspace_id, name)
);
CREATE TABLE connections (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  managed INTEGER NOT NULL,
  insecure_skip_verify INTEGER NOT NULL,
  test_outcome TEXT,
  tested_at INTEGER,
  test_latency_ms INTEGER,
  test_http_status INTEGER,
  test_runner_id TEXT,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sealed_details BLOB NOT NULL
);
CREATE INDEX connections_by_workspace ON connections(workspace_id, seq);
CREATE INDEX connections_by_credential ON connections(credential_id);
CREATE TABLE connection_environments (
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL,
  environment_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (connection_id, environment_id),
  FOREIGN KEY (workspace_id, environment_id)
    REFERENCES environments(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX connection_environments_by_environment
  ON connection_environments(workspace_id, environment_id);
CREATE TABLE runners (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  box_public_key BLOB NOT NULL,
  sign_public_key BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, id)
);
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL
);
CREATE INDEX audit_events_by_workspace ON audit_events(workspace_id, seq);
)sql";

// Monitoring: schedules are plaintext columns (the server decides when a test is due);
// connections.monitor_interval_minutes NULL follows the workspace default. The history keeps
// outcome codes and times only, never the runner's message.
constexpr const char* kMigration2 = R"sql(
ALTER TABLE workspaces ADD COLUMN monitor_default_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE connections ADD COLUMN monitor_interval_minutes INTEGER;
CREATE TABLE test_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  tested_at INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  http_status INTEGER NOT NULL,
  runner_id TEXT NOT NULL,
  source TEXT NOT NULL,
  state_before TEXT NOT NULL,
  state_after TEXT NOT NULL,
  client_cert_not_after INTEGER NOT NULL,
  server_cert_not_after INTEGER NOT NULL,
  token_expires_at INTEGER NOT NULL
);
CREATE INDEX test_history_by_connection ON test_history(connection_id, seq);
CREATE INDEX test_history_by_workspace ON test_history(workspace_id, seq);
)sql";

// Index = version - 1. Append only.
constexpr const char* kMigrations[] = {kMigration1, kMigration2};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status ApplyMigrations(Connection& db, int64_t now) {
  CV_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "begin migrations"));
  Status status = ApplyMissingMigrations(db, now, kMigrations, kCreateMigrationsTable);
  if (!status.ok()) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK", "roll back migrations");
    return status;
  }
  return db.Exec("COMMIT", "commit migrations");
}

}  // namespace credvault::server::sqlite
