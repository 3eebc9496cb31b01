#include "store/pg_store.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/connection_pool.h"
#include "store/pg_db.h"
#include "store/pg_schema.h"
#include "store/read_cache.h"
#include "store/sql_tx.h"
#include "store/transaction_scope.h"

namespace credvault::server {
namespace {

using pg::Connection;

const std::string& WriterLockSql() {
  static const std::string sql =
      "SELECT pg_advisory_lock(" + std::to_string(pg::kWriterLockKey) + ")";
  return sql;
}
const std::string& WriterUnlockSql() {
  static const std::string sql =
      "SELECT pg_advisory_unlock(" + std::to_string(pg::kWriterLockKey) + ")";
  return sql;
}

}  // namespace

class PostgresStore::Impl {
 public:
  explicit Impl(std::string url)
      : pool_(kMaxConnections, [url = std::move(url)] { return Connection::Open(url); }) {}

  // A connection for this thread's exclusive use until Release.
  Result<std::unique_ptr<Connection>> Acquire() { return pool_.Acquire(); }

  // Returns a connection to the pool. A broken one is closed, and so is every idle one: they
  // were most likely cut by the same database restart, and would each fail one more call.
  // One left inside a transaction is closed too.
  void Release(std::unique_ptr<Connection> connection) {
    const bool healthy = connection->Healthy();
    const bool reusable = healthy && !connection->InTransaction();
    pool_.Release(std::move(connection), reusable, /*close_idle=*/!healthy);
  }

  std::mutex& write_mutex() { return write_mutex_; }
  ReadCache& cache() { return cache_; }

 private:
  ConnectionPool<Connection> pool_;
  ReadCache cache_;
  std::mutex write_mutex_;
};

namespace {

// Ends the transaction: COMMIT when `status` is ok and the transaction can commit, else
// ROLLBACK. Returns the outcome.
Status Finish(Connection& connection, Status status) {
  if (status.ok() && connection.TransactionFailed()) {
    // A statement failed and `fn` went on anyway: PostgreSQL would turn COMMIT into a
    // ROLLBACK without an error, so say it.
    status = Status(ErrorCode::kInternal, "the transaction was aborted by the database");
  }
  if (status.ok()) status = connection.Exec("COMMIT", "commit transaction");
  if (!status.ok() && connection.Healthy() && connection.InTransaction()) {
    (void)connection.Exec("ROLLBACK", "roll back transaction");
  }
  return status;
}

// The store generation (read_cache.h), in the row that every write transaction advances.
constexpr const char* kReadGeneration = "SELECT value FROM store_generation WHERE id = 1";

// Begins a read: its snapshot and, in the same round trip, the store generation it shows.
Result<int64_t> BeginRead(Connection& connection) {
  static const std::string sql =
      std::string("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ") + kReadGeneration;
  return connection.ExecForInt(sql.c_str(), "begin transaction");
}

// Runs `fn` in a transaction on a pooled connection. A write transaction first takes the
// writers' advisory lock (before BEGIN, so the snapshot follows every earlier commit),
// advances the store generation before it commits (read_cache.h) and releases the lock after
// COMMIT or ROLLBACK. A read with `use_cache` reads the generation first, outside any
// transaction, and begins its snapshot only when a row it needs is not cached for that
// generation: a read answered from the ReadCache is one round trip. When the connection
// turns out broken before `fn` ran, the attempt is repeated once on a fresh connection; `fn`
// itself runs at most once per attempt that reached it (a read whose cached rows a write
// overtook runs again without the cache; store.h).
template <typename TxType, typename Fn>
Status RunTransaction(PostgresStore::Impl& impl, bool write, const Fn& fn, bool use_cache = true) {
  for (int attempt = 0;; ++attempt) {
    CV_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, impl.Acquire());
    Status status = Status::Ok();
    std::optional<ReadCache::Scope> cache;
    if (write) {
      status = connection->Exec(WriterLockSql().c_str(), "lock writers");
      if (status.ok()) {
        status = connection->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ", "begin transaction");
      }
    } else if (use_cache) {
      Result<int64_t> generation = connection->ExecForInt(kReadGeneration, "read store generation");
      status = generation.status();
      if (status.ok()) {
        cache.emplace(impl.cache(), static_cast<uint64_t>(*generation));
        connection->DeferStart([&connection, &cache]() -> Status {
          CV_ASSIGN_OR_RETURN(int64_t snapshot_generation, BeginRead(*connection));
          return cache->SnapshotStarted(static_cast<uint64_t>(snapshot_generation));
        });
      }
    } else {
      status = BeginRead(*connection).status();
    }
    if (!status.ok()) {
      bool broken = !connection->Healthy();
      impl.Release(std::move(connection));
      if (broken && attempt == 0) continue;
      return status;
    }
    connection->SetStatementSavepoints(write);
    sql::SqlTx<pg::Engine> tx(*connection, cache ? &*cache : nullptr);
    {
      TransactionScope scope;
      status = fn(static_cast<TxType&>(tx));
    }
    connection->SetStatementSavepoints(false);
    const bool began = !cache || connection->Started();
    connection->ForgetStart();
    if (write && status.ok() && !connection->TransactionFailed()) {
      status = connection->Exec("UPDATE store_generation SET value = value + 1 WHERE id = 1",
                                "advance store generation");
    }
    if (began) status = Finish(*connection, std::move(status));
    if (write && connection->Healthy()) {
      // If this fails the connection is broken, and the server released the lock with it.
      (void)connection->Exec(WriterUnlockSql().c_str(), "unlock writers");
    }
    impl.Release(std::move(connection));
    if (cache && cache->aborted()) return RunTransaction<TxType>(impl, write, fn, false);
    return status;
  }
}

}  // namespace

bool PostgresStore::IsPostgresUrl(std::string_view store) {
  return store.substr(0, 11) == "postgres://" || store.substr(0, 13) == "postgresql://";
}

int PostgresStore::SchemaVersion() { return pg::LatestSchemaVersion(); }

Result<std::unique_ptr<PostgresStore>> PostgresStore::New(const std::string& url) {
  if (url.empty()) return Status(ErrorCode::kInvalidArgument, "database URL is required");
  auto impl = std::make_unique<Impl>(url);
  CV_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, impl->Acquire());
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  Status migrated = pg::ApplyMigrations(*connection, now);
  impl->Release(std::move(connection));
  CV_RETURN_IF_ERROR(migrated);
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PostgresStore::~PostgresStore() = default;

Status PostgresStore::Transact(const std::function<Status(Tx&)>& fn) {
  if (TransactionScope::Active()) return NestedTransaction();
  // One writer at a time inside the process, so waiting writers do not each hold a pooled
  // connection; the advisory lock orders us against other servers on the same database.
  std::lock_guard lock(impl_->write_mutex());
  return RunTransaction<Tx>(*impl_, /*write=*/true, fn);
}

Status PostgresStore::Read(const std::function<Status(ReadTx&)>& fn) {
  if (TransactionScope::Active()) return NestedTransaction();
  return RunTransaction<ReadTx>(*impl_, /*write=*/false, fn);
}

Status PostgresStore::Ping() {
  return Read([](ReadTx& tx) -> Status {
    // A query on the schema proves the database is reachable and migrated.
    Result<uint64_t> counter = tx.GetCounter("ping", 0);
    return counter.status();
  });
}

}  // namespace credvault::server
