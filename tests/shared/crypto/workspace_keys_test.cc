#include <gtest/gtest.h>

#include "credvault/workspace_keys.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using testing::CryptoTest;

class WorkspaceKeysTest : public CryptoTest {
 protected:
  std::unique_ptr<Identity> owner_ = Identity::Generate("owner");
  std::unique_ptr<Identity> member_ = Identity::Generate("member");
  PinnedKeys pins_{{"owner", owner_->sign_public_key()}};
  WorkspaceKeys keys_ = WorkspaceKeys::Generate("ws-1", 3);
};

TEST_F(WorkspaceKeysTest, GrantRoundTripWithAndWithoutSecrets) {
  auto full = MakeGrant(*owner_, keys_, true, "member", member_->box_public_key());
  ASSERT_TRUE(full.ok());
  auto opened = OpenGrant(*member_, *full, pins_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->generation, 3u);
  EXPECT_TRUE(opened->metadata.InsecureBytes().Equals(keys_.metadata.InsecureBytes()));
  ASSERT_TRUE(opened->secrets.has_value());
  EXPECT_TRUE(opened->secrets->InsecureBytes().Equals(keys_.secrets->InsecureBytes()));

  auto viewer = MakeGrant(*owner_, keys_, false, "member", member_->box_public_key());
  ASSERT_TRUE(viewer.ok());
  auto viewer_keys = OpenGrant(*member_, *viewer, pins_);
  ASSERT_TRUE(viewer_keys.ok());
  EXPECT_FALSE(viewer_keys->secrets.has_value());
}

TEST_F(WorkspaceKeysTest, UnpinnedOrForgedGranterIsRefused) {
  auto grant = MakeGrant(*owner_, keys_, true, "member", member_->box_public_key());
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(OpenGrant(*member_, *grant, {}).code(), ErrorCode::kUntrustedSigner);

  // A server that signs its own grant with a key of its making, claiming to be the owner.
  auto mallory = Identity::Generate("owner");
  auto forged = MakeGrant(*mallory, keys_, true, "member", member_->box_public_key());
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(OpenGrant(*member_, *forged, pins_).code(), ErrorCode::kBadSignature);
}

TEST_F(WorkspaceKeysTest, TamperedFieldsBreakTheSignature) {
  auto grant = MakeGrant(*owner_, keys_, false, "member", member_->box_public_key());
  ASSERT_TRUE(grant.ok());
  KeyGrant g = *grant;
  g.includes_secrets = true;
  EXPECT_EQ(OpenGrant(*member_, g, pins_).code(), ErrorCode::kBadSignature);
  g = *grant;
  g.generation = 4;
  EXPECT_EQ(OpenGrant(*member_, g, pins_).code(), ErrorCode::kBadSignature);
  g = *grant;
  g.workspace_id = "ws-2";
  EXPECT_EQ(OpenGrant(*member_, g, pins_).code(), ErrorCode::kBadSignature);
  g = *grant;
  g.sealed[10] ^= 1;
  EXPECT_EQ(OpenGrant(*member_, g, pins_).code(), ErrorCode::kBadSignature);
  g = *grant;
  g.signature.pop_back();
  EXPECT_EQ(OpenGrant(*member_, g, pins_).code(), ErrorCode::kBadSignature);
}

TEST_F(WorkspaceKeysTest, GrantForSomeoneElse) {
  auto other = Identity::Generate("other");
  auto grant = MakeGrant(*owner_, keys_, true, "other", other->box_public_key());
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(OpenGrant(*member_, *grant, pins_).code(), ErrorCode::kWrongRecipient);
  // Addressed by id to member but sealed to another key: member cannot open it.
  auto misdirected = MakeGrant(*owner_, keys_, true, "member", other->box_public_key());
  ASSERT_TRUE(misdirected.ok());
  EXPECT_EQ(OpenGrant(*member_, *misdirected, pins_).code(), ErrorCode::kDecryptFailed);
}

TEST_F(WorkspaceKeysTest, ViewerCannotGrantOrUseSecrets) {
  auto viewer_grant = MakeGrant(*owner_, keys_, false, "member", member_->box_public_key());
  ASSERT_TRUE(viewer_grant.ok());
  auto viewer_keys = OpenGrant(*member_, *viewer_grant, pins_);
  ASSERT_TRUE(viewer_keys.ok());
  EXPECT_EQ(MakeGrant(*member_, *viewer_keys, true, "x", owner_->box_public_key()).code(),
            ErrorCode::kPermissionDenied);

  SymmetricKey data_key = NewDataKey();
  auto wrapped = WrapDataKey(keys_, "cred-1", 1, data_key);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(UnwrapDataKey(*viewer_keys, "cred-1", 1, *wrapped).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(WrapDataKey(*viewer_keys, "cred-1", 1, data_key).code(), ErrorCode::kPermissionDenied);
}

TEST_F(WorkspaceKeysTest, DataKeyWrapIsBoundToWorkspaceCredentialAndVersion) {
  SymmetricKey data_key = NewDataKey();
  auto wrapped = WrapDataKey(keys_, "cred-1", 1, data_key);
  ASSERT_TRUE(wrapped.ok());
  auto back = UnwrapDataKey(keys_, "cred-1", 1, *wrapped);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->InsecureBytes().Equals(data_key.InsecureBytes()));
  EXPECT_EQ(UnwrapDataKey(keys_, "cred-2", 1, *wrapped).code(), ErrorCode::kDecryptFailed);
  EXPECT_EQ(UnwrapDataKey(keys_, "cred-1", 2, *wrapped).code(), ErrorCode::kDecryptFailed);
  WorkspaceKeys other = WorkspaceKeys::Generate("ws-2", 3);
  EXPECT_EQ(UnwrapDataKey(other, "cred-1", 1, *wrapped).code(), ErrorCode::kDecryptFailed);
  // Same key bytes under another workspace id: the context binds the workspace too.
  WorkspaceKeys renamed = keys_.Clone();
  renamed.workspace_id = "ws-9";
  EXPECT_EQ(UnwrapDataKey(renamed, "cred-1", 1, *wrapped).code(), ErrorCode::kDecryptFailed);
  // An older generation's key cannot open a newer generation's wrap.
  WorkspaceKeys next = WorkspaceKeys::Generate("ws-1", 4);
  EXPECT_EQ(UnwrapDataKey(next, "cred-1", 1, *wrapped).code(), ErrorCode::kDecryptFailed);
}

TEST_F(WorkspaceKeysTest, IdentitySerializationRoundTrip) {
  SecretBytes serialized = owner_->InsecureSerialize();
  auto back = Identity::Deserialize("owner", serialized.view());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)->sign_public_key(), owner_->sign_public_key());
  EXPECT_EQ((*back)->box_public_key(), owner_->box_public_key());
  EXPECT_EQ(Identity::Deserialize("x", serialized.view().first(10)).code(), ErrorCode::kMalformed);
  EXPECT_EQ(KeyFingerprint(owner_->sign_public_key()).size(), 39u);
  EXPECT_NE(KeyFingerprint(owner_->sign_public_key()), KeyFingerprint(member_->sign_public_key()));
}

}  // namespace
}  // namespace credvault
