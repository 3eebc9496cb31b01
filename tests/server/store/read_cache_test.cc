// ReadCache on its own: rows per cache and generation, the snapshot check, the bounds, and
// keys that cannot collide. The stores' use of it is in the conformance suite (part 3).
#include "store/read_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "store_test_fixture.h"

namespace credvault::server::testing {
namespace {

SealedCredential CredentialOfSize(const std::string& id, size_t bytes) {
  SealedCredential row = MakeCredential(id, "w1");
  row.sealed_secret = Bytes(bytes, 0x5a);
  return row;
}

TEST(ReadCache, RowsBelongToOneCacheAndOneGeneration) {
  ReadCache cache;
  ReadCache other;
  {
    ReadCache::Scope scope(cache, 4);
    EXPECT_EQ(scope.FindWorkspace("w1"), nullptr);
    scope.PutWorkspace(MakeWorkspace("w1", "a1"));
    scope.PutMember(MakeMember("w1", "a1", Role::kOwner));
    ASSERT_NE(scope.FindWorkspace("w1"), nullptr);
    EXPECT_EQ(scope.FindWorkspace("w1")->name, "Workspace w1");
  }
  {
    ReadCache::Scope again(cache, 4);
    EXPECT_NE(again.FindWorkspace("w1"), nullptr);
    EXPECT_NE(again.FindMember("w1", "a1"), nullptr);
  }
  {
    ReadCache::Scope other_cache(other, 4);
    EXPECT_EQ(other_cache.FindWorkspace("w1"), nullptr);
  }
  {
    ReadCache::Scope newer(cache, 6);
    EXPECT_EQ(newer.FindWorkspace("w1"), nullptr);
    EXPECT_EQ(newer.FindMember("w1", "a1"), nullptr);
  }
}

TEST(ReadCache, TwoPartKeysDoNotCollide) {
  ReadCache cache;
  ReadCache::Scope scope(cache, 0);
  scope.PutMember(MakeMember("ab", "c", Role::kViewer));
  EXPECT_EQ(scope.FindMember("a", "bc"), nullptr);
  ASSERT_NE(scope.FindMember("ab", "c"), nullptr);
  EXPECT_EQ(scope.FindMember("ab", "c")->role, Role::kViewer);
}

TEST(ReadCache, SnapshotAtTheSameGenerationKeepsTheCache) {
  ReadCache cache;
  ReadCache::Scope scope(cache, 2);
  scope.PutWorkspace(MakeWorkspace("w1", "a1"));
  ASSERT_NE(scope.FindWorkspace("w1"), nullptr);
  CV_EXPECT_OK(scope.SnapshotStarted(2));
  EXPECT_FALSE(scope.aborted());
  EXPECT_NE(scope.FindWorkspace("w1"), nullptr);
}

TEST(ReadCache, NewerSnapshotBeforeAnyHitTurnsTheCacheOff) {
  ReadCache cache;
  {
    ReadCache::Scope fill(cache, 2);
    fill.PutWorkspace(MakeWorkspace("w1", "a1"));
  }
  ReadCache::Scope scope(cache, 2);
  CV_EXPECT_OK(scope.SnapshotStarted(4));
  EXPECT_FALSE(scope.aborted());
  EXPECT_EQ(scope.FindWorkspace("w1"), nullptr);  // older than the snapshot: not used
  scope.PutWorkspace(MakeWorkspace("w2", "a1"));  // nor filled
  EXPECT_EQ(scope.FindWorkspace("w2"), nullptr);
}

TEST(ReadCache, NewerSnapshotAfterAHitAbortsTheRead) {
  ReadCache cache;
  ReadCache::Scope scope(cache, 2);
  scope.PutWorkspace(MakeWorkspace("w1", "a1"));
  ASSERT_NE(scope.FindWorkspace("w1"), nullptr);
  EXPECT_EQ(scope.SnapshotStarted(4).code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(scope.aborted());
}

TEST(ReadCache, CredentialsStayUnderTheirByteBound) {
  ReadCache cache;
  ReadCache::Scope scope(cache, 0);
  const size_t third = ReadCache::kMaxCredentialBytes / 3;
  scope.PutCredential("w1", CredentialOfSize("c1", third));
  scope.PutCredential("w1", CredentialOfSize("c2", third));
  EXPECT_EQ(ReadCache::Scope::CachedCredentials(), 2u);
  // Replacing a row counts its new size only.
  scope.PutCredential("w1", CredentialOfSize("c2", third));
  EXPECT_EQ(ReadCache::Scope::CachedCredentials(), 2u);
  EXPECT_LE(ReadCache::Scope::CachedCredentialBytes(), ReadCache::kMaxCredentialBytes);
  // Two more thirds would pass the bound: the table starts again.
  scope.PutCredential("w1", CredentialOfSize("c3", third));
  scope.PutCredential("w1", CredentialOfSize("c4", third));
  EXPECT_LE(ReadCache::Scope::CachedCredentialBytes(), ReadCache::kMaxCredentialBytes);
  EXPECT_LT(ReadCache::Scope::CachedCredentials(), 4u);
  ASSERT_NE(scope.FindCredential("w1", "c4"), nullptr);
  // One credential bigger than the bound is never kept.
  scope.PutCredential("w1", CredentialOfSize("huge", ReadCache::kMaxCredentialBytes + 1));
  EXPECT_EQ(scope.FindCredential("w1", "huge"), nullptr);
}

TEST(ReadCache, EachTableKeepsAtMostMaxRows) {
  ReadCache cache;
  ReadCache::Scope scope(cache, 0);
  for (size_t i = 0; i <= ReadCache::kMaxRows; ++i) {
    scope.PutCredential("w1", CredentialOfSize("c" + std::to_string(i), 8));
  }
  EXPECT_LE(ReadCache::Scope::CachedCredentials(), ReadCache::kMaxRows);
  EXPECT_NE(scope.FindCredential("w1", "c" + std::to_string(ReadCache::kMaxRows)), nullptr);
}

}  // namespace
}  // namespace credvault::server::testing
