#include "store/store.h"

#include <charconv>
#include <string>

namespace credvault::server {
namespace {

// The one place the stale-version message convention lives.
constexpr std::string_view kCurrentVersionTag = "(current_version=";

}  // namespace

Status StaleVersion(std::string_view what, uint64_t current_version) {
  std::string message(what);
  message += " was changed by someone else ";
  message += kCurrentVersionTag;
  message += std::to_string(current_version);
  message += ")";
  return Status(ErrorCode::kConflict, std::move(message));
}

std::optional<uint64_t> CurrentVersionOf(const Status& status) {
  if (status.code() != ErrorCode::kConflict) return std::nullopt;
  const std::string& message = status.message();
  size_t at = message.rfind(kCurrentVersionTag);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = message.data() + at + kCurrentVersionTag.size();
  const char* end = message.data() + message.size();
  uint64_t version = 0;
  auto [ptr, ec] = std::from_chars(begin, end, version);
  if (ec != std::errc() || ptr == begin || ptr + 1 != end || *ptr != ')') return std::nullopt;
  return version;
}

}  // namespace credvault::server
