// The SQLite engine's schema as numbered migrations, and the code that applies them.
//
// Migrations only ever get appended: a released one is never edited, because databases in
// the field have already run it. ApplyMigrations runs the missing ones in one IMMEDIATE
// transaction and records each in schema_migrations; a database that records a version this
// code does not know is refused with kUnsupportedVersion (an older binary must not write to a
// newer layout). Not thread-safe: run once, at open, before the store is shared.
#ifndef CREDVAULT_SERVER_STORE_SQLITE_SCHEMA_H_
#define CREDVAULT_SERVER_STORE_SQLITE_SCHEMA_H_

#include <cstdint>

#include "credvault/status.h"
#include "store/sqlite_db.h"

namespace credvault::server::sqlite {

// The newest migration this code has.
int LatestSchemaVersion();
// Brings the database up to LatestSchemaVersion(). `now` stamps the migrations applied.
Status ApplyMigrations(Connection& db, int64_t now);

}  // namespace credvault::server::sqlite

#endif  // CREDVAULT_SERVER_STORE_SQLITE_SCHEMA_H_
