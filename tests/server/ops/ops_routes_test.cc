#include "ops/ops_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ops_test_util.h"

namespace credvault::server::ops {
namespace {

using nlohmann::json;
using testing::FakeStore;
using testing::ParseExposition;
using testing::ValueOf;

constexpr char kRequests[] = "credvault_http_requests_total";

HttpRequest Get(std::string target, std::string method = "GET") {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

TEST(OpsReadinessTest, ReadyWhenTheStoreAnswers) {
  FakeStore store;
  const HttpResponse response = Readiness(store);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  const json body = json::parse(response.body, nullptr, false);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["store"], "fake");
  EXPECT_EQ(store.calls, 1);
}

TEST(OpsReadinessTest, NotReadyWhenTheStoreFails) {
  FakeStore store;
  store.answer = Status(ErrorCode::kInternal, "database disk image is malformed");
  const HttpResponse response = Readiness(store);
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.Header("Retry-After"), "5");
  const json body = json::parse(response.body, nullptr, false);
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body["status"], "not_ready");
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_TRUE(body["error"]["message"].is_string());
  // The detail is for the log, not for whoever asks.
  EXPECT_EQ(response.body.find("malformed"), std::string::npos);
  EXPECT_NE(response.log_error.find("malformed"), std::string::npos);
}

TEST(OpsRoutesTest, RegisteringNeedsAStore) {
  Router router;
  EXPECT_EQ(RegisterOpsRoutes(router, {}).code(), ErrorCode::kInvalidArgument);
}

TEST(OpsRoutesTest, ServesReadinessMetricsAndTheDocument) {
  FakeStore store;
  Metrics metrics(CurrentBuild("fake"), 1);
  Router router;
  ASSERT_TRUE(RegisterOpsRoutes(router, {&store, &metrics}).ok());

  HttpResponse ready = router.Dispatch(Get("/readyz"));
  EXPECT_EQ(ready.status, 200);
  store.answer = Status(ErrorCode::kInternal, "gone");
  EXPECT_EQ(router.Dispatch(Get("/readyz")).status, 503);

  const HttpResponse scraped = router.Dispatch(Get("/metrics"));
  EXPECT_EQ(scraped.status, 200);
  EXPECT_EQ(scraped.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_TRUE(ParseExposition(scraped.body).errors.empty());
  EXPECT_EQ(ValueOf(ParseExposition(scraped.body), "credvault_build_info", {{"store", "fake"}}),
            1.0);
  // Security headers apply to these answers as to every other.
  EXPECT_EQ(scraped.Header("X-Content-Type-Options"), "nosniff");

  const HttpResponse document = router.Dispatch(Get("/api/openapi.json"));
  EXPECT_EQ(document.status, 200);
  EXPECT_EQ(document.content_type, "application/json");
  const json parsed = json::parse(document.body, nullptr, false);
  ASSERT_TRUE(parsed.is_object());
  EXPECT_EQ(parsed["openapi"], "3.1.0");
}

TEST(OpsRoutesTest, WithoutARegistryMetricsStillAnswers) {
  FakeStore store;
  Router router;
  ASSERT_TRUE(RegisterOpsRoutes(router, {&store, nullptr}).ok());
  const HttpResponse scraped = router.Dispatch(Get("/metrics"));
  EXPECT_EQ(scraped.status, 200);
  EXPECT_TRUE(ParseExposition(scraped.body).errors.empty());
}

TEST(OpsRouterObserverTest, CountsByPatternNotByPath) {
  FakeStore store;
  Metrics metrics(CurrentBuild("fake"), 1);
  Router router;
  ASSERT_TRUE(router
                  .Add("GET", "/api/v1/things/{id}",
                       [](const HttpRequest&) { return Result<HttpResponse>(HttpResponse{}); })
                  .ok());
  ASSERT_TRUE(RegisterOpsRoutes(router, {&store, &metrics}).ok());
  ObserveRequests(router, metrics);

  router.Dispatch(Get("/api/v1/things/aaaaaaaaaaaaaaaaaaaaaa"));
  router.Dispatch(Get("/api/v1/things/bbbbbbbbbbbbbbbbbbbbbb"));
  router.Dispatch(Get("/api/v1/things/x", "HEAD"));
  router.Dispatch(Get("/api/v1/things/x", "DELETE"));  // 405
  router.Dispatch(Get("/no/such/path"));               // 404
  router.Reject(Rejection::kBodyTooLarge);             // 413, before routing

  const std::string text = metrics.Render();
  const testing::Exposition out = ParseExposition(text);
  ASSERT_TRUE(out.errors.empty());
  EXPECT_EQ(ValueOf(out, kRequests,
                    {{"method", "GET"}, {"route", "/api/v1/things/{id}"}, {"status", "200"}}),
            2.0);
  EXPECT_EQ(ValueOf(out, kRequests,
                    {{"method", "HEAD"}, {"route", "/api/v1/things/{id}"}, {"status", "200"}}),
            1.0);
  EXPECT_EQ(ValueOf(out, kRequests,
                    {{"method", "DELETE"}, {"route", "/api/v1/things/{id}"}, {"status", "405"}}),
            1.0);
  EXPECT_EQ(ValueOf(out, kRequests, {{"method", "GET"}, {"route", "none"}, {"status", "404"}}),
            1.0);
  EXPECT_EQ(ValueOf(out, kRequests, {{"method", "other"}, {"route", "none"}, {"status", "413"}}),
            1.0);
  // Raw paths (ids) never become labels.
  EXPECT_EQ(text.find("aaaaaaaaaaaaaaaaaaaaaa"), std::string::npos);
  EXPECT_EQ(text.find("/no/such/path"), std::string::npos);
}

}  // namespace
}  // namespace credvault::server::ops
