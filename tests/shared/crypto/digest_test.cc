#include "credvault/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

class DigestTest : public testing::CryptoTest {};

TEST_F(DigestTest, FieldsAreLengthPrefixed) {
  auto ab_c = FieldsDigest({}, {AsBytes("ab"), AsBytes("c")}, 32);
  auto a_bc = FieldsDigest({}, {AsBytes("a"), AsBytes("bc")}, 32);
  ASSERT_TRUE(ab_c.ok());
  ASSERT_TRUE(a_bc.ok());
  EXPECT_NE(*ab_c, *a_bc);
  EXPECT_EQ(*ab_c, *FieldsDigest({}, {AsBytes("ab"), AsBytes("c")}, 32));
}

TEST_F(DigestTest, KnownAnswerForOneField) {
  // BLAKE2b-256 of u64le(3) || "abc", computed independently with Python's hashlib.blake2b.
  auto d = FieldsDigest({}, {AsBytes("abc")}, 32);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(HexEncode(*d), "3bdc62cfd65e3b78e3d90e32e0a91ebfbc229c30abe54e6abd16c5d4def0db7b");
}

TEST_F(DigestTest, KeyChangesTheDigestAndLengthsAreChecked) {
  std::string key1(32, '1'), key2(32, '2');
  auto a = FieldsDigest(AsBytes(key1), {AsBytes("x")}, 16);
  auto b = FieldsDigest(AsBytes(key2), {AsBytes("x")}, 16);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 16u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(FieldsDigest({}, {AsBytes("x")}, 15).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(FieldsDigest({}, {AsBytes("x")}, 65).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(FieldsDigest(AsBytes("short"), {AsBytes("x")}, 16).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace credvault
