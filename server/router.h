// Router: the route table, and the single place where errors become HTTP statuses.
//
// Handlers return Result<HttpResponse>; a non-ok Status, a refusal the session detected
// while reading (Rejection), an unknown path or a wrong method all leave here as
// `{"error": {"code", "message"}}` with the status from one table in router.cc. Every
// response that leaves Dispatch or Reject carries the standard security headers.
//
// Patterns: literal segments, `{name}` segments (captured into HttpRequest::params), and a
// trailing `*` that captures the rest of the raw, still percent-encoded path as params["*"].
// The most specific pattern wins: no wildcard before wildcard, then more literal segments.
// HEAD is answered by the GET handler when no HEAD handler is registered.
//
// Build the table (and set the observer) before serving; afterwards Dispatch and Reject are
// const and safe to call from any number of threads.
#ifndef CREDVAULT_SERVER_ROUTER_H_
#define CREDVAULT_SERVER_ROUTER_H_

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "credvault/status.h"
#include "http_message.h"

namespace credvault::server {

// A request refused before any handler saw it; the core's ErrorCodes have no words for these.
enum class Rejection {
  kBadRequest,        // unparseable HTTP, or a target that is not origin-form
  kBodyTooLarge,      // body over the configured limit
  kHeaderTooLarge,    // request line plus headers over the parser's limit
  kMethodNotAllowed,  // the path exists, the method does not
};

using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

// A handler that answers later, from any thread, through `respond` (called exactly once):
// for work that waits on something else (a connectivity test on a runner) and must not hold
// an io_context thread meanwhile. The request is valid only until the handler returns, so
// it copies what it needs.
using Respond = std::function<void(Result<HttpResponse>)>;
using AsyncHandler = std::function<void(const HttpRequest&, Respond respond)>;
// Receives the finished response of DispatchAsync.
using Completion = std::function<void(HttpResponse)>;

// One answered request, for metrics: the matched route pattern (never the raw path, which
// holds ids; empty when no route matched or the request was refused before routing).
struct RouteSample {
  std::string_view method;
  std::string_view pattern;
  int status = 0;
  std::chrono::nanoseconds elapsed{0};  // routing and the handler
};
// Called once per Dispatch and Reject, on the calling thread: must be thread-safe.
using RouteObserver = std::function<void(const RouteSample&)>;

class Router {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` on `pattern`. Returns kConflict if the same method and
  // pattern were registered before, kInvalidArgument for a malformed pattern.
  Status Add(std::string_view method, std::string_view pattern, Handler handler);
  Status AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler);

  // Routes and runs a request; never fails: errors come back as JSON error responses.
  // `done` runs exactly once: on the calling thread before DispatchAsync returns for every
  // synchronous handler and refusal, or later on the thread an AsyncHandler responds from.
  void DispatchAsync(HttpRequest request, Completion done) const;
  // The same, waiting for an asynchronous handler (for tests and tools, not the session).
  HttpResponse Dispatch(HttpRequest request) const;

  // The response for a request refused before routing.
  HttpResponse Reject(Rejection rejection) const;

  // The response for a failed handler (exposed for handlers' unit tests).
  static HttpResponse ErrorResponse(const Status& status);

  // "GET /healthz", ... in registration order: for diagnostics and route/doc drift checks.
  std::vector<std::string> Describe() const;

  // Sets the one observer of answered requests (replaces any earlier one).
  void SetObserver(RouteObserver observer) { observer_ = std::move(observer); }

 private:
  struct Segment {
    std::string text;
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    bool wildcard = false;
    int literal_count = 0;
    AsyncHandler handler;
  };

  // True if `route` matches `path`; fills `params` on success.
  // `parts`: `path` split at '/'. `params` may be null (only whether it matches).
  static bool Matches(const Route& route, std::string_view path,
                      std::span<const std::string_view> parts,
                      std::map<std::string, std::string, std::less<>>* params);
  // Rank of a pattern: higher is more specific.
  static std::pair<int, int> Specificity(const Route& route);
  // Finds the route for `request` (filling its params) and sets `*pattern` to the pattern
  // that matched the path; or returns the refusal (bad target, 404, 405) to send instead.
  std::optional<HttpResponse> Resolve(HttpRequest& request, std::string_view* pattern,
                                      const Route** chosen) const;
  static HttpResponse RejectResponse(Rejection rejection);
  void Observe(std::string_view method, std::string_view pattern, int status,
               std::chrono::steady_clock::time_point started) const;

  std::vector<Route> routes_;
  RouteObserver observer_;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_ROUTER_H_
