#include "router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace credvault::server {
namespace {

HttpRequest Request(std::string method, std::string target) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

Handler Echo(std::string name) {
  return [name](const HttpRequest& request) -> Result<HttpResponse> {
    HttpResponse response;
    response.body = name;
    for (const auto& [key, value] : request.params) response.body += " " + key + "=" + value;
    return response;
  };
}

nlohmann::json ErrorOf(const HttpResponse& response) {
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  EXPECT_FALSE(body.is_discarded());
  return body.contains("error") ? body["error"] : nlohmann::json();
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("GET", "/healthz", Echo("health")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/workspaces/{id}", Echo("workspace")).ok());
    ASSERT_TRUE(router_.Add("DELETE", "/api/v1/workspaces/{id}", Echo("delete")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/workspaces/mine", Echo("mine")).ok());
    ASSERT_TRUE(router_.Add("GET", "/module/*", Echo("module")).ok());
    ASSERT_TRUE(router_.Add("GET", "/*", Echo("web")).ok());
  }
  Router router_;
};

TEST_F(RouterTest, ExactRoute) {
  const HttpResponse response = router_.Dispatch(Request("GET", "/healthz"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "health");
}

TEST_F(RouterTest, QueryStringIsNotPartOfThePath) {
  EXPECT_EQ(router_.Dispatch(Request("GET", "/healthz?verbose=1")).body, "health");
}

TEST_F(RouterTest, LiteralBeatsParameterBeatsWildcard) {
  EXPECT_EQ(router_.Dispatch(Request("GET", "/api/v1/workspaces/mine")).body, "mine");
  EXPECT_EQ(router_.Dispatch(Request("GET", "/api/v1/workspaces/ab12")).body, "workspace id=ab12");
  EXPECT_EQ(router_.Dispatch(Request("GET", "/module/credvault.mjs")).body,
            "module *=credvault.mjs");
  EXPECT_EQ(router_.Dispatch(Request("GET", "/")).body, "web *=");
  EXPECT_EQ(router_.Dispatch(Request("GET", "/module")).body, "web *=module");
}

TEST_F(RouterTest, WildcardKeepsTheRawTail) {
  // Decoding and traversal checks belong to the handler, which sees the tail as sent.
  EXPECT_EQ(router_.Dispatch(Request("GET", "/module/%2e%2e/x")).body, "module *=%2e%2e/x");
  EXPECT_EQ(router_.Dispatch(Request("GET", "/module/../x")).body, "module *=../x");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  EXPECT_EQ(router_.Dispatch(Request("HEAD", "/healthz")).body, "health");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  const HttpResponse response = router_.Dispatch(Request("POST", "/api/v1/workspaces/x"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(ErrorOf(response)["code"], "method_not_allowed");
  EXPECT_EQ(response.Header("Allow"), "GET, HEAD, DELETE");
  EXPECT_EQ(router_.Dispatch(Request("DELETE", "/api/v1/workspaces/x")).body, "delete id=x");
}

TEST_F(RouterTest, EmptyParameterDoesNotMatch) {
  // "/api/v1/workspaces/" has an empty {id}: only the catch-all matches it.
  EXPECT_EQ(router_.Dispatch(Request("GET", "/api/v1/workspaces/")).body,
            "web *=api/v1/workspaces/");
}

TEST(RouterErrors, UnknownPathIs404Json) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/healthz", Echo("health")).ok());
  const HttpResponse response = router.Dispatch(Request("GET", "/nope"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(ErrorOf(response)["code"], "not_found");
  EXPECT_TRUE(ErrorOf(response)["message"].is_string());
}

TEST(RouterErrors, NonOriginFormTargetIs400) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/*", Echo("web")).ok());
  for (const char* target : {"*", "http://evil.example/", ""}) {
    const HttpResponse response = router.Dispatch(Request("GET", target));
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(ErrorOf(response)["code"], "bad_request") << target;
  }
}

TEST(RouterErrors, HandlerStatusMapsToHttpStatus) {
  const struct {
    ErrorCode code;
    int http_status;
    const char* json_code;
  } cases[] = {
      {ErrorCode::kInvalidArgument, 400, "invalid_argument"},
      {ErrorCode::kValidation, 400, "validation"},
      {ErrorCode::kParseError, 400, "parse_error"},
      {ErrorCode::kNotFound, 404, "not_found"},
      {ErrorCode::kPermissionDenied, 403, "permission_denied"},
      {ErrorCode::kConflict, 409, "conflict"},
      {ErrorCode::kInvalidTransition, 409, "invalid_transition"},
      {ErrorCode::kUnavailable, 503, "unavailable"},
      {ErrorCode::kInternal, 500, "internal"},
  };
  for (const auto& c : cases) {
    Router router;
    ASSERT_TRUE(router
                    .Add("GET", "/x",
                         [&](const HttpRequest&) -> Result<HttpResponse> {
                           return Status(c.code, "detail for " + std::string(c.json_code));
                         })
                    .ok());
    const HttpResponse response = router.Dispatch(Request("GET", "/x"));
    EXPECT_EQ(response.status, c.http_status) << c.json_code;
    EXPECT_EQ(ErrorOf(response)["code"], c.json_code);
    EXPECT_FALSE(response.log_error.empty());
  }
}

TEST(RouterErrors, ErrorBodyCarriesCodeAndMessage) {
  const HttpResponse response = Router::ErrorResponse(Status(ErrorCode::kNotFound, "no such file"));
  EXPECT_EQ(response.body, R"({"error":{"code":"not_found","message":"no such file"}})");
  EXPECT_EQ(response.log_error, "not_found: no such file");
}

TEST(RouterErrors, InternalErrorsHideTheirDetail) {
  const HttpResponse response =
      Router::ErrorResponse(Status(ErrorCode::kInternal, "open /etc/secret failed"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("/etc/secret"), std::string::npos);
  EXPECT_NE(response.log_error.find("/etc/secret"), std::string::npos);
}

TEST(RouterErrors, Rejections) {
  Router router;
  EXPECT_EQ(router.Reject(Rejection::kBodyTooLarge).status, 413);
  EXPECT_EQ(ErrorOf(router.Reject(Rejection::kBodyTooLarge))["code"], "body_too_large");
  EXPECT_EQ(router.Reject(Rejection::kHeaderTooLarge).status, 431);
  EXPECT_EQ(router.Reject(Rejection::kBadRequest).status, 400);
  EXPECT_EQ(router.Reject(Rejection::kMethodNotAllowed).status, 405);
}

TEST(RouterHeaders, EveryResponseCarriesSecurityHeaders) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/ok", Echo("ok")).ok());
  ASSERT_TRUE(router
                  .Add("GET", "/weak",
                       [](const HttpRequest&) -> Result<HttpResponse> {
                         HttpResponse response;
                         response.SetHeader("Content-Security-Policy", "default-src *");
                         response.SetHeader("Cache-Control", "no-cache");
                         return response;
                       })
                  .ok());
  const HttpResponse responses[] = {
      router.Dispatch(Request("GET", "/ok")),   router.Dispatch(Request("GET", "/missing")),
      router.Dispatch(Request("POST", "/ok")),  router.Reject(Rejection::kBodyTooLarge),
      router.Dispatch(Request("GET", "/weak")),
  };
  for (const HttpResponse& response : responses) {
    const std::string csp(response.Header("Content-Security-Policy"));
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response.Header("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(response.Header("X-Frame-Options"), "DENY");
    EXPECT_FALSE(response.Header("Cache-Control").empty());
  }
  EXPECT_EQ(responses[0].Header("Cache-Control"), "no-store");
  // A handler may choose its caching, but never weaken a security header.
  EXPECT_EQ(responses[4].Header("Cache-Control"), "no-cache");
  int csp_count = 0;
  for (const auto& [name, value] : responses[4].headers) {
    if (EqualsIgnoreCase(name, "Content-Security-Policy")) ++csp_count;
  }
  EXPECT_EQ(csp_count, 1);
}

TEST(RouterAdd, RefusesDuplicatesAndBadPatterns) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/a", Echo("a")).ok());
  EXPECT_EQ(router.Add("GET", "/a", Echo("a")).code(), ErrorCode::kConflict);
  EXPECT_TRUE(router.Add("POST", "/a", Echo("a")).ok());
  EXPECT_EQ(router.Add("GET", "a", Echo("a")).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/*/b", Echo("a")).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Describe(), (std::vector<std::string>{"GET /a", "POST /a"}));
}

TEST(RouterAsync, SynchronousRoutesCompleteBeforeDispatchAsyncReturns) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/a/{id}", Echo("a")).ok());
  std::optional<HttpResponse> answered;
  router.DispatchAsync(Request("GET", "/a/7"), [&](HttpResponse r) { answered = std::move(r); });
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->body, "a id=7");
  answered.reset();
  router.DispatchAsync(Request("GET", "/nowhere"), [&](HttpResponse r) { answered = std::move(r); });
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status, 404);
}

TEST(RouterAsync, AnAsyncHandlerAnswersFromAnotherThreadWithHeadersErrorsAndOneSample) {
  Router router;
  std::vector<RouteSample> samples;
  std::mutex samples_mutex;
  router.SetObserver([&](const RouteSample& sample) {
    std::lock_guard lock(samples_mutex);
    samples.push_back({sample.method, sample.pattern, sample.status, sample.elapsed});
  });
  std::vector<std::thread> workers;
  const auto later = [&workers](Result<HttpResponse> result) -> AsyncHandler {
    return [&workers, result](const HttpRequest&, Respond respond) {
      workers.emplace_back([result, respond = std::move(respond)] { respond(result); });
    };
  };
  HttpResponse ok;
  ok.body = "done";
  ASSERT_TRUE(router.AddAsync("POST", "/jobs/{id}", later(ok)).ok());
  ASSERT_TRUE(
      router.AddAsync("GET", "/busy", later(Status(ErrorCode::kUnavailable, "no runner"))).ok());

  const HttpResponse done = router.Dispatch(Request("POST", "/jobs/1"));
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(done.body, "done");
  EXPECT_EQ(done.Header("X-Content-Type-Options"), "nosniff");
  const HttpResponse busy = router.Dispatch(Request("GET", "/busy"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(ErrorOf(busy)["code"], "unavailable");
  for (std::thread& worker : workers) worker.join();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].pattern, "/jobs/{id}");
  EXPECT_EQ(samples[1].status, 503);
}

}  // namespace
}  // namespace credvault::server
