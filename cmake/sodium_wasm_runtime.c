/* CPU feature answers for libsodium on wasm32, replacing sodium/runtime.c there.
 *
 * libsodium's own detection uses CPUID, which does not exist in WebAssembly, so it reports
 * no features and Argon2 runs its portable code. Compiled with -msimd128, Emscripten maps
 * SSE2/SSE3/SSSE3 intrinsics onto WASM SIMD, so those can be claimed; nothing wider can. */
#include "sodium/runtime.h"

#ifdef __wasm_simd128__
#define CREDVAULT_SIMD 1
#else
#define CREDVAULT_SIMD 0
#endif

int _sodium_runtime_get_cpu_features(void) { return 0; }
int sodium_runtime_has_neon(void) { return 0; }
int sodium_runtime_has_sse2(void) { return CREDVAULT_SIMD; }
int sodium_runtime_has_sse3(void) { return CREDVAULT_SIMD; }
int sodium_runtime_has_ssse3(void) { return CREDVAULT_SIMD; }
int sodium_runtime_has_sse41(void) { return 0; }
int sodium_runtime_has_avx(void) { return 0; }
int sodium_runtime_has_avx2(void) { return 0; }
int sodium_runtime_has_avx512f(void) { return 0; }
int sodium_runtime_has_pclmul(void) { return 0; }
int sodium_runtime_has_aesni(void) { return 0; }
int sodium_runtime_has_rdrand(void) { return 0; }
