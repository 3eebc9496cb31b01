// Character-level checks shared by the model's validators (names, tokens, URLs).
#ifndef CREDVAULT_MODEL_TEXT_CHECKS_H_
#define CREDVAULT_MODEL_TEXT_CHECKS_H_

#include <cstddef>
#include <string_view>

namespace credvault::internal {

// True for well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);
// Number of code points of valid UTF-8.
size_t CodePointCount(std::string_view text);
// C0 controls and DEL; `allow_tab` admits '\t'.
bool HasControlChars(std::string_view text, bool allow_tab = false);
bool HasWhitespace(std::string_view text);
std::string_view TrimWhitespace(std::string_view text);
bool IsAllDigits(std::string_view text);
// ASCII lower-case compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace credvault::internal

#endif  // CREDVAULT_MODEL_TEXT_CHECKS_H_
