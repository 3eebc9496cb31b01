// ServerContext: what the transport (listener, sessions) shares, and the limits it enforces.
//
// Plain pointers to objects owned by main(), which outlive the io_context threads. All of
// them are thread-safe. Copied into every session.
#ifndef CREDVAULT_SERVER_SERVER_CONTEXT_H_
#define CREDVAULT_SERVER_SERVER_CONTEXT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "json_log.h"
#include "request_ids.h"
#include "router.h"
#include "session_registry.h"

namespace credvault::server {

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

struct ServerContext {
  const Router* router = nullptr;
  const JsonLog* log = nullptr;
  RequestIds* request_ids = nullptr;
  SessionRegistry* sessions = nullptr;
  HttpLimits limits;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_SERVER_CONTEXT_H_
