#include "runner/step_url.h"

#include <gtest/gtest.h>

namespace credvault::runner {
namespace {

TEST(StepUrl, SplitsHttpsWithPortPathAndQuery) {
  Result<StepUrl> u = ParseStepUrl("https://Prom.Example:9443/api/v1/status/buildinfo?x=1");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->host, "prom.example");
  EXPECT_FALSE(u->host_is_ip);
  EXPECT_EQ(u->port, "9443");
  EXPECT_EQ(u->target, "/api/v1/status/buildinfo?x=1");
  EXPECT_EQ(u->host_header, "prom.example:9443");
}

TEST(StepUrl, DefaultsPortAndPath) {
  Result<StepUrl> u = ParseStepUrl("http://10.0.0.1");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->https);
  EXPECT_TRUE(u->host_is_ip);
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->host_header, "10.0.0.1");
  EXPECT_EQ(ParseStepUrl("https://a")->port, "443");
  EXPECT_EQ(ParseStepUrl("https://a?q=1")->target, "/?q=1");
}

TEST(StepUrl, Ipv6LiteralLosesBracketsButKeepsThemInHost) {
  Result<StepUrl> u = ParseStepUrl("https://[fd00::1]:6443/version");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "fd00::1");
  EXPECT_TRUE(u->host_is_ip);
  EXPECT_EQ(u->port, "6443");
  EXPECT_EQ(u->host_header, "[fd00::1]:6443");
}

TEST(StepUrl, RefusesWhatARunnerMustNotDial) {
  for (const char* bad :
       {"ftp://a/", "https://user:pw@a/", "https://a/#frag", "https://a:0/", "https://a:65536/",
        "https://a:/", "https://a:8x/", "https:///path", "https://[fd00::1/", "https://[zz::1]/",
        "https://a b/", "https://a/p q", "https://[::1]x/", "https://a%2e/"}) {
    Result<StepUrl> u = ParseStepUrl(bad);
    EXPECT_EQ(u.code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(RedirectHost, AbsoluteAndSchemeRelativeNameAHostRelativeDoesNot) {
  EXPECT_EQ(RedirectHost("https://Evil.example:8443/x"), "evil.example");
  EXPECT_EQ(RedirectHost("//evil.example/x"), "evil.example");
  EXPECT_EQ(RedirectHost("http://user@[fd00::2]:80/"), "fd00::2");
  EXPECT_EQ(RedirectHost("/graph"), "");
  EXPECT_EQ(RedirectHost("graph?x=1"), "");
}

}  // namespace
}  // namespace credvault::runner
