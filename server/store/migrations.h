// ApplyMissingMigrations: the versioned schema step both store engines run at start, inside the
// migration transaction each opens its own way (sqlite_schema.cc, pg_schema.cc). It creates
// schema_migrations if needed (`create_table`: the engine's DDL for it), reads the recorded
// version, refuses a database newer than `migrations` (kUnsupportedVersion: an old binary
// never writes to a newer layout), then runs each missing migration (migrations[v - 1] is
// version v, append only) and records it with `now`. Any error is returned for the caller to
// roll back; nothing is committed here.
#ifndef CREDVAULT_SERVER_STORE_MIGRATIONS_H_
#define CREDVAULT_SERVER_STORE_MIGRATIONS_H_

#include <cstdint>
#include <span>
#include <string>

#include "credvault/status.h"

namespace credvault::server {

// `Connection` is sqlite::Connection or pg::Connection (Exec, and Prepare with $N parameters).
template <typename Connection>
Status ApplyMissingMigrations(Connection& db, int64_t now, std::span<const char* const> migrations,
                              const char* create_table) {
  const int latest = static_cast<int>(migrations.size());
  CV_RETURN_IF_ERROR(db.Exec(create_table, "create schema_migrations"));
  int current = 0;
  {
    CV_ASSIGN_OR_RETURN(auto select,
                        db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                                   "read schema version"));
    CV_ASSIGN_OR_RETURN(bool row, select.Step());
    if (row) current = static_cast<int>(select.Int(0));
  }
  if (current > latest) {
    return Status(ErrorCode::kUnsupportedVersion,
                  "database schema version " + std::to_string(current) +
                      " is newer than this server (" + std::to_string(latest) +
                      "): upgrade the server");
  }
  for (int version = current + 1; version <= latest; ++version) {
    CV_RETURN_IF_ERROR(db.Exec(migrations[version - 1], "migration " + std::to_string(version)));
    CV_ASSIGN_OR_RETURN(
        auto record,
        db.Prepare("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)",
                   "record migration"));
    CV_RETURN_IF_ERROR(record.BindInt(1, version).BindInt(2, now).Run());
  }
  return Status::Ok();
}

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_MIGRATIONS_H_
