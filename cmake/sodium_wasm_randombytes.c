/* libsodium's randombytes API for wasm32, replacing randombytes/randombytes.c there.
 *
 * libsodium 1.0.18's Emscripten code ignores randombytes_set_implementation and makes one
 * JavaScript call per random byte, through a Module.getRandomValue that it cannot find in
 * a Node ES module. This file keeps the same API but fills whole buffers with
 * crypto.getRandomValues (65,536 bytes per call, the Web Crypto limit), which exists in
 * browsers, workers and Node >= 19. There is no weaker fallback: without it, libsodium's
 * misuse handler aborts. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include <emscripten.h>

#include "sodium/core.h"
#include "sodium/crypto_stream_chacha20.h"
#include "sodium/randombytes.h"

EM_JS(int, credvault_get_random_values, (unsigned char *buf, size_t len), {
  var c = (typeof globalThis === 'object' && globalThis.crypto) ? globalThis.crypto : null;
  if (!c || typeof c.getRandomValues !== 'function') return 0;
  for (var off = 0; off < len; off += 65536) {
    var n = Math.min(65536, len - off);
    c.getRandomValues(HEAPU8.subarray(buf + off, buf + off + n));
  }
  return 1;
});

static const char *web_crypto_name(void) { return "crypto.getRandomValues"; }

static void web_crypto_buf(void *const buf, const size_t size) {
  if (size > 0 && !credvault_get_random_values((unsigned char *) buf, size)) {
    sodium_misuse();
  }
}

static uint32_t web_crypto_random(void) {
  uint32_t r;
  web_crypto_buf(&r, sizeof r);
  return r;
}

static randombytes_implementation web_crypto_implementation = {
  web_crypto_name, web_crypto_random, NULL, NULL, web_crypto_buf, NULL
};

static const randombytes_implementation *implementation = &web_crypto_implementation;

int randombytes_set_implementation(randombytes_implementation *impl) {
  implementation = impl;
  return 0;
}

const char *randombytes_implementation_name(void) { return implementation->implementation_name(); }

uint32_t randombytes_random(void) { return implementation->random(); }

void randombytes_stir(void) {
  if (implementation->stir != NULL) implementation->stir();
}

uint32_t randombytes_uniform(const uint32_t upper_bound) {
  uint32_t min, r;
  if (implementation->uniform != NULL) return implementation->uniform(upper_bound);
  if (upper_bound < 2) return 0;
  /* Rejection sampling: drop values below 2^32 mod upper_bound so every residue is as likely. */
  min = (1U + ~upper_bound) % upper_bound;
  do {
    r = randombytes_random();
  } while (r < min);
  return r % upper_bound;
}

void randombytes_buf(void *const buf, const size_t size) {
  if (size > 0) implementation->buf(buf, size);
}

void randombytes_buf_deterministic(void *const buf, const size_t size,
                                   const unsigned char seed[randombytes_SEEDBYTES]) {
  /* The documented construction: ChaCha20-IETF keyed by the seed, nonce "LibsodiumDRG". */
  static const unsigned char nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {
    'L', 'i', 'b', 's', 'o', 'd', 'i', 'u', 'm', 'D', 'R', 'G'
  };
  crypto_stream_chacha20_ietf((unsigned char *) buf, (unsigned long long) size, nonce, seed);
}

size_t randombytes_seedbytes(void) { return randombytes_SEEDBYTES; }

int randombytes_close(void) {
  if (implementation->close != NULL) return implementation->close();
  return 0;
}

void randombytes(unsigned char *const buf, const unsigned long long buf_len) {
  assert(buf_len <= SIZE_MAX);
  randombytes_buf(buf, (size_t) buf_len);
}
