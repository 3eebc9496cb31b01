#include "credvault/digest.h"

#include <sodium.h>

#include <cstdint>

namespace credvault {

Result<Bytes> FieldsDigest(ByteView key, std::span<const ByteView> fields, size_t out_bytes) {
  if (out_bytes < kDigestMinBytes || out_bytes > kDigestMaxBytes) {
    return Result<Bytes>(ErrorCode::kInvalidArgument, "digest length out of range");
  }
  if (!key.empty() && (key.size() < kDigestKeyMinBytes || key.size() > kDigestKeyMaxBytes)) {
    return Result<Bytes>(ErrorCode::kInvalidArgument, "digest key length out of range");
  }
  crypto_generichash_state state;
  if (crypto_generichash_init(&state, key.empty() ? nullptr : key.data(), key.size(), out_bytes) !=
      0) {
    return Result<Bytes>(ErrorCode::kInternal, "crypto_generichash_init failed");
  }
  for (ByteView field : fields) {
    uint8_t length[8];
    uint64_t n = field.size();
    for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>((n >> (8 * i)) & 0xff);
    crypto_generichash_update(&state, length, sizeof length);
    crypto_generichash_update(&state, field.data(), field.size());
  }
  Bytes out(out_bytes);
  int rc = crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof state);
  if (rc != 0) return Result<Bytes>(ErrorCode::kInternal, "crypto_generichash_final failed");
  return out;
}

}  // namespace credvault
