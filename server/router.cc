#include "router.h"

#include <algorithm>
#include <array>
#include <future>
#include <nlohmann/json.hpp>
#include <utility>

namespace credvault::server {
namespace {

// Every response carries these. The CSP allows no inline script or style; Chromium needs
// 'wasm-unsafe-eval' to compile WebAssembly under a CSP.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'";

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kSecurityHeaders = {{
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
}};

// Handlers that serve cacheable content say so; everything else is never stored.
constexpr std::string_view kDefaultCacheControl = "no-store";
constexpr std::string_view kJsonContentType = "application/json";

struct StatusMapping {
  ErrorCode code;
  int http_status;
};

// The one table from the core's error codes to HTTP statuses. Codes not listed are 500.
constexpr std::array<StatusMapping, 19> kStatusTable = {{
    {ErrorCode::kInvalidArgument, 400},
    {ErrorCode::kMalformed, 400},
    {ErrorCode::kUnsupportedVersion, 400},
    {ErrorCode::kUnsupportedAlgorithm, 400},
    {ErrorCode::kDecryptFailed, 400},
    {ErrorCode::kKdfTooWeak, 400},
    {ErrorCode::kBadSignature, 400},
    {ErrorCode::kUntrustedSigner, 400},
    {ErrorCode::kWrongRecipient, 400},
    {ErrorCode::kValidation, 400},
    {ErrorCode::kParseError, 400},
    {ErrorCode::kUnknownHandle, 400},
    {ErrorCode::kExpired, 410},
    {ErrorCode::kReplayed, 409},
    {ErrorCode::kNotFound, 404},
    {ErrorCode::kPermissionDenied, 403},
    {ErrorCode::kConflict, 409},
    {ErrorCode::kInvalidTransition, 409},
    {ErrorCode::kUnavailable, 503},
}};

struct RejectionMapping {
  Rejection rejection;
  int http_status;
  std::string_view code;
  std::string_view message;
};

constexpr std::array<RejectionMapping, 4> kRejectionTable = {{
    {Rejection::kBadRequest, 400, "bad_request", "the request is not valid HTTP/1.1"},
    {Rejection::kBodyTooLarge, 413, "body_too_large", "the request body is over the limit"},
    {Rejection::kHeaderTooLarge, 431, "header_too_large", "the request headers are too large"},
    {Rejection::kMethodNotAllowed, 405, "method_not_allowed",
     "this method is not allowed on this path"},
}};

HttpResponse JsonError(int http_status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  HttpResponse response;
  response.status = http_status;
  response.content_type = kJsonContentType;
  // Messages may quote user input: replace invalid UTF-8 rather than throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

void AddStandardHeaders(HttpResponse& response) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(kSecurityHeaders.size() + response.headers.size() + 1);
  for (const auto& [name, value] : kSecurityHeaders) headers.emplace_back(name, value);
  if (response.Header("Cache-Control").empty()) {
    headers.emplace_back("Cache-Control", kDefaultCacheControl);
  }
  for (auto& header : response.headers) {
    const bool is_standard = std::any_of(
        kSecurityHeaders.begin(), kSecurityHeaders.end(),
        [&](const auto& standard) { return EqualsIgnoreCase(standard.first, header.first); });
    // A handler cannot weaken a security header.
    if (!is_standard) headers.push_back(std::move(header));
  }
  response.headers = std::move(headers);
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  std::string_view rest = path.substr(1);
  while (true) {
    const size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return parts;
}

bool IsHeadFallback(std::string_view request_method, std::string_view route_method) {
  return request_method == "HEAD" && route_method == "GET";
}

}  // namespace

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  return AddAsync(method, pattern,
                  [handler = std::move(handler)](const HttpRequest& request, Respond respond) {
                    respond(handler(request));
                  });
}

Status Router::AddAsync(std::string_view method, std::string_view pattern,
                        AsyncHandler handler) {
  if (method.empty() || pattern.empty() || pattern.front() != '/') {
    return Status(ErrorCode::kInvalidArgument, "a route pattern starts with '/'");
  }
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  std::vector<std::string_view> parts = SplitPath(pattern);
  if (parts.back() == "*") {
    route.wildcard = true;
    parts.pop_back();
  }
  for (std::string_view part : parts) {
    if (part.find('*') != std::string_view::npos) {
      return Status(ErrorCode::kInvalidArgument, "'*' is only allowed as the last segment");
    }
    const bool is_param = part.size() > 2 && part.front() == '{' && part.back() == '}';
    if (is_param) {
      route.segments.push_back({std::string(part.substr(1, part.size() - 2)), true});
    } else {
      route.segments.push_back({std::string(part), false});
      ++route.literal_count;
    }
  }
  for (const Route& existing : routes_) {
    if (existing.method == route.method && existing.pattern == route.pattern) {
      return Status(ErrorCode::kConflict, "route registered twice: " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
  return Status::Ok();
}

bool Router::Matches(const Route& route, std::string_view path,
                     std::span<const std::string_view> parts,
                     std::map<std::string, std::string, std::less<>>* params) {
  const size_t fixed = route.segments.size();
  if (route.wildcard ? parts.size() <= fixed : parts.size() != fixed) return false;
  size_t consumed = 1;  // the leading '/'
  for (size_t i = 0; i < fixed; ++i) {
    const Segment& segment = route.segments[i];
    if (segment.is_param) {
      if (parts[i].empty()) return false;
      if (params != nullptr) (*params)[segment.text] = std::string(parts[i]);
    } else if (parts[i] != segment.text) {
      return false;
    }
    consumed += parts[i].size() + 1;
  }
  if (route.wildcard && params != nullptr) (*params)["*"] = std::string(path.substr(consumed));
  return true;
}

std::pair<int, int> Router::Specificity(const Route& route) {
  return {route.wildcard ? 0 : 1, route.literal_count};
}

void Router::DispatchAsync(HttpRequest request, Completion done) const {
  const auto started = std::chrono::steady_clock::now();
  std::string_view pattern;
  const Route* chosen = nullptr;
  if (std::optional<HttpResponse> refused = Resolve(request, &pattern, &chosen)) {
    Observe(request.method, pattern, refused->status, started);
    return done(std::move(*refused));
  }
  chosen->handler(request, [this, method = request.method, pattern, started,
                            done = std::move(done)](Result<HttpResponse> result) {
    HttpResponse response;
    if (result.ok()) {
      response = std::move(result).value();
      AddStandardHeaders(response);
    } else {
      response = ErrorResponse(result.status());
    }
    Observe(method, pattern, response.status, started);
    done(std::move(response));
  });
}

HttpResponse Router::Dispatch(HttpRequest request) const {
  std::promise<HttpResponse> answered;
  std::future<HttpResponse> response = answered.get_future();
  DispatchAsync(std::move(request),
                [&answered](HttpResponse done) { answered.set_value(std::move(done)); });
  return response.get();
}

void Router::Observe(std::string_view method, std::string_view pattern, int status,
                     std::chrono::steady_clock::time_point started) const {
  if (!observer_) return;
  observer_({method, pattern, status, std::chrono::steady_clock::now() - started});
}

std::optional<HttpResponse> Router::Resolve(HttpRequest& request, std::string_view* pattern,
                                            const Route** chosen_route) const {
  const std::string_view path = request.Path();
  if (path.empty() || path.front() != '/') return RejectResponse(Rejection::kBadRequest);

  // The most specific pattern that matches the path decides (the first registered on a
  // tie): 404 if none matches, 405 if that pattern lacks the method.
  // The path is split once, candidates are compared without copying, and only the winner's
  // parameters are captured: this runs on every request.
  const std::vector<std::string_view> parts = SplitPath(path);
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (!Matches(route, path, parts, nullptr)) continue;
    if (best == nullptr || Specificity(route) > Specificity(*best)) best = &route;
  }
  if (best == nullptr) return ErrorResponse(Status(ErrorCode::kNotFound, "no such path"));

  const Route* chosen = nullptr;
  for (const Route& route : routes_) {
    if (route.pattern != best->pattern) continue;
    if (route.method == request.method) chosen = &route;
    if (chosen == nullptr && IsHeadFallback(request.method, route.method)) chosen = &route;
  }
  if (chosen == nullptr) {
    std::string allow;
    for (const Route& route : routes_) {
      if (route.pattern != best->pattern) continue;
      if (!allow.empty()) allow += ", ";
      allow += route.method;
      if (route.method == "GET") allow += ", HEAD";
    }
    *pattern = best->pattern;
    HttpResponse response = RejectResponse(Rejection::kMethodNotAllowed);
    response.SetHeader("Allow", std::move(allow));
    return response;
  }

  *pattern = chosen->pattern;
  *chosen_route = chosen;
  Matches(*best, path, parts, &request.params);
  return std::nullopt;
}

HttpResponse Router::Reject(Rejection rejection) const {
  const auto started = std::chrono::steady_clock::now();
  HttpResponse response = RejectResponse(rejection);
  // Refused while reading: the method may be anything a client sent, so none is recorded.
  Observe("", "", response.status, started);
  return response;
}

HttpResponse Router::RejectResponse(Rejection rejection) {
  for (const RejectionMapping& mapping : kRejectionTable) {
    if (mapping.rejection != rejection) continue;
    HttpResponse response = JsonError(mapping.http_status, mapping.code, mapping.message);
    response.log_error = mapping.code;
    AddStandardHeaders(response);
    return response;
  }
  return ErrorResponse(Status(ErrorCode::kInternal, "unmapped rejection"));
}

HttpResponse Router::ErrorResponse(const Status& status) {
  int http_status = 500;
  for (const StatusMapping& mapping : kStatusTable) {
    if (mapping.code == status.code()) http_status = mapping.http_status;
  }
  // A 500 is our fault: its detail belongs in the log, not in the answer.
  const bool internal = http_status == 500;
  const std::string_view message =
      internal ? std::string_view("internal error") : std::string_view(status.message());
  const std::string_view code = internal ? std::string_view("internal") : status.code_name();
  HttpResponse response = JsonError(http_status, code, message);
  response.log_error = status.ToString();
  AddStandardHeaders(response);
  return response;
}

std::vector<std::string> Router::Describe() const {
  std::vector<std::string> lines;
  lines.reserve(routes_.size());
  for (const Route& route : routes_) lines.push_back(route.method + " " + route.pattern);
  return lines;
}

}  // namespace credvault::server
