// Known-answer vectors made from DESIGN §4 by an independent libsodium build
// (tests/tools/make_envelope_vectors.mjs), and the reverse: an envelope of ours opened
// with nothing but libsodium calls and the documented format.
#include <gtest/gtest.h>
#include <sodium.h>

#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "credvault/crypto.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using nlohmann::json;
using testing::CryptoTest;
using testing::ReadTestData;

class EnvelopeVectorsTest : public CryptoTest {};

Bytes FromHex(const std::string& hex) {
  Bytes out(hex.size() / 2);
  size_t len = 0;
  EXPECT_EQ(sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr), 0);
  out.resize(len);
  return out;
}

TEST_F(EnvelopeVectorsTest, OpensEveryVectorAndRejectsNeighbours) {
  json doc = json::parse(ReadTestData("envelope/vectors.json"), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_EQ(doc["vectors"].size(), 4u);
  for (const json& v : doc["vectors"]) {
    Bytes key_bytes = FromHex(v["key_hex"].get<std::string>());
    auto key = SymmetricKey::FromBytes(SecretBytes::CopyFrom(key_bytes),
                                       v["generation"].get<uint32_t>());
    ASSERT_TRUE(key.ok());
    const json& c = v["context"];
    std::string version_text = c["object_version"].get<std::string>();
    uint64_t version = 0;
    std::from_chars(version_text.data(), version_text.data() + version_text.size(), version);
    EnvelopeContext ctx{c["purpose"].get<std::string>(), c["workspace_id"].get<std::string>(),
                        c["object_id"].get<std::string>(), version};
    Bytes env;
    ASSERT_TRUE(Base64UrlDecode(v["envelope_b64url"].get<std::string>(), &env));
    auto opened = OpenEnvelope(*key, ctx, env);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->chars(), v["plaintext"].get<std::string>());

    EnvelopeContext other = ctx;
    other.object_version = version + 1;
    EXPECT_EQ(OpenEnvelope(*key, other, env).code(), ErrorCode::kDecryptFailed);
  }
}

TEST_F(EnvelopeVectorsTest, OursOpensWithPlainLibsodiumAndTheDocumentedFormat) {
  SymmetricKey key = SymmetricKey::Generate(5);
  EnvelopeContext ctx{"credential", "ws", "cred-1", 3};
  std::string secret = "password=hunter2";
  auto sealed = SealEnvelope(key, ctx, AsBytes(secret));
  ASSERT_TRUE(sealed.ok());
  const Bytes& e = *sealed;

  // Only DESIGN §4 from here on.
  ASSERT_EQ(e[0], 1);
  ASSERT_EQ(e[1], 1);
  uint32_t generation = e[2] | (e[3] << 8) | (e[4] << 16) | (uint32_t{e[5]} << 24);
  ASSERT_EQ(generation, 5u);
  Bytes ad(e.begin(), e.begin() + 6);
  for (std::string f : {std::string("credvault/v1"), std::string("credential"), std::string("ws"),
                        std::string("cred-1"), std::string("3"), std::string("5")}) {
    ad.push_back(static_cast<uint8_t>(f.size() & 0xff));
    ad.push_back(static_cast<uint8_t>(f.size() >> 8));
    ad.insert(ad.end(), f.begin(), f.end());
  }
  Bytes padded(e.size() - 6 - 24 - 16);
  unsigned long long len = 0;
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                padded.data(), &len, nullptr, e.data() + 30, e.size() - 30, ad.data(), ad.size(),
                e.data() + 6, key.InsecureBytes().data()),
            0);
  size_t unpadded = 0;
  ASSERT_EQ(sodium_unpad(&unpadded, padded.data(), len, 64), 0);
  EXPECT_EQ(std::string(padded.begin(), padded.begin() + static_cast<long>(unpadded)), secret);
}

}  // namespace
}  // namespace credvault
