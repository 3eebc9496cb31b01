// Splits the absolute URL of a probe step into what the HTTPS client dials and sends.
//
// The URLs come from PlanProbe, which already refused userinfo, fragments and dot segments;
// this parser stays strict anyway (it is the last thing before a socket) and answers
// kInvalidArgument for anything that is not http(s)://host[:port][/path][?query].
// Pure, reentrant.
#ifndef CREDVAULT_SERVER_RUNNER_STEP_URL_H_
#define CREDVAULT_SERVER_RUNNER_STEP_URL_H_

#include <string>
#include <string_view>

#include "credvault/status.h"

namespace credvault::runner {

struct StepUrl {
  bool https = false;
  std::string host;         // lower case; an IPv6 literal without brackets
  bool host_is_ip = false;  // a literal address: no DNS, no SNI
  std::string port;         // always set: the scheme's default when the URL has none
  std::string target;       // "/path?query", at least "/"
  std::string host_header;  // the Host header: host[:port], IPv6 in brackets
};

Result<StepUrl> ParseStepUrl(std::string_view url);

// The host of a redirect's Location header, lower case, or "" for a relative reference
// (which stays on the same host).
std::string RedirectHost(std::string_view location);

}  // namespace credvault::runner

#endif  // CREDVAULT_SERVER_RUNNER_STEP_URL_H_
