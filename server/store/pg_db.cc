#include "store/pg_db.h"

#include <libpq-fe.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace credvault::server::pg {
namespace {

constexpr int kFormatText = 0;
constexpr int kFormatBinary = 1;

// libpq prints server notices ("relation already exists, skipping") to stderr by default;
// the server's logs are JSON lines, so they are dropped.
void IgnoreNotice(void*, const char*) {}

// Class 08 (connection exception), 57P01..57P03 (shutdown, crash, cannot connect now) and
// 53300 (too many connections): the database is away, not the request wrong.
bool IsUnavailable(std::string_view state) {
  return state.substr(0, 2) == "08" || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "53300";
}

// Data the server refused as malformed: too long, bad encoding (a NUL byte), out of range.
bool IsBadInput(std::string_view state) {
  return state == "22001" || state == "22021" || state == "22003" || state == "22P05" ||
         state == "54000";
}

// The highest $N in `sql`: how many parameters a statement takes.
int CountParams(std::string_view sql) {
  int most = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '$') continue;
    int n = 0;
    size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (n > most) most = n;
  }
  return most;
}

int64_t BigEndian(const char* data, int size) {
  uint64_t value = 0;
  for (int i = 0; i < size; ++i) value = (value << 8) | static_cast<uint8_t>(data[i]);
  // Sign-extend narrower integers.
  int shift = 64 - 8 * size;
  return size >= 8 ? static_cast<int64_t>(value) : static_cast<int64_t>(value << shift) >> shift;
}

}  // namespace

Status Connection::ErrorFor(const PGresult* result, std::string_view what) {
  if (PQstatus(conn_) != CONNECTION_OK) broken_ = true;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) {
    // No SQLSTATE: libpq itself failed, which means the connection is gone.
    broken_ = true;
    return Status(ErrorCode::kUnavailable,
                  std::string(what) + ": the database connection was lost");
  }
  std::string_view code(state);
  std::string suffix = " (SQLSTATE " + std::string(code) + ")";
  if (code == "23505") {
    return Status(ErrorCode::kConflict, std::string(what) + ": already exists");
  }
  if (code == "23503") {
    return Status(ErrorCode::kNotFound, std::string(what) + ": a row it refers to is missing");
  }
  if (IsBadInput(code)) {
    return Status(ErrorCode::kInvalidArgument, std::string(what) + ": value refused" + suffix);
  }
  if (IsUnavailable(code)) {
    broken_ = true;
    return Status(ErrorCode::kUnavailable, std::string(what) + ": database unavailable" + suffix);
  }
  return Status(ErrorCode::kInternal, std::string(what) + ": database error" + suffix);
}

Statement::Statement(Connection& connection, const std::string& name, int params, bool writes,
                     std::string_view what)
    : connection_(&connection),
      name_(&name),
      writes_(writes),
      what_(what),
      values_(static_cast<size_t>(params)),
      null_(static_cast<size_t>(params), true),
      format_(static_cast<size_t>(params), kFormatText) {}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_),
      name_(other.name_),
      writes_(other.writes_),
      what_(other.what_),
      values_(std::move(other.values_)),
      null_(std::move(other.null_)),
      format_(std::move(other.format_)),
      result_(other.result_),
      row_(other.row_),
      rows_(other.rows_) {
  other.result_ = nullptr;
}

Statement::~Statement() { Clear(); }

void Statement::Clear() {
  if (result_ != nullptr) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  rows_ = 0;
}

// An index outside the statement's parameters is ignored here and refused by the server
// (it then lacks a value for a parameter or gets one too many).
Statement& Statement::BindText(int index, std::string_view value) {
  size_t at = static_cast<size_t>(index - 1);
  if (index < 1 || at >= values_.size()) return *this;
  values_[at].assign(value.data(), value.size());
  null_[at] = false;
  format_[at] = kFormatBinary;
  return *this;
}

Statement& Statement::BindBlob(int index, ByteView value) {
  size_t at = static_cast<size_t>(index - 1);
  if (index < 1 || at >= values_.size()) return *this;
  values_[at].assign(reinterpret_cast<const char*>(value.data()), value.size());
  null_[at] = false;
  format_[at] = kFormatBinary;
  return *this;
}

Statement& Statement::BindInt(int index, int64_t value) {
  size_t at = static_cast<size_t>(index - 1);
  if (index < 1 || at >= values_.size()) return *this;
  // Text, so the server converts it to whatever integer (or boolean) type the column has.
  values_[at] = std::to_string(value);
  null_[at] = false;
  format_[at] = kFormatText;
  return *this;
}

Statement& Statement::BindNull(int index) {
  size_t at = static_cast<size_t>(index - 1);
  if (index < 1 || at >= values_.size()) return *this;
  values_[at].clear();
  null_[at] = true;
  return *this;
}

Status Statement::Execute() {
  Clear();
  if (writes_) CV_RETURN_IF_ERROR(connection_->BeforeWrite(what_));
  size_t n = values_.size();
  std::vector<const char*> values(n);
  std::vector<int> lengths(n);
  for (size_t i = 0; i < n; ++i) {
    // A text-format value must be NUL-terminated (std::string's c_str is).
    values[i] = null_[i] ? nullptr : values_[i].c_str();
    lengths[i] = static_cast<int>(values_[i].size());
  }
  result_ = PQexecPrepared(connection_->conn_, name_->c_str(), static_cast<int>(n), values.data(),
                           lengths.data(), format_.data(), kFormatBinary);
  ExecStatusType status = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    Status error = connection_->ErrorFor(result_, what_);
    Clear();
    if (writes_) connection_->AfterWriteFailed();
    return error;
  }
  rows_ = PQntuples(result_);
  const char* changed = PQcmdTuples(result_);
  int64_t changes = 0;
  for (const char* p = changed; p && *p >= '0' && *p <= '9'; ++p)
    changes = changes * 10 + (*p - '0');
  connection_->changes_ = changes;
  row_ = -1;
  return Status::Ok();
}

Result<bool> Statement::Step() {
  if (result_ == nullptr) CV_RETURN_IF_ERROR(Execute());
  if (row_ + 1 >= rows_) {
    row_ = rows_;
    return false;
  }
  ++row_;
  return true;
}

Status Statement::Run() {
  Status status = result_ == nullptr ? Execute() : Status::Ok();
  Clear();
  return status;
}

bool Statement::IsNull(int column) const { return PQgetisnull(result_, row_, column) != 0; }

int64_t Statement::Int(int column) const {
  if (IsNull(column)) return 0;
  int size = PQgetlength(result_, row_, column);
  if (size != 1 && size != 2 && size != 4 && size != 8) return 0;
  return BigEndian(PQgetvalue(result_, row_, column), size);
}

std::string Statement::Text(int column) const {
  if (IsNull(column)) return std::string();
  return std::string(PQgetvalue(result_, row_, column),
                     static_cast<size_t>(PQgetlength(result_, row_, column)));
}

Bytes Statement::Blob(int column) const {
  if (IsNull(column)) return Bytes();
  const uint8_t* begin = reinterpret_cast<const uint8_t*>(PQgetvalue(result_, row_, column));
  return Bytes(begin, begin + PQgetlength(result_, row_, column));
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  // Later keywords override earlier ones, so the URL's own connect_timeout wins.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"5", "credvault", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    if (conn != nullptr) PQfinish(conn);
    // PQerrorMessage can name the host and user; the URL's password is never echoed, but
    // the message is still kept generic: it ends up in logs and /readyz answers.
    return Status(ErrorCode::kUnavailable,
                  "connect to the database: the server is unreachable"
                  " or refused the connection");
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  std::unique_ptr<Connection> connection(new Connection(conn));
  // Durability is the contract (store.h), whatever the database's default.
  CV_RETURN_IF_ERROR(connection->Exec("SET synchronous_commit TO on", "configure connection"));
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::Exec(const char* sql, std::string_view what) {
  CV_RETURN_IF_ERROR(deferred_.RunIfPending());
  PGresult* result = PQexec(conn_, sql);
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  Status out = (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) ? Status::Ok()
                                                                         : ErrorFor(result, what);
  if (result != nullptr) PQclear(result);
  return out;
}

Result<int64_t> Connection::ExecForInt(const char* sql, std::string_view what) {
  CV_RETURN_IF_ERROR(deferred_.RunIfPending());
  PGresult* result = PQexec(conn_, sql);
  Result<int64_t> out = Status(ErrorCode::kInternal, std::string(what) + ": no value");
  if (result == nullptr || PQresultStatus(result) != PGRES_TUPLES_OK) {
    out = ErrorFor(result, what);
  } else if (PQntuples(result) > 0 && PQnfields(result) > 0 && !PQgetisnull(result, 0, 0)) {
    char* end = nullptr;
    const char* text = PQgetvalue(result, 0, 0);
    errno = 0;
    const long long value = std::strtoll(text, &end, 10);
    if (errno == 0 && end != text && *end == '\0') out = static_cast<int64_t>(value);
  }
  if (result != nullptr) PQclear(result);
  return out;
}

Result<Statement> Connection::Prepare(const char* sql, std::string_view what) {
  CV_RETURN_IF_ERROR(deferred_.RunIfPending());
  auto it = cache_.find(std::string_view(sql));
  if (it == cache_.end()) {
    std::string_view text(sql);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
    Prepared prepared{"cv" + std::to_string(cache_.size() + 1), CountParams(sql),
                      text.substr(0, 6) != "SELECT"};
    PGresult* result = PQprepare(conn_, prepared.name.c_str(), sql, 0, nullptr);
    bool ok = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
    Status error = ok ? Status::Ok() : ErrorFor(result, what);
    if (result != nullptr) PQclear(result);
    CV_RETURN_IF_ERROR(error);
    it = cache_.emplace(sql, std::move(prepared)).first;
  }
  return Statement(*this, it->second.name, it->second.params, it->second.writes, what);
}

bool Connection::Healthy() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

Status Connection::BeforeWrite(std::string_view what) {
  if (!savepoints_) return Status::Ok();
  // One savepoint at a time (released as the next is set): a transaction never piles up
  // subtransactions, which would slow every snapshot on the server.
  Status status = Exec(savepoint_open_ ? "RELEASE SAVEPOINT cv_statement; SAVEPOINT cv_statement"
                                       : "SAVEPOINT cv_statement",
                       what);
  if (status.ok()) savepoint_open_ = true;
  return status;
}

void Connection::AfterWriteFailed() {
  if (!savepoints_ || !savepoint_open_ || broken_) return;
  // Leaves the transaction as it was before the statement; if even this fails, the
  // transaction stays failed and TransactionFailed() refuses to commit it.
  (void)Exec("ROLLBACK TO SAVEPOINT cv_statement", "undo failed statement");
}

bool Connection::TransactionFailed() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

bool Connection::InTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

}  // namespace credvault::server::pg
