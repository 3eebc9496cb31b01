// libsodium initialisation. In WASM, libsodium's random source is our own
// cmake/sodium_wasm_randombytes.c: bulk crypto.getRandomValues for every libsodium
// function (nonces, key pairs, sealed boxes), instead of one JavaScript call per byte.
#include <sodium.h>

#include <mutex>

#include "credvault/crypto.h"

namespace credvault {

Status InitCrypto() {
  static std::once_flag once;
  static int result = -1;
  std::call_once(once, [] {
    result = sodium_init();
  });
  if (result < 0) return Status(ErrorCode::kInternal, "libsodium failed to initialise");
  return Status::Ok();
}

std::string CryptoTarget() {
#ifdef __EMSCRIPTEN__
  return "wasm32";
#else
  return "native";
#endif
}

std::string RandomSourceName() { return randombytes_implementation_name(); }

std::string NewObjectId() {
  uint8_t id[16];
  randombytes_buf(id, sizeof id);
  return Base64UrlEncode(ByteView(id, sizeof id));
}

bool IsObjectId(std::string_view id) {
  if (id.size() != 22) return false;
  Bytes raw;
  return Base64UrlDecode(id, &raw) && raw.size() == 16;
}

}  // namespace credvault
