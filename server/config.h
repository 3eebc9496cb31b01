// ServerConfig: what the server needs to start, from flags, then environment, then defaults.
//
// Every option has one flag and one environment variable (--listen / CREDVAULT_LISTEN, ...),
// declared once in the table in config.cc, which also produces the usage text. A flag beats
// its variable; both beat the default. Parsing is pure: the environment is passed in as a
// lookup function, so tests need not touch the process environment. Errors are
// kInvalidArgument with a message naming the option. Plain values, no thread-safety needed.
#ifndef CREDVAULT_SERVER_CONFIG_H_
#define CREDVAULT_SERVER_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/forwarded_for.h"
#include "credvault/status.h"

namespace credvault::server {

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;  // 0 asks the kernel for a free port (tests)
  std::string web_root;         // served at "/"
  std::string module_dir;       // served at "/module/"
  std::string data_dir;         // created 0700 if missing
  int threads = 1;
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds read_timeout{30};
  std::string store;  // SQLite file or postgres:// URL; empty = credvault.db in data_dir
  int64_t session_ttl_seconds = 12 * 3600;
  bool builtin_runner = true;
  int runner_jobs = 8;  // at most this many tests at once on the built-in runner
  // Seconds in a monitoring schedule's minute. Test-only speed-up: 60 in any real use.
  int monitor_minute_seconds = 60;
  auth::TrustedProxies trusted_proxies;  // empty: X-Forwarded-For is never believed
  bool show_help = false;
};

// Where defaults come from: the repository the binary was built from, and the machine.
struct ConfigDefaults {
  std::string source_root;
  int hardware_threads = 1;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// `args` excludes argv[0]. Accepts "--flag value" and "--flag=value".
Result<ServerConfig> ParseServerConfig(const std::vector<std::string>& args, const EnvLookup& env,
                                       const ConfigDefaults& defaults);

// The --help text, generated from the same option table.
std::string ServerUsage();

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_CONFIG_H_
