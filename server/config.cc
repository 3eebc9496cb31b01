#include "config.h"

#include <array>
#include <charconv>

namespace credvault::server {
namespace {

// Bounds that keep a typo from becoming a denial of service against ourselves.
constexpr int kMaxThreads = 256;
constexpr size_t kMaxBodyBytesLimit = size_t{1} << 30;
constexpr int kMaxReadTimeoutSeconds = 3600;
constexpr int64_t kMaxSessionTtlSeconds = 30 * 24 * 3600;

Status BadValue(std::string_view flag, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument, "--" + std::string(flag) + ": " + std::string(why));
}

template <typename Int>
Result<Int> ParseInteger(std::string_view flag, std::string_view text, Int min, Int max) {
  Int value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool whole = error == std::errc() && end == text.data() + text.size();
  if (!whole && error != std::errc::result_out_of_range) return BadValue(flag, "not a number");
  if (!whole || value < min || value > max) {
    return BadValue(flag, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

// "127.0.0.1:8080", "[::1]:8080", "localhost:0".
Status ParseListen(std::string_view text, ServerConfig& config) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return BadValue("listen", "expected host:port");
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return BadValue("listen", "bad IPv6 brackets");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return BadValue("listen", "put an IPv6 address in brackets");
  }
  CV_ASSIGN_OR_RETURN(const uint16_t port,
                      ParseInteger<uint16_t>("listen", text.substr(colon + 1), 0, 65535));
  config.listen_host = std::string(host);
  config.listen_port = port;
  return Status::Ok();
}

Status NonEmpty(std::string_view flag, std::string_view value) {
  return value.empty() ? BadValue(flag, "must not be empty") : Status::Ok();
}

struct Option {
  std::string_view flag;
  std::string_view env;
  std::string_view value_name;
  std::string_view help;
  Status (*apply)(std::string_view value, ServerConfig& config);
};

// The single declaration of every option: parsing and --help both read it.
constexpr std::array<Option, 13> kOptions = {{
    {"listen", "CREDVAULT_LISTEN", "HOST:PORT", "address to listen on (default 127.0.0.1:8080)",
     [](std::string_view v, ServerConfig& c) { return ParseListen(v, c); }},
    {"web-root", "CREDVAULT_WEB_ROOT", "DIR", "pages served at / (default: the repository's web/)",
     [](std::string_view v, ServerConfig& c) {
       c.web_root = std::string(v);
       return NonEmpty("web-root", v);
     }},
    {"module-dir", "CREDVAULT_MODULE_DIR", "DIR",
     "the WASM build's ES module, served at /module/ (default: build/wasm/wasm)",
     [](std::string_view v, ServerConfig& c) {
       c.module_dir = std::string(v);
       return NonEmpty("module-dir", v);
     }},
    {"data-dir", "CREDVAULT_DATA_DIR", "DIR", "server data, created 0700 (default: build/data)",
     [](std::string_view v, ServerConfig& c) {
       c.data_dir = std::string(v);
       return NonEmpty("data-dir", v);
     }},
    {"threads", "CREDVAULT_THREADS", "N", "I/O threads (default: one per core)",
     [](std::string_view v, ServerConfig& c) {
       CV_ASSIGN_OR_RETURN(c.threads, ParseInteger<int>("threads", v, 1, kMaxThreads));
       return Status::Ok();
     }},
    {"max-body-bytes", "CREDVAULT_MAX_BODY_BYTES", "N",
     "largest request body accepted; larger is 413 (default 1048576)",
     [](std::string_view v, ServerConfig& c) {
       CV_ASSIGN_OR_RETURN(c.max_body_bytes,
                           ParseInteger<size_t>("max-body-bytes", v, 0, kMaxBodyBytesLimit));
       return Status::Ok();
     }},
    {"read-timeout-seconds", "CREDVAULT_READ_TIMEOUT_SECONDS", "N",
     "time allowed to read one request, and to idle between requests (default 30)",
     [](std::string_view v, ServerConfig& c) {
       CV_ASSIGN_OR_RETURN(const int seconds,
                           ParseInteger<int>("read-timeout-seconds", v, 1, kMaxReadTimeoutSeconds));
       c.read_timeout = std::chrono::seconds(seconds);
       return Status::Ok();
     }},
    {"store", "CREDVAULT_STORE", "FILE|URL",
     "the SQLite database, created 0600 (default: credvault.db in the data directory), or a "
     "postgres://user@host:port/db URL for a shared PostgreSQL database (hosted servers)",
     [](std::string_view v, ServerConfig& c) {
       c.store = std::string(v);
       return NonEmpty("store", v);
     }},
    {"session-ttl-seconds", "CREDVAULT_SESSION_TTL_SECONDS", "N",
     "how long a login session lasts (default 43200)",
     [](std::string_view v, ServerConfig& c) {
       CV_ASSIGN_OR_RETURN(c.session_ttl_seconds, ParseInteger<int64_t>("session-ttl-seconds", v,
                                                                        1, kMaxSessionTtlSeconds));
       return Status::Ok();
     }},
    {"builtin-runner", "CREDVAULT_BUILTIN_RUNNER", "on|off",
     "run connectivity tests in this process, with a key pair in the data directory; a "
     "workspace still has to admit it (default on)",
     [](std::string_view v, ServerConfig& c) {
       if (v != "on" && v != "off") {
         return Status(ErrorCode::kInvalidArgument, "builtin-runner: must be on or off");
       }
       c.builtin_runner = v == "on";
       return Status::Ok();
     }},
    {"runner-jobs", "CREDVAULT_RUNNER_JOBS", "N",
     "connectivity tests the built-in runner runs at once (default 8)",
     [](std::string_view v, ServerConfig& c) {
       CV_ASSIGN_OR_RETURN(c.runner_jobs, ParseInteger<int>("runner-jobs", v, 1, 256));
       return Status::Ok();
     }},
    {"monitor-minute-seconds", "CREDVAULT_MONITOR_MINUTE_SECONDS", "N",
     "FOR TESTS ONLY: seconds in a monitoring schedule's minute, so tests need not wait "
     "minutes (default 60)",
     [](std::string_view v, ServerConfig& c) {
       CV_ASSIGN_OR_RETURN(c.monitor_minute_seconds,
                           ParseInteger<int>("monitor-minute-seconds", v, 1, 60));
       return Status::Ok();
     }},
    {"trusted-proxy", "CREDVAULT_TRUSTED_PROXY", "IP[,IP...]",
     "reverse proxies (e.g. nginx) whose X-Forwarded-For names the client; from any other "
     "peer the header is ignored (default: none)",
     [](std::string_view v, ServerConfig& c) {
       Result<auth::TrustedProxies> trusted = auth::ParseTrustedProxies(v);
       if (!trusted.ok()) return BadValue("trusted-proxy", trusted.status().message());
       c.trusted_proxies = std::move(trusted).value();
       return Status::Ok();
     }},
}};

const Option* FindOption(std::string_view flag) {
  for (const Option& option : kOptions) {
    if (option.flag == flag) return &option;
  }
  return nullptr;
}

ServerConfig Defaults(const ConfigDefaults& defaults) {
  ServerConfig config;
  config.web_root = defaults.source_root + "/web";
  config.module_dir = defaults.source_root + "/build/wasm/wasm";
  config.data_dir = defaults.source_root + "/build/data";
  config.threads = defaults.hardware_threads < 1 ? 1 : defaults.hardware_threads;
  if (config.threads > kMaxThreads) config.threads = kMaxThreads;
  return config;
}

}  // namespace

Result<ServerConfig> ParseServerConfig(const std::vector<std::string>& args, const EnvLookup& env,
                                       const ConfigDefaults& defaults) {
  ServerConfig config = Defaults(defaults);
  for (const Option& option : kOptions) {
    const std::optional<std::string> value = env(option.env);
    if (!value.has_value()) continue;
    const Status status = option.apply(*value, config);
    if (!status.ok()) {
      return Status(ErrorCode::kInvalidArgument,
                    std::string(option.env) + " (" + status.message() + ")");
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      config.show_help = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return Status(ErrorCode::kInvalidArgument, "unexpected argument: " + std::string(arg));
    }
    arg.remove_prefix(2);
    std::string_view value;
    const size_t equals = arg.find('=');
    if (equals != std::string_view::npos) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    }
    const Option* option = FindOption(arg);
    if (option == nullptr) {
      return Status(ErrorCode::kInvalidArgument, "unknown flag: --" + std::string(arg));
    }
    if (equals == std::string_view::npos) {
      if (i + 1 >= args.size()) return BadValue(option->flag, "needs a value");
      value = args[++i];
    }
    CV_RETURN_IF_ERROR(option->apply(value, config));
  }
  return config;
}

std::string ServerUsage() {
  std::string usage =
      "usage: credvault-server [flags]\n\nflags (each also read from its "
      "environment variable; the flag wins):\n";
  for (const Option& option : kOptions) {
    usage += "  --" + std::string(option.flag) + " " + std::string(option.value_name) + "  (" +
             std::string(option.env) + ")\n      " + std::string(option.help) + "\n";
  }
  usage += "  --help\n      print this text\n";
  return usage;
}

}  // namespace credvault::server
