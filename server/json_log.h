// JsonLog: structured log lines, one JSON object per line, on a file descriptor (stderr).
//
// Each line gets "time" (UTC, RFC 3339 with milliseconds) and "event" first, then the
// caller's fields. Callers pass only what may be logged: method, path without query string,
// status, ids, durations. Never a body, token, cookie or header value. Invalid UTF-8 is
// replaced, never thrown on. Lines are written whole under a mutex, so lines from several
// threads do not interleave. Thread-safe; does not own the descriptor.
#ifndef CREDVAULT_SERVER_JSON_LOG_H_
#define CREDVAULT_SERVER_JSON_LOG_H_

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace credvault::server {

class JsonLog {
 public:
  explicit JsonLog(int fd) : fd_(fd) {}
  JsonLog(const JsonLog&) = delete;
  JsonLog& operator=(const JsonLog&) = delete;

  // `fields` must be an object (or null for none).
  void Write(std::string_view event, const nlohmann::json& fields) const;

  // The line Write would emit at `unix_millis`, exposed for tests.
  static std::string FormatLine(long long unix_millis, std::string_view event,
                                const nlohmann::json& fields);

 private:
  int fd_;
  mutable std::mutex mutex_;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_JSON_LOG_H_
