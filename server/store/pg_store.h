// PostgresStore: the hosted Store engine (issue 7), a PostgreSQL database reached through
// libpq, shared by any number of server processes.
//
// Chosen by a connection URL (postgres://... or postgresql://..., see IsPostgresUrl). New()
// connects, then applies the missing migrations under an advisory lock (pg_schema.h), so
// several servers starting at once are safe; it refuses a schema newer than this code
// (kUnsupportedVersion).
//
// Transactions keep the SQLite engine's semantics (store.h): writers are serialised — inside
// the process by a mutex, across processes by a session-level advisory lock taken BEFORE the
// transaction begins, so each writer's REPEATABLE READ snapshot already contains every
// earlier commit and no write can fail with a serialisation error (`fn` runs exactly once,
// never retried). Readers run concurrently in REPEATABLE READ READ ONLY snapshots. Commits
// are synchronous (synchronous_commit=on on every connection).
//
// Thread-safety: all methods may be called from any number of threads. Each call borrows a
// connection from a bounded pool (opened lazily, at most kMaxConnections; callers beyond
// that wait). Statements are prepared once per connection.
// Reconnection: a connection found broken (the database restarted, the network dropped) is
// discarded with every idle one; a call that had not started `fn` yet retries once on a
// fresh connection, otherwise it answers kUnavailable (503) and the next call reconnects.
// Ownership: the PostgresStore owns its connections; destroy it after every user is done.
// Errors: see store.h; kUnavailable when the database cannot be reached.
#ifndef CREDVAULT_SERVER_STORE_PG_STORE_H_
#define CREDVAULT_SERVER_STORE_PG_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "credvault/status.h"
#include "store/store.h"

namespace credvault::server {

class PostgresStore : public Store {
 public:
  static constexpr size_t kMaxConnections = 16;

  // True for a postgres:// or postgresql:// URL: what selects this engine over a file path.
  static bool IsPostgresUrl(std::string_view store);
  // The newest schema version this code knows.
  static int SchemaVersion();

  // Connects to `url` (a libpq connection URL) and migrates the database.
  static Result<std::unique_ptr<PostgresStore>> New(const std::string& url);

  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;
  ~PostgresStore() override;

  Status Transact(const std::function<Status(Tx&)>& fn) override;
  Status Read(const std::function<Status(ReadTx&)>& fn) override;
  Status Ping() override;
  std::string_view EngineName() const override { return "postgresql"; }

  class Impl;  // private; defined in pg_store.cc

 private:
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_PG_STORE_H_
