// JsonLog: structured log lines, one JSON object per line, on a file descriptor (stderr).
//
// Each line gets "time" (UTC, RFC 3339 with milliseconds) and "event" first, then the
// caller's fields. Callers pass only what may be logged: method, path without query string,
// status, ids, durations. Never a body, token, cookie or header value. Invalid UTF-8 is
// replaced, never thrown on. Lines are written whole under a mutex, so lines from several
// threads do not interleave. Thread-safe; does not own the descriptor.
//
// Two ways to pass fields: a nlohmann::json object (keys come out sorted), for the rare
// events; or LogFields, which writes each field straight into the line in the caller's
// order, for the request log that runs once per request. Both escape exactly alike.
#ifndef CREDVAULT_SERVER_JSON_LOG_H_
#define CREDVAULT_SERVER_JSON_LOG_H_

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace credvault::server {

// The fields of one line, already in their JSON text (",\"key\":value" each). Keys are the
// caller's constants; keys and values are escaped here as nlohmann::json escapes them.
class LogFields {
 public:
  LogFields& Add(std::string_view key, std::string_view value);
  LogFields& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  LogFields& Add(std::string_view key, int64_t value);
  LogFields& Add(std::string_view key, uint64_t value);
  LogFields& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  // Written as nlohmann::json writes a double.
  LogFields& Add(std::string_view key, double value);
  // Any JSON value, as nlohmann::json dumps it.
  LogFields& AddJson(std::string_view key, const nlohmann::json& value);

  const std::string& text() const { return text_; }

 private:
  void Key(std::string_view key);
  std::string text_;
};

class JsonLog {
 public:
  explicit JsonLog(int fd) : fd_(fd) {}
  JsonLog(const JsonLog&) = delete;
  JsonLog& operator=(const JsonLog&) = delete;

  // `fields` must be an object (or null for none).
  void Write(std::string_view event, const nlohmann::json& fields) const;
  void Write(std::string_view event, const LogFields& fields) const;

  // The lines Write would emit at `unix_millis`, exposed for tests.
  static std::string FormatLine(long long unix_millis, std::string_view event,
                                const nlohmann::json& fields);
  static std::string FormatLine(long long unix_millis, std::string_view event,
                                const LogFields& fields);

 private:
  void WriteLine(const std::string& text) const;

  int fd_;
  mutable std::mutex mutex_;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_JSON_LOG_H_
