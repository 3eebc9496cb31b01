// Responses of the JSON API, and the refusals the core's ErrorCodes have no words for.
//
// Most failures are a Status returned to the router, which is the one place a Status
// becomes an HTTP status. Three answers need more than a code and a message, and are built
// here, from the one table in responses.cc: 401 (no valid session: the core has no
// "unauthenticated"), 429 with Retry-After (the core has no "rate limited"), and 409 for a
// stale version, which carries the record's current version so the client can re-read.
// All bodies are {"error": {"code", "message", ...}}. Pure functions; thread-safe.
#ifndef CREDVAULT_SERVER_API_RESPONSES_H_
#define CREDVAULT_SERVER_API_RESPONSES_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "credvault/status.h"
#include "http_message.h"

namespace credvault::server::api {

inline constexpr std::string_view kUnauthenticatedCode = "unauthenticated";
inline constexpr std::string_view kRateLimitedCode = "rate_limited";

// `status` with a JSON body.
HttpResponse Json(int status, const nlohmann::json& body);
inline HttpResponse Ok(const nlohmann::json& body) { return Json(200, body); }
inline HttpResponse Created(const nlohmann::json& body) { return Json(201, body); }
HttpResponse NoContent();

// 401 {"error":{"code":"unauthenticated", ...}}, with WWW-Authenticate: Bearer.
HttpResponse Unauthenticated(std::string_view message);
// 429 {"error":{"code":"rate_limited", ...}} with Retry-After in whole seconds (at least 1).
HttpResponse RateLimited(int64_t retry_after_seconds);
// 409 {"error":{"code":"conflict", "message", "current_version": N}}.
HttpResponse VersionConflict(uint64_t current_version, std::string_view message);

// For a failed store write: a stale version (store.h StaleVersion) becomes VersionConflict,
// any other status stays a status for the router. Use as `return api::FailureOf(status);`.
Result<HttpResponse> FailureOf(const Status& status);

}  // namespace credvault::server::api

#endif  // CREDVAULT_SERVER_API_RESPONSES_H_
