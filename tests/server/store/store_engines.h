// The Store engines the conformance suite runs against: one entry per engine. An engine that
// needs an outside service (PostgreSQL) adds itself here when its test environment is set.
#ifndef CREDVAULT_TESTS_SERVER_STORE_STORE_ENGINES_H_
#define CREDVAULT_TESTS_SERVER_STORE_STORE_ENGINES_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "pg_test_cluster.h"
#include "store/pg_store.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace credvault::server::testing {

struct StoreEngine {
  std::string name;  // a GoogleTest parameter name: letters and digits only
  // Opens the engine's store for the test data in `dir` (a fresh, private temporary
  // directory per test). Called again with the same `dir` it must reopen the same data.
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
};

// GoogleTest prints a parameter by its engine name.
inline void PrintTo(const StoreEngine& engine, std::ostream* out) { *out << engine.name; }

inline std::vector<StoreEngine> StoreEngines() {
  std::vector<StoreEngine> engines = {
      {"SQLite",
       [](const std::string& dir) -> Result<std::unique_ptr<Store>> {
         auto store = SqliteStore::New(dir + "/" + SqliteStore::kFileName);
         if (!store.ok()) return store.status();
         return std::unique_ptr<Store>(std::move(store).value());
       }},
  };
  // A throw-away server (pg_test_cluster.h); one that cannot start fails these tests.
  engines.push_back({"PostgreSQL", [](const std::string& dir) -> Result<std::unique_ptr<Store>> {
                       auto url = PostgresTestStoreUrl(dir);
                       if (!url.ok()) return url.status();
                       auto store = PostgresStore::New(*url);
                       if (!store.ok()) return store.status();
                       return std::unique_ptr<Store>(std::move(store).value());
                     }});
  return engines;
}

}  // namespace credvault::server::testing

#endif  // CREDVAULT_TESTS_SERVER_STORE_STORE_ENGINES_H_
