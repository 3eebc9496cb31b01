#include "api/json_text.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace credvault::server::api {
namespace {

using nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(JsonTextTest, WritesExactlyWhatDumpWrites) {
  const std::vector<json> values = {
      json(),
      json::object(),
      json::array(),
      json(true),
      json(false),
      json(0),
      json(-42),
      json(std::numeric_limits<int64_t>::min()),
      json(std::numeric_limits<uint64_t>::max()),
      json(0.1),
      json(1.0),
      json(-2.5e-7),
      json(1e300),
      json(""),
      json("plain ascii ~ with spaces"),
      json("quote \" backslash \\ slash /"),
      json(std::string("controls \x01\x1f\t\n\r\b\f and DEL \x7f")),
      json("UTF-8: é ✓ 😀"),
      json(std::string("invalid \xff\xfe bytes \xc3")),
      json::binary({1, 2, 3}),
      json{{"z", 1}, {"a", json::array({1, "two", nullptr, json::object()})},
           {"k\"ey\n", {{"nested", "v"}}}},
  };
  for (const json& value : values) {
    EXPECT_EQ(JsonText(value), Dump(value)) << Dump(value);
  }
}

TEST(JsonTextTest, StringsAreQuotedAndEscapedAsDumpDoes) {
  std::string out;
  AppendJsonString(out, "abc");
  AppendJsonString(out, "a\"b");
  AppendJsonString(out, std::string("\x80", 1));
  EXPECT_EQ(out, "\"abc\"" + Dump(json("a\"b")) + Dump(json(std::string("\x80", 1))));
}

TEST(JsonTextTest, AppendsAfterWhatIsThere) {
  std::string out = "prefix:";
  AppendJsonText(out, json{{"a", 1}});
  EXPECT_EQ(out, "prefix:{\"a\":1}");
}

}  // namespace
}  // namespace credvault::server::api
