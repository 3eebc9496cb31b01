#include "ops/timed_store.h"

#include <gtest/gtest.h>

#include "ops_test_util.h"

namespace credvault::server::ops {
namespace {

using testing::FakeStore;
using testing::ParseExposition;
using testing::ValueOf;

constexpr char kStoreCount[] = "credvault_store_operation_duration_seconds_count";

TEST(OpsTimedStoreTest, ForwardsEveryCallAndItsStatus) {
  FakeStore inner;
  Metrics metrics(CurrentBuild("fake"), 0);
  TimedStore store(inner, metrics);
  EXPECT_EQ(store.EngineName(), "fake");
  EXPECT_TRUE(store.Ping().ok());
  inner.answer = Status(ErrorCode::kNotFound, "no row");
  EXPECT_EQ(store.Read([](ReadTx&) { return Status::Ok(); }).code(), ErrorCode::kNotFound);
  inner.answer = Status(ErrorCode::kInternal, "disk I/O error");
  EXPECT_EQ(store.Transact([](Tx&) { return Status::Ok(); }).code(), ErrorCode::kInternal);
  EXPECT_EQ(inner.calls, 3);
}

TEST(OpsTimedStoreTest, RecordsEachOperationWithItsOutcome) {
  FakeStore inner;
  Metrics metrics(CurrentBuild("fake"), 0);
  TimedStore store(inner, metrics);
  ASSERT_TRUE(store.Ping().ok());
  ASSERT_TRUE(store.Transact([](Tx&) { return Status::Ok(); }).ok());
  ASSERT_TRUE(store.Transact([](Tx&) { return Status::Ok(); }).ok());
  inner.answer = Status(ErrorCode::kConflict, "stale");
  ASSERT_FALSE(store.Read([](ReadTx&) { return Status::Ok(); }).ok());
  const testing::Exposition out = ParseExposition(metrics.Render());
  EXPECT_EQ(
      ValueOf(out, kStoreCount, {{"engine", "fake"}, {"operation", "ping"}, {"outcome", "ok"}}),
      1.0);
  EXPECT_EQ(ValueOf(out, kStoreCount, {{"operation", "transact"}, {"outcome", "ok"}}), 2.0);
  EXPECT_EQ(ValueOf(out, kStoreCount, {{"operation", "read"}, {"outcome", "conflict"}}), 1.0);
  EXPECT_FALSE(ValueOf(out, kStoreCount, {{"operation", "read"}, {"outcome", "ok"}}).has_value());
}

}  // namespace
}  // namespace credvault::server::ops
