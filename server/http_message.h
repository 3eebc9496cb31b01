// HttpRequest and HttpResponse: the server's own view of an HTTP exchange.
//
// The session translates Beast messages into these plain structs and back, so that routing,
// handlers and their unit tests never include Beast (each Beast translation unit costs ~17 s
// and ~550 MB to compile). Both are plain values: copyable, no thread-safety of their own.
// Header names in HttpRequest are stored lower-cased; lookups are case-insensitive.
#ifndef CREDVAULT_SERVER_HTTP_MESSAGE_H_
#define CREDVAULT_SERVER_HTTP_MESSAGE_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace credvault::server {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ... as sent
  std::string target;  // the raw request target, e.g. "/module/a.mjs?v=1"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // The peer's IP address as the transport saw it (a proxy's, behind one). Used for the
  // per-address login limit; never logged with the request.
  std::string remote_address;
  // Filled by the router from `{name}` segments of the matched route pattern.
  std::map<std::string, std::string, std::less<>> params;

  // The target without its query string: the only form of the target that may be logged.
  std::string_view Path() const;
  // The first value of a header, or empty if absent.
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // added after the standard ones
  std::string body;
  // Why the request failed, for the request log only; never sent. Status messages never
  // hold secrets, so this may carry one.
  std::string log_error;

  // Replaces a header of the same name (case-insensitive) or adds it.
  void SetHeader(std::string_view name, std::string value);
  // The value of a header set on this response, or empty.
  std::string_view Header(std::string_view name) const;
};

// ASCII case-insensitive comparison, as HTTP header names require.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HTTP_MESSAGE_H_
