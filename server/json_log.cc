#include "json_log.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace credvault::server {
namespace {

std::string Rfc3339Utc(long long unix_millis) {
  const std::time_t seconds = static_cast<std::time_t>(unix_millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[32];
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>(unix_millis % 1000));
  return std::string(date) + millis;
}

}  // namespace

std::string JsonLog::FormatLine(long long unix_millis, std::string_view event,
                                const nlohmann::json& fields) {
  // ordered_json keeps time and event first, which makes the log readable by eye.
  nlohmann::ordered_json line;
  line["time"] = Rfc3339Utc(unix_millis);
  line["event"] = event;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  text.push_back('\n');
  return text;
}

void JsonLog::Write(std::string_view event, const nlohmann::json& fields) const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string text =
      FormatLine(std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), event, fields);
  std::lock_guard<std::mutex> lock(mutex_);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to report a failing log
    done += static_cast<size_t>(n);
  }
}

}  // namespace credvault::server
