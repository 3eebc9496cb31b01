#include <charconv>

#include "credvault/probe_ssrf.h"
#include "probe/url.h"

namespace credvault::probe_internal {
namespace {

Status Invalid(std::string_view field, std::string_view problem) {
  return Status(ErrorCode::kValidation, std::string(field) + ": " + std::string(problem));
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Path and query characters: printable ASCII except space, '#', '\\' and quotes/brackets
// that no server path needs; '%' must start a valid escape.
Status CheckPathChars(std::string_view s, std::string_view field) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c >= 0x7f) return Invalid(field, "contains a space or control character");
    if (c == '#') return Invalid(field, "must not contain a fragment ('#')");
    if (c == '\\' || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}' ||
        c == '|' || c == '^') {
      return Invalid(field, "contains a character not allowed in a URL");
    }
    if (c == '%' && (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))) {
      return Invalid(field, "has a '%' that does not start a percent-escape");
    }
  }
  return Status::Ok();
}

Status CheckNoDotSegments(std::string_view path, std::string_view field) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg == "." || seg == ".." || seg == "%2e" || seg == "%2E" || seg == "%2e%2e" ||
        seg == "%2E%2E" || seg == ".%2e" || seg == "%2e." || seg == ".%2E" || seg == "%2E.") {
      return Invalid(field, "must not contain '.' or '..' segments");
    }
    start = end + 1;
  }
  return Status::Ok();
}

Status CheckHostName(std::string_view host, std::string_view field) {
  if (host.empty()) return Invalid(field, "has no host");
  if (host.size() > 253) return Invalid(field, "host name is longer than 253 characters");
  for (char c : host) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return Invalid(field, "host contains a character not allowed in a host name");
  }
  if (host.front() == '.' || host.front() == '-') return Invalid(field, "host is not valid");
  return Status::Ok();
}

}  // namespace

std::string Endpoint::Origin() const {
  std::string out = scheme + "://" + host;
  if (!port.empty()) out += ":" + port;
  return out;
}

Result<Endpoint> ParseEndpoint(std::string_view text, std::string_view field) {
  std::string_view s = Trim(text);
  if (s.empty()) return Invalid(field, "is empty");
  Endpoint ep;
  const size_t sep = s.find("://");
  if (sep == std::string_view::npos) {
    return Invalid(field, "must start with https:// (or http://)");
  }
  for (char c : s.substr(0, sep)) ep.scheme.push_back(Lower(c));
  if (ep.scheme != "https" && ep.scheme != "http") {
    return Invalid(field, "must start with https:// (or http://)");
  }
  s.remove_prefix(sep + 3);
  if (s.find('#') != std::string_view::npos) {
    return Invalid(field, "must not contain a fragment ('#')");
  }
  size_t auth_end = s.find_first_of("/?");
  if (auth_end == std::string_view::npos) auth_end = s.size();
  std::string_view authority = s.substr(0, auth_end);
  std::string_view rest = s.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) {
    return Invalid(field, "must not contain a user or password; put them in the credential");
  }
  std::string_view host_part = authority;
  std::string_view port_part;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid(field, "has an unclosed '[' in the host");
    host_part = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Invalid(field, "has text after the IPv6 address");
      port_part = after.substr(1);
      if (port_part.empty()) return Invalid(field, "has an empty port");
    }
    if (!ParseIpv6(host_part.substr(1, host_part.size() - 2)).ok()) {
      return Invalid(field, "has an invalid IPv6 address");
    }
    for (char c : host_part) ep.host.push_back(Lower(c));
  } else {
    const size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host_part = authority.substr(0, colon);
      port_part = authority.substr(colon + 1);
      if (port_part.empty()) return Invalid(field, "has an empty port");
    }
    for (char c : host_part) ep.host.push_back(Lower(c));
    CV_RETURN_IF_ERROR(CheckHostName(ep.host, field));
  }
  if (!port_part.empty()) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), port);
    if (ec != std::errc() || ptr != port_part.data() + port_part.size() || port < 1 ||
        port > 65535 || port_part.front() == '+') {
      return Invalid(field, "has a port that is not a number from 1 to 65535");
    }
    ep.port = std::to_string(port);
  }
  std::string_view path = rest;
  const size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    path = rest.substr(0, q);
    ep.query = std::string(rest.substr(q + 1));
  }
  CV_RETURN_IF_ERROR(CheckPathChars(path, field));
  CV_RETURN_IF_ERROR(CheckPathChars(ep.query, field));
  CV_RETURN_IF_ERROR(CheckNoDotSegments(path, field));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  ep.path = std::string(path);
  return ep;
}

Result<std::string> NormalizeRelativePath(std::string_view text, std::string_view field) {
  std::string_view s = Trim(text);
  if (s.find("://") != std::string_view::npos) {
    return Invalid(field, "must be a path such as /healthz, not a URL");
  }
  CV_RETURN_IF_ERROR(CheckPathChars(s, field));
  const size_t q = s.find('?');
  CV_RETURN_IF_ERROR(CheckNoDotSegments(s.substr(0, q), field));
  if (s.empty() || s.front() != '/') return "/" + std::string(s);
  return std::string(s);
}

std::string JoinUrl(const Endpoint& endpoint, std::string_view relative) {
  std::string_view rel_path = relative;
  std::string_view rel_query;
  const size_t q = relative.find('?');
  if (q != std::string_view::npos) {
    rel_path = relative.substr(0, q);
    rel_query = relative.substr(q + 1);
  }
  std::string url = endpoint.Origin() + endpoint.path;
  // The base path never ends with '/', so exactly one slash separates the two.
  if (rel_path.empty() || rel_path.front() != '/') url += '/';
  url += rel_path;
  std::string query = endpoint.query;
  if (!rel_query.empty()) {
    if (!query.empty()) query += '&';
    query += rel_query;
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

}  // namespace credvault::probe_internal
