#include <gtest/gtest.h>

#include "credvault/probe_ssrf.h"

namespace credvault {
namespace {

struct Row {
  const char* address;
  const char* category;
  bool allowed_by_default;
  bool allowed_when_permitted;
};

// The policy table: every row is checked with and without the workspace's permission.
const Row kTable[] = {
    {"8.8.8.8", "public", true, true},
    {"2606:4700:4700::1111", "public", true, true},
    {"127.0.0.1", "loopback", true, true},
    {"::1", "loopback", true, true},
    {"10.0.0.1", "private", true, true},
    {"172.16.5.4", "private", true, true},
    {"172.32.0.1", "public", true, true},
    {"192.168.1.10", "private", true, true},
    {"100.64.0.1", "cgnat", true, true},
    {"fd12:3456::1", "unique_local", true, true},
    {"169.254.169.254", "cloud_metadata", false, true},
    {"169.254.170.2", "link_local", false, true},
    {"169.254.0.1", "link_local", false, true},
    {"fe80::1", "link_local", false, true},
    {"fe80::1%eth0", "link_local", false, true},
    {"febf:ffff::1", "link_local", false, true},
    {"fd00:ec2::254", "cloud_metadata", false, true},
    {"100.100.100.200", "cloud_metadata", false, true},
    {"168.63.129.16", "cloud_metadata", false, true},
    {"192.0.0.192", "cloud_metadata", false, true},
    {"0.0.0.0", "unspecified", false, true},
    {"0.1.2.3", "unspecified", false, true},
    {"::", "unspecified", false, true},
    {"::ffff:169.254.169.254", "cloud_metadata", false, true},
    {"::ffff:a9fe:a9fe", "cloud_metadata", false, true},
    {"[::ffff:127.0.0.1]", "loopback", true, true},
    {"::169.254.169.254", "cloud_metadata", false, true},
    {"64:ff9b::a9fe:a9fe", "cloud_metadata", false, true},
    {"2002:a9fe:a9fe::1", "cloud_metadata", false, true},
    {"2002:0808:0808::1", "public", true, true},
    {"224.0.0.1", "multicast", false, false},
    {"ff02::1", "multicast", false, false},
    {"255.255.255.255", "broadcast", false, false},
    {"240.0.0.1", "reserved", false, false},
};

TEST(ProbeSsrfTest, PolicyTable) {
  for (const Row& row : kTable) {
    for (bool permitted : {false, true}) {
      auto d = CheckProbeAddressText(row.address, SsrfPolicy{permitted});
      ASSERT_TRUE(d.ok()) << row.address << ": " << d.status().ToString();
      EXPECT_EQ(d->category, row.category) << row.address;
      EXPECT_EQ(d->allowed, permitted ? row.allowed_when_permitted : row.allowed_by_default)
          << row.address << " permitted=" << permitted;
      EXPECT_FALSE(d->message.empty());
    }
  }
}

TEST(ProbeSsrfTest, Bytes) {
  const uint8_t metadata[4] = {169, 254, 169, 254};
  auto d = CheckProbeAddress(metadata, SsrfPolicy{});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->allowed);
  EXPECT_NE(d->message.find("169.254.169.254"), std::string::npos);

  uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254};
  auto m = CheckProbeAddress(mapped, SsrfPolicy{});
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->allowed);
  EXPECT_EQ(m->category, "cloud_metadata");

  const uint8_t loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  auto l = CheckProbeAddress(loopback6, SsrfPolicy{});
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->allowed);

  const uint8_t five[5] = {1, 2, 3, 4, 5};
  EXPECT_EQ(CheckProbeAddress(five, SsrfPolicy{}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CheckProbeAddress(std::span<const uint8_t>(), SsrfPolicy{}).code(),
            ErrorCode::kInvalidArgument);
}

TEST(ProbeSsrfTest, AmbiguousTextIsRefused) {
  // Forms a lenient inet_aton would read as 169.254.169.254 or 127.0.0.1.
  for (const char* text : {"0251.0376.0251.0376",
                           "0xa9.0xfe.0xa9.0xfe",
                           "2852039166",
                           "169.254.43518",
                           "127.1",
                           "169.254.169.254.",
                           "169.254.169",
                           "256.1.1.1",
                           "1.2.3.-4",
                           " 1.2.3.4",
                           "1.2.3.4 ",
                           "",
                           "metadata.google.internal",
                           "1::2::3",
                           "1:2:3:4:5:6:7:8:9",
                           "12345::1",
                           "::ffff:1.2.3",
                           "fe80::1%",
                           "[::1",
                           "1:2:3:4:5:6:7",
                           ":1",
                           "1:",
                           "::ffff:01.2.3.4",
                           "g::1"}) {
    auto d = CheckProbeAddressText(text, SsrfPolicy{});
    EXPECT_EQ(d.code(), ErrorCode::kInvalidArgument) << "'" << text << "'";
  }
}

TEST(ProbeSsrfTest, Parsers) {
  auto v4 = ParseIpv4("192.168.0.255");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(*v4, (std::array<uint8_t, 4>{192, 168, 0, 255}));
  auto v6 = ParseIpv6("2001:db8::ff00:42:8329");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(*v6, (std::array<uint8_t, 16>{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00,
                                          0x00, 0x42, 0x83, 0x29}));
  auto full = ParseIpv6("1:2:3:4:5:6:7:8");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ((*full)[15], 8);
  auto tail = ParseIpv6("1::");
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ((*tail)[1], 1);
  auto mixed = ParseIpv6("1:2:3:4:5:6:1.2.3.4");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ((*mixed)[12], 1);
  EXPECT_EQ((*mixed)[15], 4);
}

}  // namespace
}  // namespace credvault
