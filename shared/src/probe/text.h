// Text helpers of the probe module (private): what may leave a runner in a result. Everything
// read from the wire goes through SanitizeText before it reaches a result, so a result is
// always valid UTF-8 (nlohmann's dump would otherwise fail) and free of control characters.
#ifndef CREDVAULT_SRC_PROBE_TEXT_H_
#define CREDVAULT_SRC_PROBE_TEXT_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "credvault/probe_outcome.h"

namespace credvault::probe_internal {

inline constexpr std::string_view kRedacted = "[redacted]";

// Valid UTF-8 (an invalid byte becomes '?'), control characters become spaces, at most
// `max_bytes` bytes, cut on a character boundary.
std::string SanitizeText(std::string_view text, size_t max_bytes);

// Replaces every occurrence of each non-empty secret, and a token of 16 or more characters
// after "Bearer " or "Basic " (a credential echoed in a header dump), with "[redacted]".
std::string Redact(std::string_view text, std::span<const std::string_view> secrets);

// Case-insensitive header lookup; the first match.
std::optional<std::string_view> FindHeader(const ProbeResponse& response, std::string_view name);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);
std::string_view TrimAscii(std::string_view s);

}  // namespace credvault::probe_internal

#endif  // CREDVAULT_SRC_PROBE_TEXT_H_
