#include <gtest/gtest.h>

#include "credvault/kubeconfig.h"
#include "credvault/workspace_keys.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using testing::CryptoTest;

class KubeconfigIdKeyTest : public CryptoTest {};

TEST_F(KubeconfigIdKeyTest, EveryHolderOfTheMetadataKeyDerivesTheSameKey) {
  WorkspaceKeys keys = WorkspaceKeys::Generate("ws-1", 1);
  WorkspaceKeys viewer = keys.Clone();
  viewer.secrets.reset();  // a viewer holds the metadata key only
  SecretBytes a = DeriveKubeconfigIdKey(keys);
  SecretBytes b = DeriveKubeconfigIdKey(viewer);
  EXPECT_EQ(a.size(), kKubeconfigIdKeyBytes);
  EXPECT_TRUE(a.Equals(b));
}

TEST_F(KubeconfigIdKeyTest, IsNeitherTheMetadataKeyNorSharedAcrossWorkspaces) {
  WorkspaceKeys keys = WorkspaceKeys::Generate("ws-1", 1);
  WorkspaceKeys other = WorkspaceKeys::Generate("ws-2", 1);
  SecretBytes id_key = DeriveKubeconfigIdKey(keys);
  EXPECT_FALSE(id_key.Equals(keys.metadata.InsecureBytes()));
  EXPECT_FALSE(id_key.Equals(DeriveKubeconfigIdKey(other)));
}

TEST_F(KubeconfigIdKeyTest, ChangesWithTheMetadataKeyOnRotation) {
  // A known limitation: a rotation makes new metadata keys, so a re-import after it plans
  // new ids instead of updating the connections imported before.
  WorkspaceKeys before = WorkspaceKeys::Generate("ws-1", 1);
  WorkspaceKeys after = WorkspaceKeys::Generate("ws-1", 2);
  EXPECT_FALSE(DeriveKubeconfigIdKey(before).Equals(DeriveKubeconfigIdKey(after)));
}

}  // namespace
}  // namespace credvault
