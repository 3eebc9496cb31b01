#include <gtest/gtest.h>

#include "credvault/credential.h"
#include "credvault/identity.h"
#include "credvault/workspace_keys.h"
#include "shared/model/model_test_util.h"

namespace credvault {
namespace {

using testing::ClientCertCredential;
using testing::GitHubAppCredential;
using testing::ModelData;
using testing::TokenCredential;

class CredentialSealTest : public testing::CryptoTest {
 protected:
  WorkspaceKeys home_ = WorkspaceKeys::Generate("ws-home", 1);
  WorkspaceKeys other_ = WorkspaceKeys::Generate("ws-other", 4);
  SymmetricKey data_key_ = NewDataKey();
  CredentialRecord record_{"cred-1", "acct-alice", "ws-home", 2, 1700000000, 1700000500};

  SealedCredential Seal(const CredentialView& view) {
    const WorkspaceKeys* both[] = {&home_, &other_};
    auto sealed = SealCredential(view, record_, data_key_, both);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return std::move(sealed).value();
  }
};

TEST_F(CredentialSealTest, RoundTripsThroughEveryWorkspaceItIsGrantedTo) {
  SealedCredential sealed = Seal(ClientCertCredential());
  EXPECT_EQ(sealed.kind, ServiceKind::kKubernetes);
  EXPECT_EQ(sealed.method, AuthMethod::kClientCertificate);
  EXPECT_EQ(sealed.version, 2u);
  ASSERT_EQ(sealed.grants.size(), 2u);
  EXPECT_EQ(sealed.grants[1].key_generation, 4u);
  for (const WorkspaceKeys* keys : {&home_, &other_}) {
    auto view = OpenCredential(sealed, *keys);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    EXPECT_EQ(view->name, "alice@prod");
    EXPECT_EQ(view->fields.Get(CredentialField::kClientKey), ModelData("client.key"));
    EXPECT_EQ(view->fields.Get(CredentialField::kCaData), ModelData("ca.crt"));
    EXPECT_FALSE(view->fields.Has(CredentialField::kToken));
  }
  auto app = OpenCredential(Seal(GitHubAppCredential()), other_);
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->fields.Get(CredentialField::kInstallationId), "98765432");
}

TEST_F(CredentialSealTest, NothingSecretIsInThePlaintextRecord) {
  CredentialView view = TokenCredential();
  view.name = "canary-name-7f3a";
  view.fields.Set(CredentialField::kToken, "canary-token-9c1e");
  SealedCredential sealed = Seal(view);
  auto contains = [](const Bytes& b, std::string_view needle) {
    return AsChars(b).find(needle) != std::string_view::npos;
  };
  EXPECT_FALSE(contains(sealed.sealed_secret, "canary"));
  for (const CredentialGrant& g : sealed.grants) {
    EXPECT_FALSE(contains(g.sealed_name, "canary"));
    EXPECT_FALSE(contains(g.wrapped_data_key, "canary"));
  }
}

TEST_F(CredentialSealTest, ViewerKeysListNamesButCannotOpenSecrets) {
  auto admin = Identity::Generate("acct-admin");
  auto viewer = Identity::Generate("acct-viewer");
  PinnedKeys pinned{{admin->id(), admin->sign_public_key()}};
  auto grant =
      MakeGrant(*admin, home_, /*include_secrets=*/false, viewer->id(), viewer->box_public_key());
  ASSERT_TRUE(grant.ok());
  auto viewer_keys = OpenGrant(*viewer, *grant, pinned);
  ASSERT_TRUE(viewer_keys.ok()) << viewer_keys.status().ToString();
  ASSERT_FALSE(viewer_keys->secrets.has_value());

  SealedCredential sealed = Seal(TokenCredential());
  EXPECT_EQ(OpenCredential(sealed, *viewer_keys).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(OpenDataKey(sealed, *viewer_keys).code(), ErrorCode::kPermissionDenied);
  auto summary = SummarizeCredential(sealed, *viewer_keys);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->name, "prod token");
  EXPECT_EQ(summary->shared_workspaces, 2u);
  EXPECT_EQ(summary->version, 2u);

  // A member with the secrets key, through the same grant path, can open it.
  auto full = MakeGrant(*admin, home_, true, viewer->id(), viewer->box_public_key());
  ASSERT_TRUE(full.ok());
  auto operator_keys = OpenGrant(*viewer, *full, pinned);
  ASSERT_TRUE(operator_keys.ok());
  EXPECT_TRUE(OpenCredential(sealed, *operator_keys).ok());
  // Nor can a viewer share it onward.
  EXPECT_EQ(GrantCredential(sealed, "n", data_key_, *viewer_keys).code(),
            ErrorCode::kPermissionDenied);
}

TEST_F(CredentialSealTest, TamperingIsCaughtWithItsExactCode) {
  SealedCredential sealed = Seal(TokenCredential());

  SealedCredential flipped_method = sealed;
  flipped_method.method = AuthMethod::kBasic;
  EXPECT_EQ(OpenCredential(flipped_method, home_).code(), ErrorCode::kConflict);
  SealedCredential flipped_kind = sealed;
  flipped_kind.kind = ServiceKind::kHttp;
  EXPECT_EQ(OpenCredential(flipped_kind, home_).code(), ErrorCode::kConflict);

  SealedCredential replayed = sealed;
  replayed.version = 3;  // an old ciphertext under a newer version
  EXPECT_EQ(OpenCredential(replayed, home_).code(), ErrorCode::kDecryptFailed);
  SealedCredential moved = sealed;
  moved.id = "cred-2";
  EXPECT_EQ(OpenCredential(moved, home_).code(), ErrorCode::kDecryptFailed);

  // The other workspace's grant moved under this workspace's id.
  SealedCredential swapped = sealed;
  swapped.grants[0].sealed_name = sealed.grants[1].sealed_name;
  EXPECT_EQ(OpenCredential(swapped, home_).code(), ErrorCode::kDecryptFailed);
  swapped = sealed;
  swapped.grants[0].wrapped_data_key = sealed.grants[1].wrapped_data_key;
  EXPECT_EQ(OpenCredential(swapped, home_).code(), ErrorCode::kDecryptFailed);

  SealedCredential bit = sealed;
  bit.sealed_secret.back() ^= 1;
  EXPECT_EQ(OpenCredential(bit, home_).code(), ErrorCode::kDecryptFailed);

  WorkspaceKeys stranger = WorkspaceKeys::Generate("ws-stranger", 1);
  EXPECT_EQ(OpenCredential(sealed, stranger).code(), ErrorCode::kNotFound);
  WorkspaceKeys rotated = WorkspaceKeys::Generate("ws-home", 2);
  EXPECT_EQ(OpenCredential(sealed, rotated).code(), ErrorCode::kDecryptFailed);
}

TEST_F(CredentialSealTest, SealingRefusesBadInput) {
  const WorkspaceKeys* home_only[] = {&home_};
  const WorkspaceKeys* other_only[] = {&other_};
  const WorkspaceKeys* twice[] = {&home_, &home_};
  CredentialView bad = TokenCredential();
  bad.fields.Clear(CredentialField::kToken);
  EXPECT_EQ(SealCredential(bad, record_, data_key_, home_only).code(), ErrorCode::kValidation);
  EXPECT_EQ(SealCredential(TokenCredential(), record_, data_key_, other_only).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(SealCredential(TokenCredential(), record_, data_key_, twice).code(),
            ErrorCode::kInvalidArgument);
  CredentialRecord no_id = record_;
  no_id.id.clear();
  EXPECT_EQ(SealCredential(TokenCredential(), no_id, data_key_, home_only).code(),
            ErrorCode::kInvalidArgument);
  WorkspaceKeys home_viewer = home_.Clone();
  home_viewer.secrets.reset();
  const WorkspaceKeys* viewer_only[] = {&home_viewer};
  EXPECT_EQ(SealCredential(TokenCredential(), record_, data_key_, viewer_only).code(),
            ErrorCode::kPermissionDenied);
}

// An editor in the home workspace re-seals the secret under the same data key with
// version + 1; the grant in a workspace whose keys the editor does not hold still opens it.
TEST_F(CredentialSealTest, UpdatingTheSecretKeepsOtherWorkspacesGrants) {
  SealedCredential v2 = Seal(TokenCredential());
  CredentialView rotated = TokenCredential();
  rotated.fields.Set(CredentialField::kToken, "rotated-token-2");
  CredentialRecord next = record_;
  next.version = record_.version + 1;
  const WorkspaceKeys* home_only[] = {&home_};
  auto resealed = SealCredential(rotated, next, data_key_, home_only);
  ASSERT_TRUE(resealed.ok());
  SealedCredential v3 = v2;  // the server keeps the grants and stores the new secret
  v3.version = next.version;
  v3.sealed_secret = resealed->sealed_secret;
  auto view = OpenCredential(v3, other_);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->fields.Get(CredentialField::kToken), "rotated-token-2");
  // The old secret cannot be replayed as the new version.
  SealedCredential replay = v3;
  replay.sealed_secret = v2.sealed_secret;
  EXPECT_EQ(OpenCredential(replay, other_).code(), ErrorCode::kDecryptFailed);
}

TEST_F(CredentialSealTest, SharingAddsAGrantThatOpens) {
  const WorkspaceKeys* home_only[] = {&home_};
  auto sealed = SealCredential(TokenCredential(), record_, data_key_, home_only);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(OpenCredential(*sealed, other_).code(), ErrorCode::kNotFound);
  auto key = OpenDataKey(*sealed, home_);
  ASSERT_TRUE(key.ok());
  auto grant = GrantCredential(*sealed, "prod token (shared)", *key, other_);
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  sealed->grants.push_back(*grant);
  auto view = OpenCredential(*sealed, other_);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->name, "prod token (shared)");
  EXPECT_EQ(GrantCredential(*sealed, "again", *key, other_).code(), ErrorCode::kConflict);
  WorkspaceKeys third = WorkspaceKeys::Generate("ws-3", 1);
  EXPECT_EQ(GrantCredential(*sealed, "", *key, third).code(), ErrorCode::kValidation);
}

}  // namespace
}  // namespace credvault
