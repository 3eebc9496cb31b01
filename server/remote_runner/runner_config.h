// RunnerConfig: what the standalone runner (credvault-runner, runner_main.cc) needs to
// start, from flags, then environment variables, then defaults (a flag beats its variable).
//
//   --server URL        CREDVAULT_RUNNER_SERVER     ws://, wss://, http:// or https:// host[:port]
//                                                   [/prefix]; http(s) mean ws(s)
//   --key-dir DIR       CREDVAULT_RUNNER_KEY_DIR    holds runner.key (0600, made on first start)
//   --jobs N            CREDVAULT_RUNNER_JOBS       tests at once (default 8)
//   --server-ca FILE    CREDVAULT_RUNNER_SERVER_CA  PEM CA for wss (default: the system store)
//   --trust-granter ID=KEY                          (repeatable) pin a workspace admin's Ed25519
//                                                   public key (base64url or base64): monitoring
//                                                   jobs whose grant is signed by anyone else are
//                                                   refused. Without any, the runner trusts the
//                                                   granters' keys the server sends with each
//                                                   job (runner/monitor_job.h).
//   --print-keys                                    print {id, keys, fingerprint} as JSON, exit
//   --help
// The workspace's address policy is not a runner option: it comes inside each sealed job.
// Pure: the environment is passed in as a lookup. Errors are kInvalidArgument naming the
// option. Plain values.
#ifndef CREDVAULT_SERVER_REMOTE_RUNNER_RUNNER_CONFIG_H_
#define CREDVAULT_SERVER_REMOTE_RUNNER_RUNNER_CONFIG_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"

namespace credvault::server::remote_runner {

// Where the runner dials: the WebSocket endpoint of a server.
struct ServerUrl {
  bool tls = false;
  std::string host;    // without IPv6 brackets
  std::string port;    // always set (80 / 443 by default)
  std::string target;  // the path prefix + /api/v1/runners/connect
  // The Host header: host, bracketed for IPv6, with the port unless it is the default.
  std::string HostHeader() const;
};

struct RunnerConfig {
  ServerUrl server;
  std::string key_dir;
  std::string server_ca;  // empty: the system CA store
  int jobs = 8;
  PinnedKeys trusted_granters;  // account id -> Ed25519 public key; empty: the server's map
  bool print_keys = false;
  bool show_help = false;
};

Result<ServerUrl> ParseServerUrl(std::string_view url);

// `args` excludes argv[0]. --server is required unless --print-keys or --help; --key-dir
// unless --help.
Result<RunnerConfig> ParseRunnerConfig(const std::vector<std::string>& args, const EnvLookup& env);

std::string RunnerUsage();

// Wait before reconnect attempt `attempt` (0 = the first retry): 1 s doubling to 30 s, with
// `jitter` in [0, 1) taking off up to a fifth so that runners cut off together do not all
// come back in the same instant.
std::chrono::milliseconds ReconnectDelay(int attempt, double jitter);

}  // namespace credvault::server::remote_runner

#endif  // CREDVAULT_SERVER_REMOTE_RUNNER_RUNNER_CONFIG_H_
