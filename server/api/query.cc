#include "api/query.h"

#include <algorithm>
#include <charconv>

namespace credvault::server::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return false;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return false;
      out->push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

}  // namespace

Result<QueryParams> ParseQuery(const HttpRequest& request,
                               std::initializer_list<std::string_view> allowed) {
  QueryParams params;
  const std::string_view target = request.target;
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return params;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name;
    std::string value;
    if (!PercentDecode(pair.substr(0, eq), &name) ||
        (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), &value))) {
      return Status(ErrorCode::kValidation, "query: bad percent-encoding");
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Status(ErrorCode::kValidation, "query: unknown parameter " + name);
    }
    if (!params.emplace(name, std::move(value)).second) {
      return Status(ErrorCode::kValidation, "query: " + name + " given twice");
    }
  }
  return params;
}

Result<PageRequest> ReadPage(const QueryParams& params) {
  PageRequest page;
  if (const auto it = params.find("limit"); it != params.end()) {
    const std::string& text = it->second;
    size_t limit = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size() || limit == 0 ||
        limit > kMaxPageLimit) {
      return Status(ErrorCode::kValidation,
                    "limit: must be an integer from 1 to " + std::to_string(kMaxPageLimit));
    }
    page.limit = limit;
  }
  if (const auto it = params.find("cursor"); it != params.end()) {
    if (it->second.size() > kMaxTextBytes) {
      return Status(ErrorCode::kValidation, "cursor: not a cursor this server made");
    }
    page.cursor = it->second;
  }
  return page;
}

nlohmann::json PageJson(nlohmann::json items, const std::string& next_cursor) {
  return {{"items", std::move(items)},
          {"next_cursor", next_cursor.empty() ? nlohmann::json() : nlohmann::json(next_cursor)}};
}

}  // namespace credvault::server::api
