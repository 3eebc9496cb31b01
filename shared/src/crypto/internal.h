// Helpers shared by the files of shared/src/crypto/ (private to the core).
#ifndef CREDVAULT_SRC_CRYPTO_INTERNAL_H_
#define CREDVAULT_SRC_CRYPTO_INTERNAL_H_

#include <cstdint>
#include <string_view>

#include "credvault/secret.h"

namespace credvault::internal {

inline void AppendU16(Bytes* out, uint16_t v) {
  out->push_back(static_cast<uint8_t>(v & 0xff));
  out->push_back(static_cast<uint8_t>(v >> 8));
}

inline void AppendU32(Bytes* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>((v >> (8 * i)) & 0xff));
}

inline uint32_t ReadU32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

// A u16 little-endian length followed by the bytes (longer fields are cut at 65,535 bytes,
// which no id or purpose comes near).
inline void AppendField(Bytes* out, std::string_view field) {
  size_t n = field.size() > 0xffff ? 0xffff : field.size();
  AppendU16(out, static_cast<uint16_t>(n));
  out->insert(out->end(), field.begin(), field.begin() + n);
}

}  // namespace credvault::internal

#endif  // CREDVAULT_SRC_CRYPTO_INTERNAL_H_
