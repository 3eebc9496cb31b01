// The PostgreSQL engine's schema as numbered migrations, and the code that applies them.
//
// Same rules as the SQLite engine's (sqlite_schema.h): migrations are only ever appended, each
// is recorded in schema_migrations, and a database recording a version this code does not
// know is refused with kUnsupportedVersion. Several servers may start at once against one
// database: ApplyMigrations holds a session-level advisory lock (pg_advisory_lock) around the
// check-and-apply, so exactly one applies a migration and the others then find it recorded.
// The tables live in the connection's current schema (search_path), so one database can host
// several stores side by side (the tests do).
#ifndef CREDVAULT_SERVER_STORE_PG_SCHEMA_H_
#define CREDVAULT_SERVER_STORE_PG_SCHEMA_H_

#include <cstdint>

#include "credvault/status.h"
#include "store/pg_db.h"

namespace credvault::server::pg {

// Advisory lock keys (pg_advisory_lock takes one bigint): "cv" + a purpose, far from keys
// other applications on a shared database are likely to use.
inline constexpr int64_t kMigrationLockKey = 0x6376'0000'0000'0001;
inline constexpr int64_t kWriterLockKey = 0x6376'0000'0000'0002;

// The newest migration this code has.
int LatestSchemaVersion();
// Brings the database up to LatestSchemaVersion(). `now` stamps the migrations applied.
Status ApplyMigrations(Connection& db, int64_t now);

}  // namespace credvault::server::pg

#endif  // CREDVAULT_SERVER_STORE_PG_SCHEMA_H_
