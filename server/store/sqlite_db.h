// Thin RAII layer over the SQLite C API for the SQLite engine: a connection with its cache of
// prepared statements, and a borrowed statement that resets itself when it goes out of scope;
// Engine names them, with SQLite's dialect, for the shared SQL of sql_tx.h.
//
// A Connection is used by one thread at a time (the engine's pool hands it out); it is opened
// with SQLITE_OPEN_NOMUTEX for that reason. Statements are prepared once per connection
// (SQLITE_PREPARE_PERSISTENT) and keyed by their SQL text. SQL may number its parameters $N (as
// PostgreSQL does) or ?N: $N outside quotes is read as ?N when the statement is first prepared.
// Errors map SQLite's result codes onto the store's: a unique or primary key violation → kConflict,
// a foreign key violation → kNotFound, anything else → kInternal. Messages name the operation and
// SQLite's generic error string, never a bound value.
#ifndef CREDVAULT_SERVER_STORE_SQLITE_DB_H_
#define CREDVAULT_SERVER_STORE_SQLITE_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "credvault/secret.h"
#include "credvault/status.h"
#include "store/deferred_start.h"

struct sqlite3;
struct sqlite3_stmt;

namespace credvault::server::sqlite {

// The Status for SQLite result code `rc` (extended codes) during `what`.
Status ErrorFor(int rc, std::string_view what);

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, std::string_view what) : stmt_(stmt), what_(what) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based (SQL uses $1 or ?1, $2 or ?2, ...). A failed bind is reported by
  // Step/Run.
  Statement& BindText(int index, std::string_view value);
  Statement& BindBlob(int index, ByteView value);
  Statement& BindInt(int index, int64_t value);
  Statement& BindNull(int index);

  // Ok(true) when a row is ready, Ok(false) when done.
  Result<bool> Step();
  // Steps to completion, ignoring rows, then resets so the statement can be bound again.
  Status Run();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;
  Bytes Blob(int column) const;

 private:
  sqlite3_stmt* stmt_;
  std::string_view what_;
  int bind_error_ = 0;
};

class Connection {
 public:
  // Opens (creating with mode 0600 when missing) and applies the per-connection pragmas.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs SQL without results (pragmas, migrations): parsed on every call.
  Status Exec(const char* sql, std::string_view what);
  // Runs one statement without results through the statement cache: for what runs on every
  // transaction (BEGIN, COMMIT), where parsing each time would cost more than the query.
  Status Run(const char* sql, std::string_view what);
  // A cached prepared statement for `sql`. `what` names the operation in errors; both must
  // outlive the returned Statement (string literals do).
  Result<Statement> Prepare(const char* sql, std::string_view what);
  // Runs `start` (a read's BEGIN and snapshot check, read_cache.h) before the next statement
  // prepared or run here, if any; Started() tells whether it ran, ForgetStart() drops it.
  void DeferStart(std::function<Status()> start) { deferred_.Set(std::move(start)); }
  Status StartNow() { return deferred_.RunIfPending(); }
  bool Started() const { return deferred_.started(); }
  void ForgetStart() { deferred_.Clear(); }
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  // True while a transaction is open (SQLite may roll back on its own after an I/O error).
  bool InTransaction() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  Result<Statement> PrepareCached(const char* sql, std::string_view what);
  sqlite3* db_;
  DeferredStart deferred_;
  // Looked up by the SQL text without copying it (transparent hash and equality).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

// SQLite for sql::SqlTx (see the SqlEngine concept in sql_tx.h).
struct Engine {
  using Connection = sqlite::Connection;
  using Statement = sqlite::Statement;
  // The column is COLLATE NOCASE (ASCII folding), so its unique index serves the lookup.
  static constexpr const char* kEmailMatches = "email = $1";
  // credential_grants has no sequence column of its own; rowid grows with each insert.
  static constexpr const char* kGrantOrder = "rowid";
};

}  // namespace credvault::server::sqlite

#endif  // CREDVAULT_SERVER_STORE_SQLITE_DB_H_
