// Endpoint URL parsing and joining for probe plans (private to the probe module).
//
// Strict on purpose: a URL that a runner would dial differently from how a user reads it is
// refused with kValidation naming the field. Userinfo ("https://user:pass@host") is refused
// so a credential never travels inside a URL (URLs end up in logs); fragments are refused;
// dot segments are refused (they would let a path escape a proxy prefix).
#ifndef CREDVAULT_SRC_PROBE_URL_H_
#define CREDVAULT_SRC_PROBE_URL_H_

#include <string>
#include <string_view>

#include "credvault/status.h"

namespace credvault::probe_internal {

struct Endpoint {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; IPv6 literals keep their brackets
  std::string port;    // digits, or empty for the scheme's default
  std::string path;    // "" or "/a/b" (no trailing slash)
  std::string query;   // without '?'; empty if none

  bool https() const { return scheme == "https"; }
  // scheme://host[:port]
  std::string Origin() const;
};

// `field` names the input in error messages ("endpoint").
Result<Endpoint> ParseEndpoint(std::string_view text, std::string_view field);

// Checks a path (with an optional "?query") to join to an endpoint. A missing leading "/"
// is added. kValidation for an absolute URL, a fragment, spaces or control characters, bad
// percent-escapes or dot segments.
Result<std::string> NormalizeRelativePath(std::string_view text, std::string_view field);

// endpoint path + relative path; the endpoint's query and the relative query are joined with
// '&' (endpoint's first), so a base URL's "?tenant=a" survives every request.
std::string JoinUrl(const Endpoint& endpoint, std::string_view relative);

}  // namespace credvault::probe_internal

#endif  // CREDVAULT_SRC_PROBE_URL_H_
