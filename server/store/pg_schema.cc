#include "store/pg_schema.h"

#include <iterator>
#include <string>

#include "store/migrations.h"

namespace credvault::server::pg {
namespace {

// The SQLite engine's layout in PostgreSQL types: listed rows carry `seq` (an identity column,
// the insertion order cursors page by), ciphertext, keys and digests are BYTEA, times and
// versions BIGINT, flags BOOLEAN. Enum columns hold the core's stable names (kind.h & co.).
constexpr const char* kMigration1 = R"sql(
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  kdf_ops_limit BIGINT NOT NULL,
  kdf_mem_limit_bytes BIGINT NOT NULL,
  salt BYTEA NOT NULL,
  keys_version BIGINT NOT NULL,
  box_public_key BYTEA NOT NULL,
  sign_public_key BYTEA NOT NULL,
  wrapped_private_keys BYTEA NOT NULL,
  recovery_wrapped_private_keys BYTEA NOT NULL,
  auth_hash TEXT NOT NULL,
  recovery_auth_hash TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Emails are unique ignoring ASCII case (lower() under the C collation folds ASCII only).
CREATE UNIQUE INDEX accounts_by_email ON accounts (lower(email COLLATE "C"));
CREATE TABLE sessions (
  token_digest BYTEA PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_digest BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions(account_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
CREATE TABLE rate_counters (
  key TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_by_window ON rate_counters(window_start);
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value BYTEA NOT NULL
);
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_generation BIGINT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE members (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  version BIGINT NOT NULL,
  added_at BIGINT NOT NULL,
  UNIQUE (workspace_id, account_id)
);
CREATE INDEX members_by_account ON members(account_id, seq);
CREATE TABLE key_grants (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  recipient_id TEXT NOT NULL,
  generation BIGINT NOT NULL,
  granter_id TEXT NOT NULL,
  includes_secrets BOOLEAN NOT NULL,
  sealed BYTEA NOT NULL,
  signature BYTEA NOT NULL,
  PRIMARY KEY (workspace_id, recipient_id, generation)
);
CREATE INDEX key_grants_by_recipient ON key_grants(recipient_id);
CREATE TABLE credentials (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  method TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  sealed_secret BYTEA NOT NULL,
  rotate_recommended BOOLEAN NOT NULL
);
CREATE TABLE credential_grants (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  credential_id TEXT NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key_generation BIGINT NOT NULL,
  wrapped_data_key BYTEA NOT NULL,
  sealed_name BYTEA NOT NULL,
  PRIMARY KEY (credential_id, workspace_id)
);
CREATE INDEX credential_grants_by_workspace ON credential_grants(workspace_id);
CREATE TABLE environments (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, id),
  UNIQUE (workspace_id, name)
);
CREATE TABLE connections (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  managed BOOLEAN NOT NULL,
  insecure_skip_verify BOOLEAN NOT NULL,
  test_outcome TEXT,
  tested_at BIGINT,
  test_latency_ms BIGINT,
  test_http_status BIGINT,
  test_runner_id TEXT,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  sealed_details BYTEA NOT NULL
);
CREATE INDEX connections_by_workspace ON connections(workspace_id, seq);
CREATE INDEX connections_by_credential ON connections(credential_id);
CREATE TABLE connection_environments (
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL,
  environment_id TEXT NOT NULL,
  position BIGINT NOT NULL,
  PRIMARY KEY (connection_id, environment_id),
  FOREIGN KEY (workspace_id, environment_id)
    REFERENCES environments(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX connection_environments_by_environment
  ON connection_environments(workspace_id, environment_id);
CREATE TABLE runners (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  box_public_key BYTEA NOT NULL,
  sign_public_key BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, id)
);
CREATE TABLE audit_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
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
ALTER TABLE workspaces ADD COLUMN monitor_default_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE connections ADD COLUMN monitor_interval_minutes BIGINT;
CREATE TABLE test_history (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  tested_at BIGINT NOT NULL,
  latency_ms BIGINT NOT NULL,
  http_status BIGINT NOT NULL,
  runner_id TEXT NOT NULL,
  source TEXT NOT NULL,
  state_before TEXT NOT NULL,
  state_after TEXT NOT NULL,
  client_cert_not_after BIGINT NOT NULL,
  server_cert_not_after BIGINT NOT NULL,
  token_expires_at BIGINT NOT NULL
);
CREATE INDEX test_history_by_connection ON test_history(connection_id, seq);
CREATE INDEX test_history_by_workspace ON test_history(workspace_id, seq);
)sql";

// Cross-server relay (relay/pg_relay.h): a sealed job posted to a server that does not hold
// the runner's WebSocket waits here for the server that does. Rows live for seconds; the job
// and the result are the same opaque bytes the runner socket carries (PostgreSQL only:
// a SQLite server is a single process).
constexpr const char* kMigration3 = R"sql(
CREATE TABLE relay_jobs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  runner_id TEXT NOT NULL,
  sign_public_key BYTEA NOT NULL,
  job BYTEA NOT NULL,
  posted_by TEXT NOT NULL,
  claimed_by TEXT,
  done BOOLEAN NOT NULL DEFAULT FALSE,
  result BYTEA,
  error_code TEXT,
  error_message TEXT,
  expires_at BIGINT NOT NULL
);
CREATE INDEX relay_jobs_by_expiry ON relay_jobs(expires_at);
)sql";

// Which server holds a WebSocket link to which runner (relay/pg_relay.h), so that every
// server's runners list says "connected" for a runner another server holds. Each server
// refreshes its own rows every second with a short expiry: a server that dies stops
// refreshing and its rows lapse. PostgreSQL only, as relay_jobs.
constexpr const char* kMigration4 = R"sql(
CREATE TABLE runner_presence (
  runner_id TEXT NOT NULL,
  sign_public_key BYTEA NOT NULL,
  held_by TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (runner_id, sign_public_key, held_by)
);
CREATE INDEX runner_presence_by_expiry ON runner_presence(expires_at);
)sql";

// The store's generation (store/read_cache.h): every write transaction of PostgresStore
// increments it, and a read reads it inside its snapshot, so that each server keeps the rows
// every request reads in memory and drops them when any server has written since.
constexpr const char* kMigration5 = R"sql(
CREATE TABLE store_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value BIGINT NOT NULL
);
INSERT INTO store_generation (id, value) VALUES (1, 0);
)sql";

// Index = version - 1. Append only.
constexpr const char* kMigrations[] = {kMigration1, kMigration2, kMigration3, kMigration4,
                                       kMigration5};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status ApplyMigrations(Connection& db, int64_t now) {
  // A session lock, taken before the transaction: the second server to start waits here,
  // then its transaction's snapshot already shows the first one's migrations.
  static const std::string lock =
      "SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")";
  static const std::string unlock =
      "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")";
  CV_RETURN_IF_ERROR(db.Exec(lock.c_str(), "lock migrations"));
  Status status = db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ", "begin migrations");
  if (status.ok()) status = ApplyMissingMigrations(db, now, kMigrations, kCreateMigrationsTable);
  if (status.ok()) {
    status = db.Exec("COMMIT", "commit migrations");
  } else if (db.InTransaction()) {
    (void)db.Exec("ROLLBACK", "roll back migrations");
  }
  // On a lost connection the server has released the lock already.
  Status unlocked = db.Exec(unlock.c_str(), "unlock migrations");
  CV_RETURN_IF_ERROR(status);
  return unlocked;
}

}  // namespace credvault::server::pg
