// Endpoint URLs: parsed strictly enough that a runner dials exactly what the user saw.
#include <charconv>

#include "credvault/connection.h"
#include "model/text_checks.h"

namespace credvault {
namespace {

constexpr size_t kMaxUrlBytes = 2048;
constexpr uint16_t kHttpsPort = 443;
constexpr uint16_t kHttpPort = 80;

FieldIssue Problem(std::string_view field, std::string_view code, std::string message) {
  return FieldIssue{std::string(field), std::string(code), std::move(message)};
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

bool IsIpv6Char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
}

}  // namespace

std::string Endpoint::ToString() const {
  std::string out = scheme + "://";
  bool ipv6 = host.find(':') != std::string::npos;
  out += ipv6 ? "[" + host + "]" : host;
  uint16_t default_port = scheme == "http" ? kHttpPort : kHttpsPort;
  if (port != 0 && port != default_port) out += ":" + std::to_string(port);
  out += path;
  return out;
}

std::optional<FieldIssue> CheckEndpoint(std::string_view url, std::string_view field,
                                        Endpoint* out) {
  url = internal::TrimWhitespace(url);
  if (url.empty()) return Problem(field, "required", "is required");
  if (url.size() > kMaxUrlBytes) return Problem(field, "too_long", "is longer than 2048 bytes");
  if (internal::HasControlChars(url) || internal::HasWhitespace(url)) {
    return Problem(field, "control_chars", "must not contain spaces or control characters");
  }
  Endpoint ep;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Problem(field, "bad_scheme", "must start with https:// (or http://)");
  }
  for (char c : url.substr(0, sep)) ep.scheme += Lower(c);
  if (ep.scheme != "https" && ep.scheme != "http") {
    return Problem(field, "bad_scheme", "must use https or http, not " + ep.scheme.substr(0, 16));
  }
  std::string_view rest = url.substr(sep + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Problem(field, "user_info",
                   "must not carry a user name or password; put them in a credential");
  }
  std::string_view host, port_text;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Problem(field, "bad_host", "has an unclosed [");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Problem(field, "bad_host", "has text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return Problem(field, "bad_port", "has an empty port");
    }
    if (host.find(':') == std::string_view::npos) {
      return Problem(field, "bad_host", "has brackets around something that is not IPv6");
    }
    for (char c : host) ep.host += Lower(c);
    for (char c : ep.host) {
      if (!IsIpv6Char(c)) return Problem(field, "bad_host", "has an invalid IPv6 address");
    }
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Problem(field, "bad_port", "has an empty port");
    }
    for (char c : host) ep.host += Lower(c);
    for (char c : ep.host) {
      if (!IsHostChar(c)) {
        return Problem(field, "bad_host",
                       "has a host name with characters DNS does not allow (use the punycode "
                       "form of international names)");
      }
    }
    if (ep.host.starts_with('.') || ep.host.find("..") != std::string::npos) {
      return Problem(field, "bad_host", "has an empty label in its host name");
    }
  }
  if (ep.host.empty()) return Problem(field, "missing_host", "has no host");
  if (ep.host.size() > 253) return Problem(field, "bad_host", "has a host name over 253 bytes");
  ep.port = ep.plain_http() ? kHttpPort : kHttpsPort;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (err != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535 || !internal::IsAllDigits(port_text)) {
      return Problem(field, "bad_port", "must have a port between 1 and 65535");
    }
    ep.port = static_cast<uint16_t>(value);
  }
  if (tail.find_first_of("?#") != std::string_view::npos) {
    return Problem(field, "query_or_fragment",
                   "must not have a query (?) or fragment (#): tests add their own path");
  }
  while (tail.ends_with('/')) tail.remove_suffix(1);
  ep.path = std::string(tail);
  if (out) *out = std::move(ep);
  return std::nullopt;
}

Result<Endpoint> ParseEndpoint(std::string_view url, std::string_view field) {
  Endpoint ep;
  if (auto issue = CheckEndpoint(url, field, &ep)) return IssuesToStatus({*issue});
  return ep;
}

}  // namespace credvault
