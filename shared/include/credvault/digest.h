// Keyed and unkeyed BLAKE2b digests over a list of fields, for identifiers that must be
// derived deterministically from content (e.g. a kubeconfig context's connection id).
//
// Each field is fed with its length first (u64 little-endian), so ("ab", "c") and
// ("a", "bc") never collide. A digest of secret material must be keyed with a secret the
// server does not hold, or the server could confirm guesses of that material offline.
// Pure functions, thread-safe once InitCrypto() returned ok; no secret is printed.
#ifndef CREDVAULT_DIGEST_H_
#define CREDVAULT_DIGEST_H_

#include <cstddef>
#include <initializer_list>
#include <span>

#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

inline constexpr size_t kDigestMinBytes = 16;
inline constexpr size_t kDigestMaxBytes = 64;
inline constexpr size_t kDigestKeyMinBytes = 16;
inline constexpr size_t kDigestKeyMaxBytes = 64;

// BLAKE2b of the length-prefixed `fields`, `out_bytes` long. `key` is empty (unkeyed) or
// between kDigestKeyMinBytes and kDigestKeyMaxBytes. Errors: kInvalidArgument for a bad
// output or key length.
Result<Bytes> FieldsDigest(ByteView key, std::span<const ByteView> fields, size_t out_bytes);
inline Result<Bytes> FieldsDigest(ByteView key, std::initializer_list<ByteView> fields,
                                  size_t out_bytes) {
  return FieldsDigest(key, std::span<const ByteView>(fields.begin(), fields.size()), out_bytes);
}

}  // namespace credvault

#endif  // CREDVAULT_DIGEST_H_
