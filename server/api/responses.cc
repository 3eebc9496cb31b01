#include "api/responses.h"

#include <algorithm>
#include <string>

#include "api/json_text.h"
#include "credvault/status.h"
#include "store/store.h"

namespace credvault::server::api {
namespace {

using nlohmann::json;

constexpr std::string_view kJsonContentType = "application/json";

HttpResponse ErrorBody(int status, std::string_view code, std::string_view message,
                       json extra = json::object()) {
  json error = {{"code", code}, {"message", message}};
  for (auto& item : extra.items()) error[item.key()] = std::move(item.value());
  HttpResponse response = Json(status, {{"error", std::move(error)}});
  response.log_error = std::string(code) + ": " + std::string(message);
  return response;
}

}  // namespace

HttpResponse Json(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kJsonContentType;
  // Stored strings are client-supplied: replace invalid UTF-8 rather than throw.
  response.body = JsonText(body);
  return response;
}

HttpResponse NoContent() {
  HttpResponse response;
  response.status = 204;
  return response;
}

HttpResponse Unauthenticated(std::string_view message) {
  HttpResponse response = ErrorBody(401, kUnauthenticatedCode, message);
  response.SetHeader("WWW-Authenticate", "Bearer");
  return response;
}

HttpResponse RateLimited(int64_t retry_after_seconds) {
  const int64_t seconds = std::max<int64_t>(1, retry_after_seconds);
  HttpResponse response =
      ErrorBody(429, kRateLimitedCode, "too many attempts; retry after the time given");
  response.SetHeader("Retry-After", std::to_string(seconds));
  return response;
}

HttpResponse VersionConflict(uint64_t current_version, std::string_view message) {
  return ErrorBody(409, ErrorCodeName(ErrorCode::kConflict), message,
                   {{"current_version", current_version}});
}

Result<HttpResponse> FailureOf(const Status& status) {
  if (const std::optional<uint64_t> current = CurrentVersionOf(status)) {
    return VersionConflict(*current, status.message());
  }
  return status;
}

}  // namespace credvault::server::api
