#include "api/responses.h"

#include <gtest/gtest.h>

#include "store/store.h"

namespace credvault::server::api {
namespace {

nlohmann::json Body(const HttpResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, false);
}

TEST(ResponsesTest, Unauthenticated) {
  const HttpResponse response = Unauthenticated("sign in first");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Body(response)["error"]["code"], "unauthenticated");
  EXPECT_EQ(Body(response)["error"]["message"], "sign in first");
}

TEST(ResponsesTest, RateLimitedHasRetryAfterOfAtLeastOneSecond) {
  EXPECT_EQ(RateLimited(42).Header("Retry-After"), "42");
  EXPECT_EQ(RateLimited(0).Header("Retry-After"), "1");
  EXPECT_EQ(RateLimited(42).status, 429);
  EXPECT_EQ(Body(RateLimited(42))["error"]["code"], "rate_limited");
}

TEST(ResponsesTest, StaleVersionBecomes409WithCurrentVersion) {
  const Result<HttpResponse> stale = FailureOf(StaleVersion("workspace", 7));
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->status, 409);
  EXPECT_EQ(Body(*stale)["error"]["code"], "conflict");
  EXPECT_EQ(Body(*stale)["error"]["current_version"], 7);
  const Result<HttpResponse> other = FailureOf(Status(ErrorCode::kConflict, "email taken"));
  EXPECT_EQ(other.code(), ErrorCode::kConflict);
  EXPECT_EQ(FailureOf(Status(ErrorCode::kNotFound, "x")).code(), ErrorCode::kNotFound);
}

TEST(ResponsesTest, JsonNeverThrowsOnInvalidUtf8) {
  const HttpResponse response = Ok({{"name", std::string("\xff\xfe")}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_FALSE(Body(response).is_discarded());
}

}  // namespace
}  // namespace credvault::server::api
