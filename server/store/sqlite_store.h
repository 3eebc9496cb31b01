// SqliteStore: the embedded Store engine (DESIGN §7), one SQLite file under the data directory.
//
// Opened in WAL mode with synchronous=FULL (an acknowledged Transact survives kill -9 and
// power loss), foreign_keys=ON and a busy timeout. The schema is versioned: New() applies the
// missing migrations in one transaction (recorded in schema_migrations) and refuses a database
// whose schema is newer than this code (kUnsupportedVersion), so an old binary never writes
// to a newer layout. New() is idempotent on an up-to-date file.
//
// Thread-safety: all methods may be called from any number of threads. Each call takes a
// connection from a small pool (opened lazily, at most kMaxConnections); writers are
// serialised by a mutex, readers run in parallel on WAL snapshots. Statements are prepared
// once per connection and reused. The rows every authenticated request reads are kept in a
// ReadCache between writes (read_cache.h), which is only sound while this process alone
// writes the file: New() takes an exclusive lock on "<path>.lock" and answers kUnavailable
// when another process (another server on the same data directory) holds it.
// Ownership: the SqliteStore owns its connections; destroy it after every user is done.
// Errors: see store.h; kInternal when the file cannot be opened or SQLite fails.
#ifndef CREDVAULT_SERVER_STORE_SQLITE_STORE_H_
#define CREDVAULT_SERVER_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "credvault/status.h"
#include "store/store.h"

namespace credvault::server {

class SqliteStore : public Store {
 public:
  // The newest schema version this code knows.
  static int SchemaVersion();
  // The conventional file name inside the data directory.
  static constexpr const char* kFileName = "credvault.db";

  // Opens (creating if needed, mode 0600) and migrates the database at `path`.
  static Result<std::unique_ptr<SqliteStore>> New(const std::string& path);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  Status Transact(const std::function<Status(Tx&)>& fn) override;
  Status Read(const std::function<Status(ReadTx&)>& fn) override;
  Status Ping() override;
  std::string_view EngineName() const override { return "sqlite"; }

  class Impl;  // private; defined in sqlite_store.cc

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_SQLITE_STORE_H_
