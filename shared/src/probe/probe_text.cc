#include "probe/text.h"

namespace credvault::probe_internal {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = 0;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and code points past U+10FFFF.
  if (c == 0xe0 && b(i + 1) < 0xa0) return 0;
  if (c == 0xed && b(i + 1) > 0x9f) return 0;
  if (c == 0xf0 && b(i + 1) < 0x90) return 0;
  if (c == 0xf4 && b(i + 1) > 0x8f) return 0;
  return n;
}

constexpr size_t kMinEchoedCredential = 16;

bool IsTokenChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '"' && c != ',' && c != ';';
}

}  // namespace

std::string SanitizeText(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
  size_t i = 0;
  while (i < text.size()) {
    size_t n = Utf8Length(text, i);
    char replacement = 0;
    if (n == 0) {
      replacement = '?';
      n = 1;
    } else if (n == 1) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == 0x7f) replacement = ' ';
    } else if (n == 2 && static_cast<unsigned char>(text[i]) == 0xc2 &&
               static_cast<unsigned char>(text[i + 1]) < 0xa0) {
      replacement = ' ';  // C1 controls
    }
    const size_t add = replacement != 0 ? 1 : n;
    if (out.size() + add > max_bytes) break;
    if (replacement != 0) {
      out.push_back(replacement);
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string Redact(std::string_view text, std::span<const std::string_view> secrets) {
  std::string out(text);
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  for (std::string_view scheme : {std::string_view("bearer "), std::string_view("basic ")}) {
    size_t pos = 0;
    while (pos < out.size()) {
      size_t found = std::string::npos;
      for (size_t i = pos; i + scheme.size() <= out.size(); ++i) {
        if (EqualsIgnoreCase(std::string_view(out).substr(i, scheme.size()), scheme)) {
          found = i;
          break;
        }
      }
      if (found == std::string::npos) break;
      const size_t start = found + scheme.size();
      size_t end = start;
      while (end < out.size() && IsTokenChar(out[end])) ++end;
      // Only credential-length tokens: prose such as "basic authentication" stays readable,
      // while JWTs and installation tokens (tens to hundreds of characters) are caught.
      if (end - start >= kMinEchoedCredential &&
          std::string_view(out).substr(start, end - start) != kRedacted) {
        out.replace(start, end - start, kRedacted);
      }
      pos = start + 1;
    }
  }
  return out;
}

std::optional<std::string_view> FindHeader(const ProbeResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  return s;
}

}  // namespace credvault::probe_internal
