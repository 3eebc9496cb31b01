#include "store/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>

namespace credvault::server::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 10000;

// Pragmas each connection needs (journal_mode is a property of the file, set here too so a
// fresh file becomes WAL before the first write).
constexpr const char* kConnectionPragmas =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA secure_delete=ON;"
    "PRAGMA trusted_schema=OFF;";

// SQLite names the same zero-length value NULL when handed a null pointer.
const char kEmpty[1] = {0};

std::string Describe(std::string_view what, int rc) {
  std::string message(what);
  message += ": ";
  message += sqlite3_errstr(rc);
  return message;
}

// SQLite's memory statistics make every allocation it does take one process-wide mutex,
// which the io threads then contend on for every statement. We never read the statistics.
// sqlite3_config only works before the library initialises; when something initialised it
// first, the setting simply stays as it was.
void ConfigureLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// `sql` with each $N parameter outside quotes written ?N: SQLite reads $1 as a parameter
// *named* "$1" and numbers named parameters by first appearance, while ?N is numbered N.
std::string NumberedParameters(const char* sql) {
  std::string text(sql);
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9') {
      text[i] = '?';
    }
  }
  return text;
}

}  // namespace

Status ErrorFor(int rc, std::string_view what) {
  switch (rc) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return Status::Ok();
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status(ErrorCode::kConflict, std::string(what) + ": already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status(ErrorCode::kNotFound, std::string(what) + ": a row it refers to is missing");
    case SQLITE_TOOBIG:
      return Status(ErrorCode::kInvalidArgument, Describe(what, rc));
    default:
      return Status(ErrorCode::kInternal, Describe(what, rc));
  }
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_), what_(other.what_), bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::BindText(int index, std::string_view value) {
  int rc = sqlite3_bind_text(stmt_, index, value.empty() ? kEmpty : value.data(),
                             static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindBlob(int index, ByteView value) {
  int rc = value.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                         : sqlite3_bind_blob(stmt_, index, value.data(),
                                             static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindInt(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_error_ != 0) return ErrorFor(bind_error_, what_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The extended code is what sqlite3_step returns with extended result codes on.
  return ErrorFor(rc, what_);
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok() || !*row) {
      // Ready to be bound and run again (bindings are kept), e.g. in a loop of inserts.
      sqlite3_reset(stmt_);
      return row.status();
    }
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

Bytes Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr || size <= 0) return Bytes();
  const uint8_t* begin = static_cast<const uint8_t*>(blob);
  return Bytes(begin, begin + size);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path) {
  ConfigureLibraryOnce();
  // Create the file ourselves so that it is 0600 from its first byte; SQLite gives the -wal
  // and -shm files the same mode. Only when it is missing: closing a descriptor of a file
  // that open connections use would drop this process's POSIX locks on it (SQLite's own locks).
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return Status(ErrorCode::kInternal,
                  "open database " + path + ": " + std::string(std::strerror(errno)));
  }

  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close_v2(db);
    return ErrorFor(rc, "open database " + path);
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  CV_RETURN_IF_ERROR(connection->Exec(kConnectionPragmas, "configure database"));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Connection::Exec(const char* sql, std::string_view what) {
  CV_RETURN_IF_ERROR(deferred_.RunIfPending());
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return ErrorFor(rc, what);
}

Status Connection::Run(const char* sql, std::string_view what) {
  CV_ASSIGN_OR_RETURN(Statement statement, Prepare(sql, what));
  return statement.Run();
}

Result<Statement> Connection::Prepare(const char* sql, std::string_view what) {
  CV_RETURN_IF_ERROR(deferred_.RunIfPending());
  return PrepareCached(sql, what);
}

Result<Statement> Connection::PrepareCached(const char* sql, std::string_view what) {
  auto it = cache_.find(std::string_view(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    std::string numbered = NumberedParameters(sql);
    int rc =
        sqlite3_prepare_v3(db_, numbered.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return ErrorFor(rc, what);
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return Statement(it->second, what);
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace credvault::server::sqlite
