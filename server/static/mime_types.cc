#include "static/mime_types.h"

#include <array>
#include <utility>

#include "http_message.h"

namespace credvault::server {
namespace {

// Longer suffixes first: ".d.ts" must win over any shorter match.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kMimeTypes = {{
    {".d.ts", "application/typescript; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".wasm", "application/wasm"},
    {".png", "image/png"},
    {".svg", "image/svg+xml"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
}};

constexpr std::string_view kDefaultMimeType = "application/octet-stream";

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         EqualsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

std::string_view MimeTypeFor(std::string_view file_name) {
  for (const auto& [suffix, mime_type] : kMimeTypes) {
    if (EndsWithIgnoreCase(file_name, suffix)) return mime_type;
  }
  return kDefaultMimeType;
}

}  // namespace credvault::server
