#include "auth/login_policy.h"

#include <gtest/gtest.h>

namespace credvault::server::auth {
namespace {

TEST(LoginPolicyTest, FixedWindows) {
  const RateLimit limit{3, 300};
  EXPECT_EQ(WindowStart(limit, 0), 0);
  EXPECT_EQ(WindowStart(limit, 299), 0);
  EXPECT_EQ(WindowStart(limit, 300), 300);
  EXPECT_EQ(WindowStart(limit, 1000), 900);
  EXPECT_EQ(WindowStart(limit, -1), -300);
}

TEST(LoginPolicyTest, RetryAfterOnlyAtTheLimit) {
  const RateLimit limit{3, 300};
  EXPECT_EQ(RetryAfterSeconds(limit, 0, 1000), 0);
  EXPECT_EQ(RetryAfterSeconds(limit, 2, 1000), 0);
  EXPECT_EQ(RetryAfterSeconds(limit, 3, 1000), 200);
  EXPECT_EQ(RetryAfterSeconds(limit, 9, 1199), 1);
}

TEST(LoginPolicyTest, KeysSeparateAccountsFromAddresses) {
  EXPECT_NE(AccountLimitKey("a@b.c"), AddressLimitKey("a@b.c"));
  EXPECT_NE(AddressLimitKey("10.0.0.1"), AddressLimitKey("10.0.0.2"));
  EXPECT_EQ(AddressLimitKey(""), AddressLimitKey("unknown"));
}

}  // namespace
}  // namespace credvault::server::auth
