// Helpers shared by the SqlTx resource files.
#include <climits>
#include <string>

#include "credvault/connection_state.h"
#include "credvault/credential.h"
#include "credvault/kind.h"
#include "credvault/permissions.h"
#include "store/sql_tx.h"

namespace credvault::server::sql {
namespace {

template <typename T, typename Parse>
Result<T> FromColumn(const std::string& name, std::string_view column, Parse parse) {
  std::optional<T> value = parse(name);
  if (!value) {
    return Status(ErrorCode::kInternal, "corrupt row: unknown " + std::string(column));
  }
  return *value;
}

}  // namespace

Result<Role> RoleFromColumn(const std::string& name) {
  return FromColumn<Role>(name, "role", ParseRole);
}
Result<ServiceKind> KindFromColumn(const std::string& name) {
  return FromColumn<ServiceKind>(name, "kind", ParseServiceKind);
}
Result<AuthMethod> MethodFromColumn(const std::string& name) {
  return FromColumn<AuthMethod>(name, "auth method", ParseAuthMethod);
}
Result<ConnectionState> StateFromColumn(const std::string& name) {
  return FromColumn<ConnectionState>(name, "connection state", ParseConnectionState);
}
Result<TestOutcome> OutcomeFromColumn(const std::string& name) {
  return FromColumn<TestOutcome>(name, "test outcome", ParseTestOutcome);
}

Result<int64_t> PageStart(const PageRequest& page, bool descending) {
  CV_RETURN_IF_ERROR(store_checks::Page(page));
  if (page.cursor.empty()) return descending ? INT64_MAX : int64_t{0};
  return store_checks::DecodeSeqCursor(page.cursor);
}

template <SqlEngine Engine>
Result<int64_t> SqlTx<Engine>::Execute(const char* sql, std::string_view what,
                                       std::initializer_list<std::string_view> keys) {
  CV_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql, what));
  int index = 1;
  for (std::string_view key : keys) stmt.BindText(index++, key);
  CV_RETURN_IF_ERROR(stmt.Run());
  return db_.Changes();
}

template <SqlEngine Engine>
Status SqlTx<Engine>::Exists(const char* sql, std::string_view what,
                             std::initializer_list<std::string_view> keys) {
  CV_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql, what));
  int index = 1;
  for (std::string_view key : keys) stmt.BindText(index++, key);
  CV_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status(ErrorCode::kNotFound, std::string(what) + " not found");
  return Status::Ok();
}

template <SqlEngine Engine>
Result<uint64_t> SqlTx<Engine>::NextVersion(const char* sql, std::string_view what,
                                            std::initializer_list<std::string_view> keys,
                                            uint64_t expected) {
  CV_RETURN_IF_ERROR(store_checks::Version("expected_version", expected));
  CV_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql, what));
  int index = 1;
  for (std::string_view key : keys) stmt.BindText(index++, key);
  CV_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status(ErrorCode::kNotFound, std::string(what) + " not found");
  uint64_t current = static_cast<uint64_t>(stmt.Int(0));
  if (current != expected) return StaleVersion(what, current);
  return expected + 1;
}

CV_SQL_TX_INSTANTIATE();

}  // namespace credvault::server::sql
