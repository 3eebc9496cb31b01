// ServerContext: what the transport (listener, sessions) shares, and the limits it enforces.
//
// Plain pointers to objects owned by main(), which outlive the io_context threads. All of
// them are thread-safe. Copied into every session.
#ifndef CREDVAULT_SERVER_SERVER_CONTEXT_H_
#define CREDVAULT_SERVER_SERVER_CONTEXT_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "auth/forwarded_for.h"
#include "json_log.h"
#include "request_ids.h"
#include "router.h"
#include "session_registry.h"

namespace credvault::server {

namespace relay {
class RunnerHub;
}  // namespace relay

struct HttpLimits {
  size_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 << 10;
  // One request must arrive within this, and an idle keep-alive connection closes after it.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  // Responses queued for one connection before we stop reading its pipelined requests
  // (Beast's advanced server example uses 8).
  size_t pipeline_limit = 8;
};

// Standalone runners dialling in (runner_socket.h). Anyone may dial, so the number of
// sockets and the time to prove a key are bounded.
struct RunnerSocketLimits {
  size_t max_sockets = 256;
  std::chrono::seconds hello_timeout{10};
  // A job without an answer within this fails with kUnavailable; a late answer is dropped.
  std::chrono::seconds job_timeout{45};
  // Keep-alive: a ping after half of this idle, the socket closes after all of it.
  std::chrono::seconds idle_timeout{30};
  size_t max_pending_jobs = 64;  // per socket
};

struct ServerContext {
  const Router* router = nullptr;
  const JsonLog* log = nullptr;
  RequestIds* request_ids = nullptr;
  SessionRegistry* sessions = nullptr;
  HttpLimits limits;
  // Null: GET /api/v1/runners/connect is not upgraded (the route answers 503).
  relay::RunnerHub* runners = nullptr;
  std::atomic<size_t>* runner_sockets = nullptr;  // open runner sockets, owned by main()
  RunnerSocketLimits runner_limits;
  // Peers whose X-Forwarded-For names the client (auth/forwarded_for.h). Null: none.
  const auth::TrustedProxies* trusted_proxies = nullptr;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_SERVER_CONTEXT_H_
