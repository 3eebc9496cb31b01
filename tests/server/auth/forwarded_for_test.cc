#include "auth/forwarded_for.h"

#include <gtest/gtest.h>

#include <string>

namespace credvault::server::auth {
namespace {

TrustedProxies Trust(std::string_view list) {
  Result<TrustedProxies> parsed = ParseTrustedProxies(list);
  EXPECT_TRUE(parsed.ok()) << list;
  return parsed.ok() ? parsed.value() : TrustedProxies{};
}

TEST(ForwardedForTest, CanonicalAddresses) {
  EXPECT_EQ(CanonicalAddress("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(CanonicalAddress(" 10.1.2.3 "), "10.1.2.3");
  EXPECT_EQ(CanonicalAddress("10.1.2.3:5678"), "10.1.2.3");
  EXPECT_EQ(CanonicalAddress("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(CanonicalAddress("[2001:db8::1]"), "2001:db8::1");
  EXPECT_EQ(CanonicalAddress("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(CanonicalAddress("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(CanonicalAddress("::1"), "::1");
}

TEST(ForwardedForTest, NotAddresses) {
  for (const std::string_view bad :
       {"", " ", "unknown", "localhost", "10.1.2", "10.1.2.256", "10.1.2.3:", "10.1.2.3:http",
        "10.1.2.3:123456", "[::1", "[::1]x", "[::1]:", "2001:db8::g", "1.2.3.4/24",
        "1.2.3.4 5.6.7.8", "_hidden", "\xff\xfe", "::ffff:1.2.3.4:80:1"}) {
    EXPECT_EQ(CanonicalAddress(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(CanonicalAddress(std::string(200, '1')), std::nullopt);
}

TEST(ForwardedForTest, ParseTrustedList) {
  EXPECT_TRUE(Trust("").addresses.empty());
  EXPECT_EQ(Trust("127.0.0.1").addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(Trust("127.0.0.1, ::1 ,127.0.0.1,0:0::1").addresses,
            (std::vector<std::string>{"127.0.0.1", "::1"}));
  for (const std::string_view bad : {"nginx", "127.0.0.1,", ",127.0.0.1", "127.0.0.1,,::1",
                                     "127.0.0.1:80", "[::1]", "10.0.0.0/8", "127.0.0.1;::1"}) {
    const Result<TrustedProxies> parsed = ParseTrustedProxies(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(ForwardedForTest, UntrustedPeerIgnoresTheHeader) {
  const TrustedProxies trusted = Trust("127.0.0.1");
  EXPECT_EQ(ResolveClientAddress("192.0.2.9", "10.0.0.1", trusted), "192.0.2.9");
  EXPECT_EQ(ResolveClientAddress("192.0.2.9", "", trusted), "192.0.2.9");
  // No proxy trusted at all (the default): the peer, whatever the header says.
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "10.0.0.1", TrustedProxies{}), "127.0.0.1");
}

TEST(ForwardedForTest, TrustedPeerUsesTheRightMostUntrustedEntry) {
  const TrustedProxies trusted = Trust("127.0.0.1,10.0.0.5");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "198.51.100.4", trusted), "198.51.100.4");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "198.51.100.4, 10.0.0.5", trusted), "198.51.100.4");
  // IPv6 clients, written bare or bracketed with a port.
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "2001:db8::7", trusted), "2001:db8::7");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "[2001:DB8::7]:51000", trusted), "2001:db8::7");
  // A v4 peer on a dual-stack socket, as the transport may write it.
  EXPECT_EQ(ResolveClientAddress("::ffff:127.0.0.1", "198.51.100.4", trusted), "198.51.100.4");
}

TEST(ForwardedForTest, SpoofedLeftEntriesAreNeverUsed) {
  const TrustedProxies trusted = Trust("127.0.0.1");
  // The client wrote "1.1.1.1, 127.0.0.1" itself; nginx appended what it saw.
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "1.1.1.1, 127.0.0.1, 203.0.113.8", trusted),
            "203.0.113.8");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "garbage, 203.0.113.8", trusted), "203.0.113.8");
}

TEST(ForwardedForTest, EmptyOrGarbageFallsBackToTheNearestTrustedHop) {
  const TrustedProxies trusted = Trust("127.0.0.1,10.0.0.5");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "", trusted), "127.0.0.1");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", " , ,", trusted), "127.0.0.1");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "not-an-ip", trusted), "127.0.0.1");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "1.2.3.4, unknown, 10.0.0.5", trusted), "10.0.0.5");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "10.0.0.5", trusted), "10.0.0.5");
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", "198.51.100.4,,10.0.0.5", trusted), "198.51.100.4");
}

TEST(ForwardedForTest, ManyHopsStopAtTheBound) {
  const TrustedProxies trusted = Trust("127.0.0.1,10.0.0.5");
  std::string chain = "198.51.100.4";
  for (size_t i = 0; i + 1 < kMaxForwardedHops; ++i) chain += ",10.0.0.5";
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", chain, trusted), "198.51.100.4");
  chain += ",10.0.0.5";  // one trusted hop too many: the client entry is beyond the bound
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", chain, trusted), "10.0.0.5");
  // A long hostile header costs one step when its right-most entry is untrusted.
  std::string hostile;
  for (int i = 0; i < 10000; ++i) hostile += "1.2.3.4,";
  hostile += "203.0.113.8";
  EXPECT_EQ(ResolveClientAddress("127.0.0.1", hostile, trusted), "203.0.113.8");
}

}  // namespace
}  // namespace credvault::server::auth
