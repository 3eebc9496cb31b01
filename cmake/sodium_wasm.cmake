# libsodium for wasm32, compiled from Debian's source package (patches applied by
# `apt-get source`). Only the portable C code is built, except Argon2, which uses the
# SSSE3 code through Emscripten's SIMD emulation when CREDVAULT_WASM_SIMD is on.
option(CREDVAULT_WASM_SIMD "Build libsodium's Argon2 with WASM SIMD" ON)

set(_sodium_root "${CREDVAULT_THIRD_PARTY_SRC}/libsodium/src/libsodium")
if(NOT EXISTS "${_sodium_root}/include/sodium.h")
  message(FATAL_ERROR "libsodium source not found in ${_sodium_root}: run scripts/setup.sh")
endif()
file(GLOB_RECURSE _sodium_sources CONFIGURE_DEPENDS "${_sodium_root}/*.c")
# Bulk crypto.getRandomValues instead of 1.0.18's one JavaScript call per byte.
list(FILTER _sodium_sources EXCLUDE REGEX "/randombytes/randombytes\\.c$")
list(APPEND _sodium_sources "${CMAKE_CURRENT_LIST_DIR}/sodium_wasm_randombytes.c")
if(CREDVAULT_WASM_SIMD)
  # Our runtime.c replacement reports SSE2/SSSE3 so Argon2 picks its SIMD code path.
  list(FILTER _sodium_sources EXCLUDE REGEX "/sodium/runtime\\.c$")
  list(APPEND _sodium_sources "${CMAKE_CURRENT_LIST_DIR}/sodium_wasm_runtime.c")
endif()

set(_sodium_inc "${CMAKE_BINARY_DIR}/sodium_inc")
file(COPY "${_sodium_root}/include/" DESTINATION "${_sodium_inc}" PATTERN "*.in" EXCLUDE)
set(VERSION 1.0.18)
set(SODIUM_LIBRARY_VERSION_MAJOR 10)
set(SODIUM_LIBRARY_VERSION_MINOR 3)
set(SODIUM_LIBRARY_MINIMAL_DEF "")
# version.h includes "export.h" with quotes, so it must sit next to it.
configure_file("${_sodium_root}/include/sodium/version.h.in" "${_sodium_inc}/sodium/version.h" @ONLY)

add_library(sodium STATIC ${_sodium_sources})
target_include_directories(sodium SYSTEM PUBLIC "${_sodium_inc}")
target_include_directories(sodium PRIVATE "${_sodium_inc}/sodium")
target_compile_definitions(sodium
  PUBLIC SODIUM_STATIC=1
  PRIVATE CONFIGURED=1 NATIVE_LITTLE_ENDIAN=1 HAVE_C_VARARRAYS=1 HAVE_ALLOCA_H=1
          HAVE_ALLOCA=1 HAVE_POSIX_MEMALIGN=1)
target_compile_options(sodium PRIVATE -O3 -fno-strict-aliasing -fno-strict-overflow -w)
if(CREDVAULT_WASM_SIMD)
  # SIMD only for Argon2: enabling it for all of libsodium produced wrong XChaCha20
  # ciphertexts for messages of 256 bytes and more (see TOOLCHAIN.md).
  file(GLOB _argon2_sources "${_sodium_root}/crypto_pwhash/argon2/*.c")
  set_source_files_properties(${_argon2_sources} PROPERTIES
    COMPILE_OPTIONS "-msimd128;-msse2;-mssse3"
    COMPILE_DEFINITIONS "HAVE_EMMINTRIN_H=1;HAVE_PMMINTRIN_H=1;HAVE_TMMINTRIN_H=1")
  set_source_files_properties("${CMAKE_CURRENT_LIST_DIR}/sodium_wasm_runtime.c" PROPERTIES
    COMPILE_OPTIONS "-msimd128")
endif()
