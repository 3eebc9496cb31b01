#include <gtest/gtest.h>

#include <string>

#include "credvault/crypto.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using testing::CryptoTest;

EnvelopeContext Ctx() { return {"credential", "ws-1", "obj-1", 7}; }

class EnvelopeTest : public CryptoTest {
 protected:
  SymmetricKey key_ = SymmetricKey::Generate(3);
};

TEST_F(EnvelopeTest, RoundTripsAndPadsToBlocks) {
  for (size_t n : {0u, 1u, 63u, 64u, 65u, 1000u}) {
    std::string plain(n, 'x');
    auto sealed = SealEnvelope(key_, Ctx(), AsBytes(plain));
    ASSERT_TRUE(sealed.ok());
    auto header = InspectEnvelope(*sealed);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->key_generation, 3u);
    EXPECT_EQ(header->padded_plaintext_bytes % kEnvelopePadBlock, 0u);
    EXPECT_GT(header->padded_plaintext_bytes, n);
    auto opened = OpenEnvelope(key_, Ctx(), *sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->chars(), plain);
  }
}

TEST_F(EnvelopeTest, EveryFlippedByteFailsWithItsExactCode) {
  std::string plain = "s3cret-token";
  auto sealed = SealEnvelope(key_, Ctx(), AsBytes(plain));
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    Bytes bad = *sealed;
    bad[i] ^= 0x01;
    auto opened = OpenEnvelope(key_, Ctx(), bad);
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    ErrorCode want = i == 0   ? ErrorCode::kUnsupportedVersion
                     : i == 1 ? ErrorCode::kUnsupportedAlgorithm
                              : ErrorCode::kDecryptFailed;
    EXPECT_EQ(opened.code(), want) << "byte " << i;
  }
}

TEST_F(EnvelopeTest, EachContextFieldIsBound) {
  auto sealed = SealEnvelope(key_, Ctx(), AsBytes("data"));
  ASSERT_TRUE(sealed.ok());
  EnvelopeContext c = Ctx();
  c.purpose = "connection";
  EXPECT_EQ(OpenEnvelope(key_, c, *sealed).code(), ErrorCode::kDecryptFailed);
  c = Ctx();
  c.workspace_id = "ws-2";
  EXPECT_EQ(OpenEnvelope(key_, c, *sealed).code(), ErrorCode::kDecryptFailed);
  c = Ctx();
  c.object_id = "obj-2";
  EXPECT_EQ(OpenEnvelope(key_, c, *sealed).code(), ErrorCode::kDecryptFailed);
  c = Ctx();
  c.object_version = 8;
  EXPECT_EQ(OpenEnvelope(key_, c, *sealed).code(), ErrorCode::kDecryptFailed);
  // Field boundaries are length-prefixed: moving a character between fields fails too.
  c = Ctx();
  c.workspace_id = "ws-1o";
  c.object_id = "bj-1";
  EXPECT_EQ(OpenEnvelope(key_, c, *sealed).code(), ErrorCode::kDecryptFailed);
}

TEST_F(EnvelopeTest, WrongKeyAndWrongGenerationFail) {
  auto sealed = SealEnvelope(key_, Ctx(), AsBytes("data"));
  ASSERT_TRUE(sealed.ok());
  SymmetricKey other = SymmetricKey::Generate(3);
  EXPECT_EQ(OpenEnvelope(other, Ctx(), *sealed).code(), ErrorCode::kDecryptFailed);
  auto same_bytes_other_gen = SymmetricKey::FromBytes(key_.InsecureBytes().Clone(), 4);
  ASSERT_TRUE(same_bytes_other_gen.ok());
  EXPECT_EQ(OpenEnvelope(*same_bytes_other_gen, Ctx(), *sealed).code(), ErrorCode::kDecryptFailed);
}

TEST_F(EnvelopeTest, TruncatedAndOversizedAreMalformed) {
  auto sealed = SealEnvelope(key_, Ctx(), AsBytes("data"));
  ASSERT_TRUE(sealed.ok());
  for (size_t n : {size_t{0}, size_t{1}, size_t{5}, size_t{6}, size_t{29}, sealed->size() - 1,
                   sealed->size() - 16}) {
    Bytes cut(sealed->begin(), sealed->begin() + static_cast<long>(n));
    auto opened = OpenEnvelope(key_, Ctx(), cut);
    EXPECT_EQ(opened.code(), ErrorCode::kMalformed) << "length " << n;
  }
  Bytes huge(kEnvelopeMaxBytes + 64, 0);
  huge[0] = kEnvelopeVersion;
  huge[1] = kAlgXChaCha20Poly1305;
  EXPECT_EQ(InspectEnvelope(huge).code(), ErrorCode::kMalformed);
}

TEST_F(EnvelopeTest, UnknownVersionAndAlgorithm) {
  auto sealed = SealEnvelope(key_, Ctx(), AsBytes("data"));
  ASSERT_TRUE(sealed.ok());
  Bytes v2 = *sealed;
  v2[0] = 2;
  EXPECT_EQ(InspectEnvelope(v2).code(), ErrorCode::kUnsupportedVersion);
  Bytes a9 = *sealed;
  a9[1] = 9;
  EXPECT_EQ(InspectEnvelope(a9).code(), ErrorCode::kUnsupportedAlgorithm);
}

TEST_F(EnvelopeTest, TextFormIsBase64UrlWithoutPadding) {
  auto sealed = SealEnvelope(key_, Ctx(), AsBytes("data"));
  ASSERT_TRUE(sealed.ok());
  std::string text = Base64UrlEncode(*sealed);
  EXPECT_EQ(text.find('='), std::string::npos);
  EXPECT_EQ(text.find('+'), std::string::npos);
  EXPECT_TRUE(InspectEnvelopeText(text).ok());
  EXPECT_EQ(InspectEnvelopeText(text + "!").code(), ErrorCode::kMalformed);
  EXPECT_EQ(InspectEnvelopeText("").code(), ErrorCode::kMalformed);
}

// The fast encoder for public bytes writes exactly libsodium's text, at every length (each
// remainder of 3) and for every byte value, and the text decodes back.
TEST(Base64UrlEncodePublicTest, SameTextAsTheConstantTimeEncoder) {
  EXPECT_EQ(Base64UrlEncodePublic({}), "");
  EXPECT_EQ(Base64UrlEncodePublic(AsBytes("f")), "Zg");
  EXPECT_EQ(Base64UrlEncodePublic(AsBytes("fo")), "Zm8");
  EXPECT_EQ(Base64UrlEncodePublic(AsBytes("foo")), "Zm9v");
  Bytes every(256);
  for (size_t i = 0; i < every.size(); ++i) every[i] = static_cast<uint8_t>(255 - i);
  for (size_t n = 0; n <= every.size(); ++n) {
    const ByteView prefix(every.data(), n);
    const std::string text = Base64UrlEncodePublic(prefix);
    ASSERT_EQ(text, Base64UrlEncode(prefix)) << n;
    Bytes back;
    ASSERT_TRUE(Base64UrlDecode(text, &back)) << n;
    EXPECT_EQ(back, Bytes(prefix.begin(), prefix.end())) << n;
  }
  for (int round = 0; round < 64; ++round) {
    const Bytes random = RandomBytes(1 + static_cast<size_t>(round) * 37);
    EXPECT_EQ(Base64UrlEncodePublic(random), Base64UrlEncode(random));
  }
}

TEST_F(EnvelopeTest, NoncesDiffer) {
  auto a = SealEnvelope(key_, Ctx(), AsBytes("same"));
  auto b = SealEnvelope(key_, Ctx(), AsBytes("same"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST_F(EnvelopeTest, KeysLiveInGuardedMemoryAndSecretsCompareByContent) {
  EXPECT_TRUE(key_.InsecureBytes().guarded());
  auto from_heap = SymmetricKey::FromBytes(SecretBytes::CopyFrom(key_.InsecureBytes().view()), 3);
  ASSERT_TRUE(from_heap.ok());
  EXPECT_TRUE(from_heap->InsecureBytes().guarded());
  EXPECT_TRUE(from_heap->InsecureBytes().Equals(key_.InsecureBytes()));
  SecretBytes a = SecretBytes::CopyFrom(AsBytes("abc"));
  SecretBytes b = SecretBytes::GuardedCopyFrom(AsBytes("abc"));
  SecretBytes c = SecretBytes::CopyFrom(AsBytes("abd"));
  EXPECT_TRUE(a.Equals(b));
  EXPECT_FALSE(a.Equals(c));
  EXPECT_FALSE(a.Equals(SecretBytes::CopyFrom(AsBytes("ab"))));
  SecretBytes moved = std::move(a);
  EXPECT_EQ(moved.chars(), "abc");
  EXPECT_TRUE(a.empty());
  moved.Truncate(1);
  EXPECT_EQ(moved.chars(), "a");
  EXPECT_TRUE(b.Clone().guarded());
}

}  // namespace
}  // namespace credvault
