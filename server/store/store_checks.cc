#include "store/store_checks.h"

#include <charconv>
#include <string>

namespace credvault::server::store_checks {
namespace {

Status Invalid(std::string_view field, std::string_view problem) {
  std::string message(field);
  message += ' ';
  message += problem;
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Status Key(std::string_view field, std::string_view value) {
  if (value.empty()) return Invalid(field, "is required");
  return Text(field, value);
}

Status Key(std::string_view field, ByteView value) {
  if (value.empty()) return Invalid(field, "is required");
  if (value.size() > kMaxTextBytes) return Invalid(field, "is too long");
  return Status::Ok();
}

Status Text(std::string_view field, std::string_view value) {
  if (value.size() > kMaxTextBytes) return Invalid(field, "is too long");
  return Status::Ok();
}

Status Blob(std::string_view field, ByteView value) {
  if (value.size() > kMaxBlobBytes) return Invalid(field, "is larger than the store accepts");
  return Status::Ok();
}

Status Version(std::string_view field, uint64_t version) {
  // Versions are stored as signed 64-bit integers by every engine.
  if (version < 1 || version > static_cast<uint64_t>(INT64_MAX) - 1) {
    return Invalid(field, "is out of range");
  }
  return Status::Ok();
}

Status Page(const PageRequest& page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) return Invalid("limit", "is out of range");
  return Status::Ok();
}

std::string EncodeSeqCursor(int64_t seq) { return std::to_string(seq); }

Result<int64_t> DecodeSeqCursor(std::string_view cursor) {
  int64_t seq = 0;
  const char* end = cursor.data() + cursor.size();
  auto [ptr, ec] = std::from_chars(cursor.data(), end, seq);
  // Only the canonical form: no sign, no leading zeros, nothing after the digits.
  if (cursor.empty() || ec != std::errc() || ptr != end || seq < 1 || cursor[0] == '0') {
    return Invalid("cursor", "is not one this store made");
  }
  return seq;
}

}  // namespace credvault::server::store_checks
