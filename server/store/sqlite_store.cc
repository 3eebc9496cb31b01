#include "store/sqlite_store.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "store/sql_tx.h"
#include "store/sqlite_db.h"
#include "store/sqlite_schema.h"

namespace credvault::server {
namespace {

using sqlite::Connection;

// Enough for the io_context threads to read in parallel; SQLite has a single writer anyway.
constexpr size_t kMaxConnections = 8;

// Set while this thread runs a transaction's fn: a nested Transact/Read would deadlock on the
// write mutex or see a different snapshot, so it is refused.
thread_local bool t_in_transaction = false;

class TransactionScope {
 public:
  TransactionScope() { t_in_transaction = true; }
  ~TransactionScope() { t_in_transaction = false; }
  TransactionScope(const TransactionScope&) = delete;
  TransactionScope& operator=(const TransactionScope&) = delete;
};

Status Nested() {
  return Status(ErrorCode::kInternal, "a store transaction was started inside another");
}

}  // namespace

class SqliteStore::Impl {
 public:
  explicit Impl(std::string path) : path_(std::move(path)) {}

  // A connection for this thread's exclusive use until Release.
  Result<std::unique_ptr<Connection>> Acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < kMaxConnections; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    Result<std::unique_ptr<Connection>> opened = Connection::Open(path_);
    if (!opened.ok()) {
      lock.lock();
      --open_;
      available_.notify_one();
    }
    return opened;
  }

  // Returns a connection to the pool; one left inside a transaction is closed instead.
  void Release(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    if (connection->InTransaction()) {
      connection.reset();
      --open_;
    } else {
      idle_.push_back(std::move(connection));
    }
    available_.notify_one();
  }

  std::mutex& write_mutex() { return write_mutex_; }

 private:
  const std::string path_;
  std::mutex write_mutex_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;
};

namespace {

// Runs `fn` between `begin` and COMMIT on a pooled connection; rolls back on any error.
template <typename TxType, typename Fn>
Status RunTransaction(SqliteStore::Impl& impl, const char* begin, const Fn& fn) {
  CV_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, impl.Acquire());
  Status status = connection->Run(begin, "begin transaction");
  if (status.ok()) {
    sql::SqlTx<sqlite::Engine> tx(*connection);
    {
      TransactionScope scope;
      status = fn(static_cast<TxType&>(tx));
    }
    if (status.ok() && !connection->InTransaction()) {
      // SQLite rolls back by itself after some I/O and memory errors.
      status = Status(ErrorCode::kInternal, "the transaction was rolled back by the engine");
    }
    if (status.ok()) status = connection->Run("COMMIT", "commit transaction");
    if (!status.ok() && connection->InTransaction()) {
      (void)connection->Run("ROLLBACK", "roll back transaction");
    }
  }
  impl.Release(std::move(connection));
  return status;
}

}  // namespace

int SqliteStore::SchemaVersion() { return sqlite::LatestSchemaVersion(); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::New(const std::string& path) {
  if (path.empty()) return Status(ErrorCode::kInvalidArgument, "database path is required");
  auto impl = std::make_unique<Impl>(path);
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
  if (t_in_transaction) return Nested();
  // One writer at a time inside the process; BEGIN IMMEDIATE (with the busy timeout) orders
  // us against other processes on the same file.
  std::lock_guard lock(impl_->write_mutex());
  return RunTransaction<Tx>(*impl_, "BEGIN IMMEDIATE", fn);
}

Status SqliteStore::Read(const std::function<Status(ReadTx&)>& fn) {
  if (t_in_transaction) return Nested();
  return RunTransaction<ReadTx>(*impl_, "BEGIN DEFERRED", fn);
}

Status SqliteStore::Ping() {
  return Read([](ReadTx& tx) -> Status {
    // Any cheap query that touches the schema proves the file is open and readable.
    Result<uint64_t> counter = tx.GetCounter("ping", 0);
    return counter.status();
  });
}

}  // namespace credvault::server
