// ConnectionPool, the pool both store engines lend their connections from, over a connection
// that counts how many are open.
#include "store/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace credvault::server {
namespace {

struct FakeConnection {
  explicit FakeConnection(std::atomic<int>& open) : open(open) { ++open; }
  ~FakeConnection() { --open; }
  std::atomic<int>& open;
};

class ConnectionPoolTest : public ::testing::Test {
 protected:
  ConnectionPool<FakeConnection> pool_{2, [this]() -> Result<std::unique_ptr<FakeConnection>> {
                                         ++opened_;
                                         if (fail_next_) {
                                           fail_next_ = false;
                                           return Status(ErrorCode::kInternal, "cannot connect");
                                         }
                                         return std::make_unique<FakeConnection>(open_);
                                       }};
  std::atomic<int> open_{0};
  std::atomic<int> opened_{0};
  bool fail_next_ = false;
};

TEST_F(ConnectionPoolTest, ReusesAConnectionGivenBack) {
  for (int i = 0; i < 3; ++i) {
    auto connection = pool_.Acquire();
    ASSERT_TRUE(connection.ok());
    pool_.Release(std::move(connection).value(), /*reusable=*/true);
  }
  EXPECT_EQ(opened_.load(), 1);
  EXPECT_EQ(open_.load(), 1);
}

TEST_F(ConnectionPoolTest, WaitsWhileAllAreLentOut) {
  auto first = pool_.Acquire();
  auto second = pool_.Acquire();
  ASSERT_TRUE(first.ok() && second.ok());
  auto third = std::async(std::launch::async, [&] { return pool_.Acquire(); });
  EXPECT_EQ(third.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  pool_.Release(std::move(first).value(), /*reusable=*/true);
  auto got = third.get();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(opened_.load(), 2);  // the third borrower got the returned one
  pool_.Release(std::move(got).value(), true);
  pool_.Release(std::move(second).value(), true);
}

TEST_F(ConnectionPoolTest, ClosesOneThatCannotBeReusedAndFreesItsPlace) {
  auto first = pool_.Acquire();
  auto second = pool_.Acquire();
  ASSERT_TRUE(first.ok() && second.ok());
  pool_.Release(std::move(first).value(), /*reusable=*/false);
  EXPECT_EQ(open_.load(), 1);
  // The place is free again: a new connection opens at once, and the idle ones stay.
  pool_.Release(std::move(second).value(), /*reusable=*/true);
  auto a = pool_.Acquire();
  auto b = pool_.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(opened_.load(), 3);
  EXPECT_EQ(open_.load(), 2);
  pool_.Release(std::move(a).value(), true);
  pool_.Release(std::move(b).value(), true);
}

TEST_F(ConnectionPoolTest, CloseIdleClosesEveryIdleConnection) {
  auto first = pool_.Acquire();
  auto second = pool_.Acquire();
  ASSERT_TRUE(first.ok() && second.ok());
  pool_.Release(std::move(first).value(), true);
  pool_.Release(std::move(second).value(), /*reusable=*/false, /*close_idle=*/true);
  EXPECT_EQ(open_.load(), 0);
  auto a = pool_.Acquire();
  auto b = pool_.Acquire();  // both places are free: no wait
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(opened_.load(), 4);
  pool_.Release(std::move(a).value(), true);
  pool_.Release(std::move(b).value(), true);
}

TEST_F(ConnectionPoolTest, AFailedOpenReturnsItsErrorAndFreesItsPlace) {
  fail_next_ = true;
  auto failed = pool_.Acquire();
  EXPECT_EQ(failed.code(), ErrorCode::kInternal);
  auto a = pool_.Acquire();
  auto b = pool_.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(open_.load(), 2);
  pool_.Release(std::move(a).value(), true);
  pool_.Release(std::move(b).value(), true);
}

}  // namespace
}  // namespace credvault::server
