// The store's engine-independent helpers: the stale-version convention and shared input
// checks.
#include "store/store.h"

#include <gtest/gtest.h>

#include "store/store_checks.h"

namespace credvault::server {
namespace {

TEST(StoreStaleVersion, CarriesTheCurrentVersion) {
  Status status = StaleVersion("credential", 42);
  EXPECT_EQ(status.code(), ErrorCode::kConflict);
  EXPECT_NE(status.message().find("credential"), std::string::npos);
  EXPECT_EQ(CurrentVersionOf(status), 42u);
  EXPECT_EQ(CurrentVersionOf(StaleVersion("x", UINT64_MAX)), UINT64_MAX);
}

TEST(StoreStaleVersion, OtherStatusesCarryNone) {
  EXPECT_EQ(CurrentVersionOf(Status::Ok()), std::nullopt);
  EXPECT_EQ(CurrentVersionOf(Status(ErrorCode::kConflict, "email taken")), std::nullopt);
  EXPECT_EQ(CurrentVersionOf(Status(ErrorCode::kConflict, "x (current_version=)")), std::nullopt);
  EXPECT_EQ(CurrentVersionOf(Status(ErrorCode::kConflict, "x (current_version=1x)")), std::nullopt);
  // The right message under another code is not a stale version.
  EXPECT_EQ(CurrentVersionOf(Status(ErrorCode::kNotFound, "x (current_version=3)")), std::nullopt);
}

TEST(StoreChecks, KeysTextsBlobsAndVersions) {
  namespace checks = store_checks;
  EXPECT_TRUE(checks::Key("id", "a").ok());
  EXPECT_EQ(checks::Key("id", "").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(checks::Key("id", std::string(kMaxTextBytes + 1, 'a')).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(checks::Key("digest", ByteView()).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(checks::Text("name", "").ok());
  EXPECT_TRUE(checks::Blob("b", Bytes(kMaxBlobBytes)).ok());
  EXPECT_EQ(checks::Blob("b", Bytes(kMaxBlobBytes + 1)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(checks::Version("v", 0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(checks::Version("v", UINT64_MAX).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(checks::Version("v", 1).ok());
}

TEST(StoreChecks, SeqCursorsRoundTripAndRefuseForgeries) {
  namespace checks = store_checks;
  auto decoded = checks::DecodeSeqCursor(checks::EncodeSeqCursor(12345));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, 12345);
  for (const char* bad : {"", "0", "-5", "+5", "05", "5 ", "abc", "99999999999999999999"}) {
    EXPECT_EQ(checks::DecodeSeqCursor(bad).code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace credvault::server
