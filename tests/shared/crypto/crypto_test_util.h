// Helpers for the crypto tests: initialisation and a cheap valid KDF setting.
#ifndef CREDVAULT_TESTS_CRYPTO_TEST_UTIL_H_
#define CREDVAULT_TESTS_CRYPTO_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "credvault/crypto.h"

namespace credvault::testing {

class CryptoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

// Reads a file under tests/data (embedded in the WASM build).
inline std::string ReadTestData(const std::string& relative) {
  std::ifstream in(std::string(CREDVAULT_TEST_DATA) + "/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace credvault::testing

#endif  // CREDVAULT_TESTS_CRYPTO_TEST_UTIL_H_
