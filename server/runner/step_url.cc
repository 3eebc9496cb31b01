#include "runner/step_url.h"

#include <cctype>
#include <charconv>

#include "credvault/probe_ssrf.h"

namespace credvault::runner {
namespace {

Status Bad(std::string_view why) {
  return Status(ErrorCode::kInvalidArgument, "step url: " + std::string(why));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ValidHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

}  // namespace

Result<StepUrl> ParseStepUrl(std::string_view url) {
  StepUrl out;
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    out.https = true;
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return Bad("is not http:// or https://");
  }
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return Bad("carries userinfo");
  if (tail.find('#') != std::string_view::npos) return Bad("carries a fragment");
  for (char c : tail) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return Bad("has a control character");
  }

  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad("has an unclosed IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad("has junk after the IPv6 literal");
      port = after.substr(1);
    }
    if (!ParseIpv6(host).ok()) return Bad("has an invalid IPv6 literal");
    out.host_is_ip = true;
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    for (char c : host) {
      if (!ValidHostChar(c)) return Bad("has an invalid host");
    }
    out.host_is_ip = ParseIpv4(host).ok();
  }
  if (host.empty()) return Bad("has no host");
  if (authority.find(':') != std::string_view::npos && port.empty() && authority.front() != '[') {
    return Bad("has an empty port");
  }
  if (!port.empty()) {
    int value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value < 1 || value > 65535) {
      return Bad("has an invalid port");
    }
  }
  out.host = Lower(host);
  out.port = port.empty() ? (out.https ? "443" : "80") : std::string(port);
  out.target =
      tail.empty() ? "/" : (tail.front() == '?' ? "/" + std::string(tail) : std::string(tail));
  const std::string bracketed =
      host.find(':') != std::string_view::npos ? "[" + out.host + "]" : out.host;
  out.host_header = port.empty() ? bracketed : bracketed + ":" + std::string(port);
  return out;
}

std::string RedirectHost(std::string_view location) {
  const size_t scheme_end = location.find("://");
  std::string_view rest;
  if (scheme_end != std::string_view::npos) {
    rest = location.substr(scheme_end + 3);
  } else if (location.substr(0, 2) == "//") {
    rest = location.substr(2);
  } else {
    return "";
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    return Lower(authority.substr(1, authority.find(']') - 1));
  }
  return Lower(authority.substr(0, authority.find(':')));
}

}  // namespace credvault::runner
