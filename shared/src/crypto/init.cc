// libsodium initialisation and, in WASM, the random source.
//
// libsodium 1.0.18's Emscripten random source makes one JavaScript call per byte. We
// install an implementation that fills whole buffers with crypto.getRandomValues (in
// chunks of 65,536 bytes, its limit), so every libsodium function — nonces, key pairs,
// sealed boxes — gets bulk randomness.
#include <sodium.h>

#include <cstring>
#include <mutex>

#include "credvault/crypto.h"
#include "crypto/internal.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

EM_JS(int, credvault_fill_random, (uint8_t * buf, size_t len), {
  var c = (typeof globalThis === 'object' && globalThis.crypto) ? globalThis.crypto : null;
  if (!c || typeof c.getRandomValues !== 'function') return 0;
  for (var off = 0; off < len; off += 65536) {
    var n = Math.min(65536, len - off);
    c.getRandomValues(HEAPU8.subarray(buf + off, buf + off + n));
  }
  return 1;
});

namespace {

const char* WasmRandomName() { return "crypto.getRandomValues"; }

void WasmRandomBuf(void* buf, size_t size) {
  if (size == 0) return;
  if (!credvault_fill_random(static_cast<uint8_t*>(buf), size)) {
    // No secure source: never fall back to anything weaker.
    sodium_misuse();
  }
}

uint32_t WasmRandom() {
  uint32_t r;
  WasmRandomBuf(&r, sizeof r);
  return r;
}

randombytes_implementation kWasmRandom = {
    WasmRandomName, WasmRandom, nullptr, nullptr, WasmRandomBuf, nullptr};

}  // namespace
#endif

namespace credvault {

Status InitCrypto() {
  static std::once_flag once;
  static int result = -1;
  std::call_once(once, [] {
#ifdef __EMSCRIPTEN__
    randombytes_set_implementation(&kWasmRandom);
#endif
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
