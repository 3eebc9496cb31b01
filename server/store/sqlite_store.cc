#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "store/connection_pool.h"
#include "store/read_cache.h"
#include "store/sql_tx.h"
#include "store/sqlite_db.h"
#include "store/sqlite_schema.h"
#include "store/transaction_scope.h"

namespace credvault::server {
namespace {

using sqlite::Connection;

// Enough for the io_context threads to read in parallel; SQLite has a single writer anyway.
constexpr size_t kMaxConnections = 8;

// An exclusive flock(2) on "<database>.lock" for the store's lifetime: the ReadCache sees only
// this process's writes, so a second server on the same file is refused rather than served
// stale rows. A lock file of its own: closing any descriptor of the database file itself would
// drop SQLite's POSIX locks. The kernel releases it when the process dies, even by SIGKILL.
class ExclusiveLock {
 public:
  static Result<std::unique_ptr<ExclusiveLock>> Take(const std::string& database_path) {
    const std::string path = database_path + ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Status(ErrorCode::kInternal, "open " + path + ": " + std::strerror(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) {
        return Status(ErrorCode::kUnavailable,
                      "the database " + database_path +
                          " is in use by another process (another credvault-server on this"
                          " data directory?)");
      }
      return Status(ErrorCode::kInternal, "lock " + path + ": " + std::strerror(error));
    }
    return std::unique_ptr<ExclusiveLock>(new ExclusiveLock(fd));
  }
  ~ExclusiveLock() { ::close(fd_); }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;

 private:
  explicit ExclusiveLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

class SqliteStore::Impl {
 public:
  Impl(std::string path, std::unique_ptr<ExclusiveLock> lock)
      : lock_(std::move(lock)),
        pool_(kMaxConnections, [path = std::move(path)] { return Connection::Open(path); }) {}

  // A connection for this thread's exclusive use until Release.
  Result<std::unique_ptr<Connection>> Acquire() { return pool_.Acquire(); }
  // Returns a connection to the pool; one left inside a transaction is closed instead.
  void Release(std::unique_ptr<Connection> connection) {
    const bool reusable = !connection->InTransaction();
    pool_.Release(std::move(connection), reusable);
  }

  std::mutex& write_mutex() { return write_mutex_; }
  ReadCache& cache() { return cache_; }
  // The ReadCache's generation (read_cache.h): odd while a write transaction runs, advanced
  // around every write, whatever its outcome.
  uint64_t generation() const { return generation_.load(); }
  static bool Writing(uint64_t generation) { return (generation & 1) != 0; }
  void BeginWrite() { generation_.fetch_add(1); }
  void EndWrite() { generation_.fetch_add(1); }

 private:
  // Declared first, so released after every connection has closed.
  const std::unique_ptr<ExclusiveLock> lock_;
  ConnectionPool<Connection> pool_;
  ReadCache cache_;
  std::atomic<uint64_t> generation_{0};
  std::mutex write_mutex_;
};

namespace {

// Runs `fn` between `begin` and COMMIT on a pooled connection; rolls back on any error. With a
// ReadCache scope, BEGIN waits for fn's first statement (there is none when the cache answers
// everything), which then starts the snapshot at once for the scope to check (read_cache.h).
template <typename TxType, typename Fn>
Status RunTransaction(SqliteStore::Impl& impl, const char* begin, const Fn& fn,
                      ReadCache::Scope* cache = nullptr) {
  CV_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, impl.Acquire());
  connection->DeferStart([&]() -> Status {
    CV_RETURN_IF_ERROR(connection->Run(begin, "begin transaction"));
    if (cache == nullptr) return Status::Ok();
    // BEGIN DEFERRED takes no snapshot; the first statement that reads the file does.
    CV_RETURN_IF_ERROR(connection->Run("PRAGMA schema_version", "start read snapshot"));
    return cache->SnapshotStarted(impl.generation());
  });
  // Without a cache, the transaction starts now.
  Status status = cache == nullptr ? connection->StartNow() : Status::Ok();
  if (status.ok()) {
    sql::SqlTx<sqlite::Engine> tx(*connection, cache);
    {
      TransactionScope scope;
      status = fn(static_cast<TxType&>(tx));
    }
    if (connection->Started()) {
      if (status.ok() && !connection->InTransaction()) {
        // SQLite rolls back by itself after some I/O and memory errors.
        status = Status(ErrorCode::kInternal, "the transaction was rolled back by the engine");
      }
      if (status.ok()) status = connection->Run("COMMIT", "commit transaction");
      if (!status.ok() && connection->InTransaction()) {
        (void)connection->Run("ROLLBACK", "roll back transaction");
      }
    }
  }
  connection->ForgetStart();
  impl.Release(std::move(connection));
  return status;
}

}  // namespace

int SqliteStore::SchemaVersion() { return sqlite::LatestSchemaVersion(); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::New(const std::string& path) {
  if (path.empty()) return Status(ErrorCode::kInvalidArgument, "database path is required");
  CV_ASSIGN_OR_RETURN(std::unique_ptr<ExclusiveLock> lock, ExclusiveLock::Take(path));
  auto impl = std::make_unique<Impl>(path, std::move(lock));
  CV_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, impl->Acquire());
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  Status migrated = sqlite::ApplyMigrations(*connection, now);
  impl->Release(std::move(connection));
  CV_RETURN_IF_ERROR(migrated);
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() = default;

Status SqliteStore::Transact(const std::function<Status(Tx&)>& fn) {
  if (TransactionScope::Active()) return NestedTransaction();
  // One writer at a time inside the process; BEGIN IMMEDIATE (with the busy timeout) orders
  // us against other processes on the same file.
  std::lock_guard lock(impl_->write_mutex());
  // Every write, committed or not, invalidates every cached row (read_cache.h).
  impl_->BeginWrite();
  Status status = RunTransaction<Tx>(*impl_, "BEGIN IMMEDIATE", fn);
  impl_->EndWrite();
  return status;
}

Status SqliteStore::Read(const std::function<Status(ReadTx&)>& fn) {
  if (TransactionScope::Active()) return NestedTransaction();
  const uint64_t generation = impl_->generation();
  if (Impl::Writing(generation)) return RunTransaction<ReadTx>(*impl_, "BEGIN DEFERRED", fn);
  ReadCache::Scope scope(impl_->cache(), generation);
  Status status = RunTransaction<ReadTx>(*impl_, "BEGIN DEFERRED", fn, &scope);
  // fn used cached rows, then a write began before it needed the file: run it again on one
  // snapshot alone (fn may run twice; store.h).
  if (scope.aborted()) return RunTransaction<ReadTx>(*impl_, "BEGIN DEFERRED", fn);
  return status;
}

Status SqliteStore::Ping() {
  return Read([](ReadTx& tx) -> Status {
    // Any cheap query that touches the schema proves the file is open and readable.
    Result<uint64_t> counter = tx.GetCounter("ping", 0);
    return counter.status();
  });
}

}  // namespace credvault::server
