// Thin RAII layer over libpq for the PostgreSQL engine: a connection with its cache of
// prepared statements, and a statement that binds parameters, runs once and walks its rows.
// Its shape mirrors sqlite_db.h so that one SQL-level Tx (sql_tx.h) runs on both engines;
// Engine names the types, with PostgreSQL's dialect, for it.
//
// A Connection is used by one thread at a time (the engine's pool hands it out). Statements
// are prepared once per connection (PQprepare) and keyed by their SQL text; parameter types
// are inferred by the server from the SQL. Parameters travel as text (integers) or binary
// (text and bytea: exact bytes, no escaping, a NUL in text is refused by the server rather
// than silently cutting the value); results come back in binary, so bytea needs no decoding.
//
// Errors map SQLSTATEs onto the store's codes: unique_violation → kConflict,
// foreign_key_violation → kNotFound, bad data (too long, bad encoding, out of range) →
// kInvalidArgument, a lost connection or a server shutting down → kUnavailable (and the
// connection is marked broken, so the pool drops it), anything else → kInternal. Messages
// name the operation and the SQLSTATE, never a bound value nor the server's message text
// (which can quote values).
#ifndef CREDVAULT_SERVER_STORE_PG_DB_H_
#define CREDVAULT_SERVER_STORE_PG_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "credvault/secret.h"
#include "credvault/status.h"
#include "store/deferred_start.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace credvault::server::pg {

class Connection;

class Statement {
 public:
  Statement(Connection& connection, const std::string& name, int params, bool writes,
            std::string_view what);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based (SQL uses $1, $2, ...).
  Statement& BindText(int index, std::string_view value);
  Statement& BindBlob(int index, ByteView value);
  Statement& BindInt(int index, int64_t value);
  Statement& BindNull(int index);

  // The first call runs the statement; then Ok(true) per row, Ok(false) when done.
  Result<bool> Step();
  // Runs the statement (unless a Step already did), ignoring rows; the bindings stay, so the
  // statement can be bound again and re-run, e.g. in a loop of inserts.
  Status Run();

  bool IsNull(int column) const;
  // bigint, integer, smallint or boolean (true = 1).
  int64_t Int(int column) const;
  std::string Text(int column) const;
  Bytes Blob(int column) const;

 private:
  Status Execute();
  void Clear();

  Connection* connection_;
  const std::string* name_;
  bool writes_;
  std::string_view what_;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> format_;  // 0 text, 1 binary
  PGresult* result_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
};

class Connection {
 public:
  // Connects with a libpq connection URL or keyword string (connect_timeout defaults to 5 s).
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs SQL without parameters nor results (migrations, BEGIN): may hold several statements.
  Status Exec(const char* sql, std::string_view what);
  // As Exec, in one round trip, and returns the first column of the first row of the last
  // statement's result as an integer (kInternal when there is none).
  Result<int64_t> ExecForInt(const char* sql, std::string_view what);
  // A cached prepared statement for `sql`. `what` names the operation in errors; it must
  // outlive the returned Statement (string literals do).
  Result<Statement> Prepare(const char* sql, std::string_view what);
  // Runs `start` (a read's BEGIN and snapshot check, read_cache.h) before the next statement
  // prepared or run here, if any; Started() tells whether it ran, ForgetStart() drops it.
  void DeferStart(std::function<Status()> start) { deferred_.Set(std::move(start)); }
  bool Started() const { return deferred_.started(); }
  void ForgetStart() { deferred_.Clear(); }
  // Rows changed by the last INSERT/UPDATE/DELETE run on this connection.
  int64_t Changes() const { return changes_; }
  // False once the connection to the server was lost: the pool must drop it.
  bool Healthy() const;
  // True while a transaction is open (or failed and not yet rolled back).
  bool InTransaction() const;
  // True when a statement of the open transaction failed: PostgreSQL then refuses every
  // further statement, and COMMIT would silently roll back.
  bool TransactionFailed() const;
  // Inside a write transaction, each writing statement runs under a savepoint, so that a
  // failed one (a taken key the caller handles) undoes only itself, as in SQLite, instead of
  // aborting the whole transaction. Set on BEGIN, cleared at the end.
  void SetStatementSavepoints(bool on) {
    savepoints_ = on;
    savepoint_open_ = false;
  }

  // The Status for a failed result (or a null one: the connection failed) during `what`.
  Status ErrorFor(const PGresult* result, std::string_view what);

 private:
  friend class Statement;
  explicit Connection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
  // Sets the savepoint before a writing statement; undoes to it after a failure.
  Status BeforeWrite(std::string_view what);
  void AfterWriteFailed();

  DeferredStart deferred_;
  int64_t changes_ = 0;
  bool broken_ = false;
  bool savepoints_ = false;
  bool savepoint_open_ = false;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  struct Prepared {
    std::string name;
    int params = 0;
    bool writes = false;  // not a SELECT
  };
  std::unordered_map<std::string, Prepared, TextHash, std::equal_to<>> cache_;
};

// PostgreSQL for sql::SqlTx (see the SqlEngine concept in sql_tx.h).
struct Engine {
  using Connection = pg::Connection;
  using Statement = pg::Statement;
  // Matches the unique index on lower(email COLLATE "C"): ASCII folding only, as SQLite's NOCASE.
  static constexpr const char* kEmailMatches =
      "lower(email COLLATE \"C\") = lower($1::text COLLATE \"C\")";
  static constexpr const char* kGrantOrder = "seq";
};

}  // namespace credvault::server::pg

#endif  // CREDVAULT_SERVER_STORE_PG_DB_H_
