#include "api/query.h"

#include <gtest/gtest.h>

namespace credvault::server::api {
namespace {

HttpRequest Get(std::string target) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  return request;
}

TEST(ParseQueryTest, DecodesAndChecksNames) {
  const Result<QueryParams> params =
      ParseQuery(Get("/x?email=a%2Bb%40c.d&limit=5&&cursor="), {"email", "limit", "cursor"});
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  EXPECT_EQ(params->at("email"), "a+b@c.d");
  EXPECT_EQ(params->at("limit"), "5");
  EXPECT_EQ(params->at("cursor"), "");
  EXPECT_EQ(ParseQuery(Get("/x?q=a+b"), {"q"})->at("q"), "a b");
  EXPECT_TRUE(ParseQuery(Get("/x"), {})->empty());
}

TEST(ParseQueryTest, RefusesUnknownRepeatedAndBadEscapes) {
  EXPECT_EQ(ParseQuery(Get("/x?other=1"), {"limit"}).code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseQuery(Get("/x?limit=1&limit=2"), {"limit"}).code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseQuery(Get("/x?limit=%"), {"limit"}).code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseQuery(Get("/x?limit=%4"), {"limit"}).code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseQuery(Get("/x?limit=%zz"), {"limit"}).code(), ErrorCode::kValidation);
}

TEST(ReadPageTest, DefaultsAndBounds) {
  EXPECT_EQ(ReadPage({})->limit, kDefaultPageLimit);
  EXPECT_EQ(ReadPage({{"limit", "200"}})->limit, 200u);
  EXPECT_EQ(ReadPage({{"cursor", "abc"}})->cursor, "abc");
  for (const char* bad : {"0", "201", "-1", "1.5", "ten", "", "99999999999999999999999"}) {
    EXPECT_EQ(ReadPage({{"limit", bad}}).code(), ErrorCode::kValidation) << bad;
  }
  EXPECT_EQ(ReadPage({{"cursor", std::string(kMaxTextBytes + 1, 'c')}}).code(),
            ErrorCode::kValidation);
}

TEST(PageJsonTest, EmptyCursorIsNull) {
  EXPECT_TRUE(PageJson(nlohmann::json::array(), "")["next_cursor"].is_null());
  EXPECT_EQ(PageJson(nlohmann::json::array(), "c1")["next_cursor"], "c1");
}

}  // namespace
}  // namespace credvault::server::api
