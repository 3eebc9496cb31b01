#include "json_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

namespace credvault::server {
namespace {

using nlohmann::json;

// 2023-11-14T22:13:20.123Z
constexpr long long kMillis = 1700000000123LL;

TEST(JsonLogTest, JsonFieldsComeAfterTimeAndEventInKeyOrder) {
  const std::string line =
      JsonLog::FormatLine(kMillis, "request", json{{"status", 200}, {"method", "GET"}});
  EXPECT_EQ(line,
            "{\"time\":\"2023-11-14T22:13:20.123Z\",\"event\":\"request\",\"method\":\"GET\","
            "\"status\":200}\n");
}

TEST(JsonLogTest, LogFieldsKeepTheCallersOrder) {
  LogFields fields;
  fields.Add("request_id", "ab-01")
      .Add("status", 404)
      .Add("bytes_out", uint64_t{17})
      .Add("delta", int64_t{-3})
      .Add("duration_ms", 1.25);
  EXPECT_EQ(JsonLog::FormatLine(kMillis, "request", fields),
            "{\"time\":\"2023-11-14T22:13:20.123Z\",\"event\":\"request\",\"request_id\":"
            "\"ab-01\",\"status\":404,\"bytes_out\":17,\"delta\":-3,\"duration_ms\":1.25}\n");
}

TEST(JsonLogTest, BothFormsWriteTheSameLineForTheSameFields) {
  const json object = {{"a", "x\"y\\z"}, {"b", 7}, {"c", 0.5}, {"d", "tab\there"}};
  LogFields fields;
  fields.Add("a", "x\"y\\z").Add("b", 7).Add("c", 0.5).Add("d", "tab\there");
  EXPECT_EQ(JsonLog::FormatLine(kMillis, "e", object), JsonLog::FormatLine(kMillis, "e", fields));
}

TEST(JsonLogTest, EscapesAndReplacesAsNlohmannDoes) {
  // Control characters, quotes, UTF-8 and an invalid byte: each escaped or replaced exactly
  // as nlohmann's dump with error_handler_t::replace.
  const std::string hostile = std::string("a\x01\n\"\\/é") + "\xff" + "end";
  LogFields fields;
  fields.Add("path", hostile);
  const json expected_value(hostile);
  const std::string expected =
      expected_value.dump(-1, ' ', false, json::error_handler_t::replace);
  EXPECT_EQ(fields.text(), ",\"path\":" + expected);
  const json parsed = json::parse(JsonLog::FormatLine(kMillis, "e", fields), nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["path"], "a\x01\n\"\\/é\xEF\xBF\xBD" "end");
}

TEST(JsonLogTest, TimeFollowsTheMillisecondsAcrossSeconds) {
  EXPECT_EQ(JsonLog::FormatLine(0, "e", LogFields()),
            "{\"time\":\"1970-01-01T00:00:00.000Z\",\"event\":\"e\"}\n");
  EXPECT_EQ(JsonLog::FormatLine(999, "e", LogFields()),
            "{\"time\":\"1970-01-01T00:00:00.999Z\",\"event\":\"e\"}\n");
  EXPECT_EQ(JsonLog::FormatLine(61005, "e", LogFields()),
            "{\"time\":\"1970-01-01T00:01:01.005Z\",\"event\":\"e\"}\n");
  EXPECT_EQ(JsonLog::FormatLine(999, "e", LogFields()),
            "{\"time\":\"1970-01-01T00:00:00.999Z\",\"event\":\"e\"}\n");
}

TEST(JsonLogTest, WritesWholeLinesToTheDescriptor) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const JsonLog log(fds[1]);
  LogFields fields;
  fields.Add("n", 1);
  log.Write("one", fields);
  log.Write("two", json{{"n", 2}});
  close(fds[1]);
  std::string out;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof(buffer))) > 0;) out.append(buffer, n);
  close(fds[0]);
  const size_t first_end = out.find('\n');
  ASSERT_NE(first_end, std::string::npos);
  const json one = json::parse(out.substr(0, first_end), nullptr, false);
  const json two = json::parse(out.substr(first_end + 1), nullptr, false);
  ASSERT_TRUE(one.is_object());
  ASSERT_TRUE(two.is_object());
  EXPECT_EQ(one["event"], "one");
  EXPECT_EQ(one["n"], 1);
  EXPECT_EQ(two["event"], "two");
  EXPECT_EQ(two["n"], 2);
}

}  // namespace
}  // namespace credvault::server
