#include "static/url_path.h"

#include <vector>

namespace credvault::server {
namespace {

// Longer than any file we ship, short enough that a log line or a realpath stays small.
constexpr size_t kMaxPathBytes = 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// Decodes one segment (no raw '/' inside); refuses bytes that must never reach a file name.
Status DecodeSegment(std::string_view raw, std::string& decoded) {
  decoded.clear();
  decoded.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      const bool complete = i + 2 < raw.size();
      const int high = complete ? HexValue(raw[i + 1]) : -1;
      const int low = complete ? HexValue(raw[i + 2]) : -1;
      if (high < 0 || low < 0) return Invalid("bad percent escape in path");
      c = static_cast<char>(high * 16 + low);
      if (c == '/') return Invalid("encoded '/' in path");
      i += 2;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0) return Invalid("NUL in path");
    if (byte < 0x20 || byte == 0x7f) return Invalid("control character in path");
    if (c == '\\') return Invalid("backslash in path");
    decoded.push_back(c);
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> DecodeStaticPath(std::string_view raw) {
  if (raw.size() > kMaxPathBytes) return Invalid("path too long");
  std::string result;
  result.reserve(raw.size());
  std::string segment;
  size_t start = 0;
  while (start <= raw.size()) {
    const size_t slash = raw.find('/', start);
    const bool last = slash == std::string_view::npos;
    const std::string_view segment_raw =
        raw.substr(start, last ? std::string_view::npos : slash - start);
    CV_RETURN_IF_ERROR(DecodeSegment(segment_raw, segment));
    if (segment.empty()) {
      // Only the last segment may be empty: "" is the mount's index, "dir/" a directory.
      if (!last) return Invalid("empty segment in path");
    } else if (segment == "." || segment == "..") {
      return Invalid("dot segment in path");
    } else if (segment.front() == '.') {
      return Status(ErrorCode::kNotFound, "no such file");
    }
    result += segment;
    if (last) break;
    result.push_back('/');
    start = slash + 1;
  }
  return result;
}

}  // namespace credvault::server
