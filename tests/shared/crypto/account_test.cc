#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "credvault/account.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using testing::CryptoTest;

class AccountTest : public CryptoTest {};

TEST_F(AccountTest, CreateUnlockRecoverAndChangePassword) {
  auto created = CreateAccount("sre@example.com", "correct horse", kMinKdf);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const AccountRecord& record = created->record;
  EXPECT_TRUE(IsObjectId(record.account_id));
  EXPECT_EQ(record.salt.size(), kSaltBytes);
  EXPECT_EQ(created->auth_key.size(), 32u);
  EXPECT_EQ(created->recovery_code.size(), 64u + 15u);

  auto unlocked = UnlockAccount("correct horse", record);
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().ToString();
  EXPECT_TRUE(unlocked->auth_key.Equals(created->auth_key));
  EXPECT_EQ(unlocked->account->sign_public_key(), record.sign_public_key);
  EXPECT_EQ(unlocked->account->id(), record.account_id);

  EXPECT_EQ(UnlockAccount("wrong horse", record).code(), ErrorCode::kDecryptFailed);

  auto recovered = RecoverAccount(created->recovery_code, record);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ((*recovered)->box_public_key(), record.box_public_key);

  auto changed = ChangePassword(**recovered, record, "new password", kMinKdf);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->record.keys_version, record.keys_version + 1);
  EXPECT_NE(changed->record.salt, record.salt);
  EXPECT_FALSE(changed->auth_key.Equals(created->auth_key));
  EXPECT_EQ(UnlockAccount("correct horse", changed->record).code(), ErrorCode::kDecryptFailed);
  auto again = UnlockAccount("new password", changed->record);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->auth_key.Equals(changed->auth_key));
  // The recovery code still works after a password change.
  EXPECT_TRUE(RecoverAccount(created->recovery_code, changed->record).ok());
}

TEST_F(AccountTest, LoginAndRecoveryProofsHashAndVerify) {
  auto created = CreateAccount("a@b.c", "pw", kMinKdf);
  ASSERT_TRUE(created.ok());
  auto recovery_auth = DeriveRecoveryAuthKey(created->recovery_code);
  ASSERT_TRUE(recovery_auth.ok());
  EXPECT_TRUE(recovery_auth->Equals(created->recovery_auth_key));
  EXPECT_FALSE(recovery_auth->Equals(created->auth_key));

  auto hash = HashLoginProof(created->auth_key.view());
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyLoginProof(*hash, created->auth_key.view()));
  EXPECT_FALSE(VerifyLoginProof(*hash, created->recovery_auth_key.view()));
  EXPECT_FALSE(VerifyLoginProof("", created->auth_key.view()));
  EXPECT_FALSE(VerifyLoginProof("$argon2id$garbage", created->auth_key.view()));
  EXPECT_FALSE(VerifyLoginProof(*hash, created->auth_key.view().first(31)));
  EXPECT_EQ(HashLoginProof(Bytes(31, 1)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DeriveRecoveryAuthKey("nope").code(), ErrorCode::kInvalidArgument);
}

TEST_F(AccountTest, RecoveryCodeFormAndWrongCode) {
  auto created = CreateAccount("a@b.c", "pw", kMinKdf);
  ASSERT_TRUE(created.ok());
  std::string code = created->recovery_code;
  std::string upper = code;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(RecoverAccount(upper, created->record).ok());
  std::string no_dashes;
  for (char c : code) if (c != '-') no_dashes.push_back(c);
  EXPECT_TRUE(RecoverAccount(no_dashes, created->record).ok());

  EXPECT_EQ(RecoverAccount("", created->record).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RecoverAccount("zz" + no_dashes.substr(2), created->record).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(RecoverAccount(no_dashes.substr(1), created->record).code(), ErrorCode::kInvalidArgument);
  std::string wrong = no_dashes;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  EXPECT_EQ(RecoverAccount(wrong, created->record).code(), ErrorCode::kDecryptFailed);
}

TEST_F(AccountTest, KdfBelowMinimumIsRefusedWhateverTheServerSays) {
  auto created = CreateAccount("a@b.c", "pw", kMinKdf);
  ASSERT_TRUE(created.ok());
  AccountRecord weak = created->record;
  weak.kdf = {1, kMinKdf.mem_limit_bytes};
  EXPECT_EQ(UnlockAccount("pw", weak).code(), ErrorCode::kKdfTooWeak);
  weak.kdf = {kMinKdf.ops_limit, 8u << 20};
  EXPECT_EQ(UnlockAccount("pw", weak).code(), ErrorCode::kKdfTooWeak);
  EXPECT_EQ(CreateAccount("a@b.c", "pw", {1, 1u << 20}).code(), ErrorCode::kKdfTooWeak);
  EXPECT_EQ(DeriveLoginKeys("pw", created->record.salt, {2, 4ull << 30}).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(AccountTest, ServerSwappedFieldsDoNotOpen) {
  auto a = CreateAccount("a@b.c", "pw", kMinKdf);
  auto b = CreateAccount("b@b.c", "pw", kMinKdf);
  ASSERT_TRUE(a.ok() && b.ok());
  // b's wrapped keys under a's record (same password): bound to b's id, so they fail.
  AccountRecord mixed = a->record;
  mixed.wrapped_private_keys = b->record.wrapped_private_keys;
  EXPECT_EQ(UnlockAccount("pw", mixed).code(), ErrorCode::kDecryptFailed);
  // A replayed old version of the keys fails against a newer keys_version.
  AccountRecord replay = a->record;
  replay.keys_version = 2;
  EXPECT_EQ(UnlockAccount("pw", replay).code(), ErrorCode::kDecryptFailed);
  // Public keys swapped by the server are detected.
  AccountRecord swapped = a->record;
  swapped.sign_public_key = b->record.sign_public_key;
  EXPECT_EQ(UnlockAccount("pw", swapped).code(), ErrorCode::kMalformed);
}

// Vectors from an independent libsodium (tests/tools/make_kdf_vectors.mjs): the WASM
// build's SIMD Argon2 must agree with it bit for bit.
TEST_F(AccountTest, LoginKeysMatchKnownAnswers) {
  auto doc = nlohmann::json::parse(testing::ReadTestData("kdf/vectors.json"), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_EQ(doc["vectors"].size(), 2u);
  for (const auto& v : doc["vectors"]) {
    Bytes salt;
    ASSERT_TRUE(Base64UrlDecode(v["salt_b64url"].get<std::string>(), &salt));
    KdfParams kdf{v["ops_limit"].get<uint64_t>(), v["mem_limit_bytes"].get<uint64_t>()};
    auto keys = DeriveLoginKeys(v["password"].get<std::string>(), salt, kdf);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    EXPECT_EQ(HexEncode(keys->auth_key.view()), v["auth_key_hex"].get<std::string>());
  }
}

TEST_F(AccountTest, BadInput) {
  EXPECT_EQ(CreateAccount("not-an-email", "pw", kMinKdf).code(), ErrorCode::kValidation);
  EXPECT_EQ(CreateAccount("a@b.c", "", kMinKdf).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DeriveLoginKeys("pw", Bytes(15, 0), kMinKdf).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace credvault
