#include "remote_runner/runner_config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "credvault/identity.h"
#include "credvault/secret.h"
#include "relay/runner_protocol.h"

namespace credvault::server::remote_runner {
namespace {

constexpr int kMaxJobs = 256;
constexpr std::chrono::milliseconds kFirstDelay{1000};
constexpr std::chrono::milliseconds kMaxDelay{30000};

Status Bad(std::string_view flag, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument, "--" + std::string(flag) + ": " + std::string(why));
}

Status ApplyServer(std::string_view value, RunnerConfig& config) {
  CV_ASSIGN_OR_RETURN(config.server, ParseServerUrl(value));
  return Status::Ok();
}

Status ApplyKeyDir(std::string_view value, RunnerConfig& config) {
  if (value.empty()) return Bad("key-dir", "must not be empty");
  config.key_dir = std::string(value);
  return Status::Ok();
}

Status ApplyJobs(std::string_view value, RunnerConfig& config) {
  int jobs = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), jobs);
  if (error != std::errc() || end != value.data() + value.size() || jobs < 1 || jobs > kMaxJobs) {
    return Bad("jobs", "must be a number between 1 and " + std::to_string(kMaxJobs));
  }
  config.jobs = jobs;
  return Status::Ok();
}

Status ApplyServerCa(std::string_view value, RunnerConfig& config) {
  if (value.empty()) return Bad("server-ca", "must not be empty");
  config.server_ca = std::string(value);
  return Status::Ok();
}

// ID=KEY: an account id and its Ed25519 public key, base64url (as the API shows it) or base64.
Status ApplyTrustGranter(std::string_view value, RunnerConfig& config) {
  const size_t equals = value.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return Bad("trust-granter", "expected ACCOUNT_ID=PUBLIC_KEY");
  }
  const std::string id(value.substr(0, equals));
  // base64 may end in '=' padding: the id is everything before the first '='.
  const std::string_view text = value.substr(equals + 1);
  Bytes key;
  if (!Base64UrlDecode(text, &key) && !Base64Decode(text, &key)) key.clear();
  if (key.size() != kSignPublicKeyBytes) {
    return Bad("trust-granter", "the key of " + id + " is not a base64 Ed25519 public key");
  }
  config.trusted_granters[id] = std::move(key);
  return Status::Ok();
}

struct Option {
  std::string_view flag;
  std::string_view env;
  std::string_view value_name;  // empty: a switch
  std::string_view help;
  Status (*apply)(std::string_view value, RunnerConfig& config);
};

// The single declaration of every option: parsing and --help both read it.
constexpr std::array<Option, 7> kOptions = {{
    {"server", "CREDVAULT_RUNNER_SERVER", "URL",
     "server to dial: ws://host:port, wss://host (http:// and https:// work too)", ApplyServer},
    {"key-dir", "CREDVAULT_RUNNER_KEY_DIR", "DIR",
     "directory of the runner's key file (0600), created on first start", ApplyKeyDir},
    {"jobs", "CREDVAULT_RUNNER_JOBS", "N", "tests run at once (default 8)", ApplyJobs},
    {"server-ca", "CREDVAULT_RUNNER_SERVER_CA", "FILE",
     "PEM CA certificates for a wss:// server (default: the system store)", ApplyServerCa},
    {"trust-granter", "", "ID=KEY",
     "repeatable: pin a workspace admin's Ed25519 public key (base64url); monitoring jobs whose "
     "grant anyone else signed are refused. Without it the runner trusts the granter keys the "
     "server sends",
     ApplyTrustGranter},
    {"print-keys", "", "", "print the runner's id and public keys as JSON and exit",
     [](std::string_view, RunnerConfig& c) {
       c.print_keys = true;
       return Status::Ok();
     }},
    {"help", "", "", "this text",
     [](std::string_view, RunnerConfig& c) {
       c.show_help = true;
       return Status::Ok();
     }},
}};

const Option* FindOption(std::string_view flag) {
  for (const Option& option : kOptions) {
    if (option.flag == flag) return &option;
  }
  return nullptr;
}

}  // namespace

std::string ServerUrl::HostHeader() const {
  const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port = port == (tls ? "443" : "80");
  return default_port ? name : name + ":" + port;
}

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  ServerUrl out;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return Bad("server", "expected ws://host[:port]");
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme == "wss" || scheme == "https") {
    out.tls = true;
  } else if (scheme != "ws" && scheme != "http") {
    return Bad("server", "the scheme must be ws, wss, http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view prefix = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (prefix.find_first_of("?#") != std::string_view::npos) {
    return Bad("server", "no query or fragment");
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (authority.find('@') != std::string_view::npos) {
    return Bad("server", "no user information in the URL");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close < 2) return Bad("server", "bad IPv6 brackets");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad("server", "bad IPv6 brackets");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return Bad("server", "no host");
  if (port.empty()) {
    out.port = out.tls ? "443" : "80";
  } else {
    int number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (error != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
      return Bad("server", "the port must be between 1 and 65535");
    }
    out.port = std::to_string(number);
  }
  out.target = std::string(prefix) + std::string(relay::kRunnerConnectPath);
  return out;
}

Result<RunnerConfig> ParseRunnerConfig(const std::vector<std::string>& args, const EnvLookup& env) {
  RunnerConfig config;
  bool has_server = false;
  bool has_key_dir = false;
  // Environment first, then flags over it.
  for (const Option& option : kOptions) {
    if (option.env.empty()) continue;
    const std::optional<std::string> value = env(option.env);
    if (!value) continue;
    CV_RETURN_IF_ERROR(option.apply(*value, config));
    has_server |= option.flag == "server";
    has_key_dir |= option.flag == "key-dir";
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      return Status(ErrorCode::kInvalidArgument, "unexpected argument: " + std::string(arg));
    }
    arg.remove_prefix(2);
    std::string_view name = arg.substr(0, arg.find('='));
    const Option* option = FindOption(name);
    if (option == nullptr) {
      return Status(ErrorCode::kInvalidArgument, "unknown option: --" + std::string(name));
    }
    std::string value;
    if (arg.size() > name.size()) {
      if (option->value_name.empty()) return Bad(name, "takes no value");
      value = std::string(arg.substr(name.size() + 1));
    } else if (!option->value_name.empty()) {
      if (i + 1 >= args.size()) return Bad(name, "needs a value");
      value = args[++i];
    }
    CV_RETURN_IF_ERROR(option->apply(value, config));
    has_server |= name == "server";
    has_key_dir |= name == "key-dir";
  }
  if (config.show_help) return config;
  if (!has_key_dir) return Bad("key-dir", "required (or CREDVAULT_RUNNER_KEY_DIR)");
  if (!has_server && !config.print_keys) {
    return Bad("server", "required (or CREDVAULT_RUNNER_SERVER)");
  }
  return config;
}

std::string RunnerUsage() {
  std::string out =
      "usage: credvault-runner --server URL --key-dir DIR [options]\n\n"
      "Dials out to a credvault server over a WebSocket, proves its key, and runs the\n"
      "connectivity tests that workspaces which admitted it seal to it, and the scheduled\n"
      "monitoring tests of workspaces whose admins granted it their keys.\n\n";
  for (const Option& option : kOptions) {
    std::string left = "  --" + std::string(option.flag);
    if (!option.value_name.empty()) left += " " + std::string(option.value_name);
    left.resize(std::max<size_t>(left.size() + 2, 24), ' ');
    out += left + std::string(option.help);
    if (!option.env.empty()) out += " [" + std::string(option.env) + "]";
    out += "\n";
  }
  return out;
}

std::chrono::milliseconds ReconnectDelay(int attempt, double jitter) {
  std::chrono::milliseconds delay = kFirstDelay;
  for (int i = 0; i < attempt && delay < kMaxDelay; ++i) delay *= 2;
  delay = std::min(delay, kMaxDelay);
  const double cut = std::clamp(jitter, 0.0, 1.0) * 0.2;
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(delay.count()) * (1.0 - cut)));
}

}  // namespace credvault::server::remote_runner
