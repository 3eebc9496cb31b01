#include "json_log.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "api/json_text.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// "YYYY-MM-DDTHH:MM:SS.mmmZ". The seconds part is formatted once per second per thread:
// gmtime_r takes glibc's time zone lock, which every request's line would contend on.
void AppendRfc3339Utc(std::string& out, long long unix_millis) {
  struct SecondCache {
    long long second = -1;
    char text[32] = {};
    size_t size = 0;
  };
  thread_local SecondCache cache;
  const long long second = unix_millis / 1000;
  if (second != cache.second) {
    const std::time_t seconds = static_cast<std::time_t>(second);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    cache.size = std::strftime(cache.text, sizeof(cache.text), "%Y-%m-%dT%H:%M:%S", &utc);
    cache.second = second;
  }
  out.append(cache.text, cache.size);
  const int millis = static_cast<int>(unix_millis % 1000);
  const char fraction[6] = {'.', static_cast<char>('0' + millis / 100),
                            static_cast<char>('0' + millis / 10 % 10),
                            static_cast<char>('0' + millis % 10), 'Z', '\0'};
  out.append(fraction, 5);
}

template <typename Int>
void AppendInt(std::string& out, Int value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

std::string Line(long long unix_millis, std::string_view event, std::string_view fields) {
  std::string text;
  text.reserve(48 + event.size() + fields.size());
  text += "{\"time\":\"";
  AppendRfc3339Utc(text, unix_millis);
  text += "\",\"event\":";
  api::AppendJsonString(text, event);
  text += fields;
  text += "}\n";
  return text;
}

long long NowMillis() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

}  // namespace

void LogFields::Key(std::string_view key) {
  text_ += ',';
  api::AppendJsonString(text_, key);
  text_ += ':';
}

LogFields& LogFields::Add(std::string_view key, std::string_view value) {
  Key(key);
  api::AppendJsonString(text_, value);
  return *this;
}

LogFields& LogFields::Add(std::string_view key, int64_t value) {
  Key(key);
  AppendInt(text_, value);
  return *this;
}

LogFields& LogFields::Add(std::string_view key, uint64_t value) {
  Key(key);
  AppendInt(text_, value);
  return *this;
}

LogFields& LogFields::Add(std::string_view key, double value) {
  Key(key);
  api::AppendJsonText(text_, json(value));
  return *this;
}

LogFields& LogFields::AddJson(std::string_view key, const json& value) {
  Key(key);
  api::AppendJsonText(text_, value);
  return *this;
}

std::string JsonLog::FormatLine(long long unix_millis, std::string_view event,
                                const json& fields) {
  LogFields line;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line.AddJson(it.key(), it.value());
  }
  return FormatLine(unix_millis, event, line);
}

std::string JsonLog::FormatLine(long long unix_millis, std::string_view event,
                                const LogFields& fields) {
  return Line(unix_millis, event, fields.text());
}

void JsonLog::Write(std::string_view event, const json& fields) const {
  WriteLine(FormatLine(NowMillis(), event, fields));
}

void JsonLog::Write(std::string_view event, const LogFields& fields) const {
  WriteLine(FormatLine(NowMillis(), event, fields));
}

void JsonLog::WriteLine(const std::string& text) const {
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
