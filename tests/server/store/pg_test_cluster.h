// A throw-away PostgreSQL server for the store tests: started once per test process on first
// use (initdb + pg_ctl in a temporary folder, 127.0.0.1 on a free port, trust auth — for the
// test only), stopped and deleted at exit. PostgreSQL refuses to run as root, so as root the
// binaries run as the `postgres` user (runuser). Each store a test opens lives in its own
// schema of that server (PostgresTestStoreUrl), so tests never see each other's rows.
//
// CREDVAULT_TEST_POSTGRES_URL=<url> uses an existing server instead of starting one.
// Otherwise a server that cannot start FAILS every PostgreSQL test: there is no switch that
// skips the engine, so `make test` always covers both.
//
// Thread-safety: PostgresTestBaseUrl starts the server under a once-flag; the rest is pure.
#ifndef CREDVAULT_TESTS_SERVER_STORE_PG_TEST_CLUSTER_H_
#define CREDVAULT_TESTS_SERVER_STORE_PG_TEST_CLUSTER_H_

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "credvault/status.h"

namespace credvault::server::testing {

// The folder with initdb and pg_ctl: $CREDVAULT_PG_BIN, else Debian's newest
// /usr/lib/postgresql/<major>/bin.
inline std::string PostgresBinDir() {
  if (const char* bin = std::getenv("CREDVAULT_PG_BIN")) return bin;
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    int major = std::atoi(entry.path().filename().c_str());
    if (major > best_major && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
      best_major = major;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

class PostgresTestCluster {
 public:
  // The server's base URL, starting it on the first call.
  static Result<std::string> BaseUrl() {
    if (const char* url = std::getenv("CREDVAULT_TEST_POSTGRES_URL")) return std::string(url);
    static PostgresTestCluster cluster;
    static std::once_flag once;
    std::call_once(once, [] { cluster.status_ = cluster.Start(); });
    if (!cluster.status_.ok()) return cluster.status_;
    return cluster.url_;
  }

  PostgresTestCluster(const PostgresTestCluster&) = delete;
  PostgresTestCluster& operator=(const PostgresTestCluster&) = delete;
  ~PostgresTestCluster() {
    if (started_)
      (void)Run(Tool("pg_ctl") + " -D " + dir_ + "/data -m immediate -w stop > /dev/null 2>&1");
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

 private:
  PostgresTestCluster() = default;

  static int Run(const std::string& command) { return std::system(command.c_str()); }

  // A command line for a PostgreSQL tool, as the postgres user when we are root.
  std::string Tool(const std::string& name) const {
    std::string path = bin_ + "/" + name;
    return geteuid() == 0 ? "runuser -u postgres -- " + path : path;
  }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
  }

  Status Start() {
    bin_ = PostgresBinDir();
    if (bin_.empty()) {
      return Status(
          ErrorCode::kUnavailable,
          "no PostgreSQL server binaries (install Debian's postgresql: scripts/setup.sh)");
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "credvault-pg-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status(ErrorCode::kInternal, "cannot make a temporary folder for PostgreSQL");
    }
    dir_ = pattern;
    if (geteuid() == 0) {
      const passwd* user = getpwnam("postgres");
      if (user == nullptr || chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
        return Status(ErrorCode::kUnavailable, "cannot hand " + dir_ + " to the postgres user");
      }
    }
    if (Run(Tool("initdb") + " -D " + dir_ + "/data -A trust -U postgres -E UTF8 --locale=C" +
            " --no-sync > " + dir_ + "/initdb.log 2>&1") != 0) {
      return Status(ErrorCode::kUnavailable, "initdb failed: see " + dir_ + "/initdb.log");
    }
    // A free port can be taken between the probe and the start: try a few.
    for (int attempt = 0; attempt < 3; ++attempt) {
      int port = FreePort();
      std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port) + " -k " +
                            dir_ + " -c max_connections=300";
      if (Run(Tool("pg_ctl") + " -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o '" +
              options + "' start > /dev/null 2>&1") == 0) {
        started_ = true;
        url_ = "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/postgres";
        return Status::Ok();
      }
    }
    return Status(ErrorCode::kUnavailable,
                  "the test PostgreSQL server did not start: see " + dir_ + "/server.log");
  }

  std::string bin_;
  std::string dir_;
  std::string url_;
  bool started_ = false;
  Status status_ = Status::Ok();
};

// Runs one statement on `url`; for test setup only.
inline Status PostgresTestExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  Status status = Status::Ok();
  if (PQstatus(conn) != CONNECTION_OK) {
    status = Status(ErrorCode::kUnavailable, "cannot connect to the test PostgreSQL server");
  } else {
    // "schema already exists, skipping" on a reopen is expected: keep the test output clean.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
      status = Status(ErrorCode::kInternal, "test setup failed: " + sql);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return status;
}

// A URL for a store private to `dir` (a test's temporary folder): the schema named after the
// folder is made if needed and put first on the search path, so the same `dir` reopens the
// same data and different ones never meet.
inline Result<std::string> PostgresTestStoreUrl(const std::string& dir) {
  CV_ASSIGN_OR_RETURN(std::string base, PostgresTestCluster::BaseUrl());
  std::string name = std::filesystem::path(dir).filename().string();
  std::string schema = "t_";
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : name) {
    schema += kHex[c >> 4];
    schema += kHex[c & 15];
  }
  CV_RETURN_IF_ERROR(PostgresTestExec(base, "CREATE SCHEMA IF NOT EXISTS " + schema));
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

}  // namespace credvault::server::testing

#endif  // CREDVAULT_TESTS_SERVER_STORE_PG_TEST_CLUSTER_H_
