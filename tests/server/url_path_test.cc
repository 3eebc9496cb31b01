#include "static/url_path.h"

#include <gtest/gtest.h>

#include <string>

namespace credvault::server {
namespace {

TEST(DecodeStaticPathTest, PlainPathsPassThrough) {
  EXPECT_EQ(*DecodeStaticPath(""), "");
  EXPECT_EQ(*DecodeStaticPath("app.js"), "app.js");
  EXPECT_EQ(*DecodeStaticPath("img/logo.png"), "img/logo.png");
  EXPECT_EQ(*DecodeStaticPath("docs/"), "docs/");
}

TEST(DecodeStaticPathTest, DecodesPercentEscapesOnce) {
  EXPECT_EQ(*DecodeStaticPath("my%20file.txt"), "my file.txt");
  EXPECT_EQ(*DecodeStaticPath("a%2Bb"), "a+b");
  // Double encoding stays a literal name: decoding happens exactly once.
  EXPECT_EQ(*DecodeStaticPath("%252e%252e/x"), "%2e%2e/x");
}

TEST(DecodeStaticPathTest, RefusesDotSegments) {
  for (const char* raw : {"..", "../etc/passwd", "a/../../b", "a/..", ".", "./a", "a/./b",
                          "%2e%2e/x", "%2E%2E", "a/%2e%2e/b", ".%2e/x", "%2e."}) {
    EXPECT_EQ(DecodeStaticPath(raw).code(), ErrorCode::kInvalidArgument) << raw;
  }
}

TEST(DecodeStaticPathTest, RefusesEncodedSlashBackslashAndControlBytes) {
  for (const char* raw : {"a%2Fb", "..%2F..%2Fetc", "%2f..", "a\\b", "..\\..\\x", "a%5cb", "a%00b",
                          "a%0ab", "a%7fb", "a%1b"}) {
    EXPECT_EQ(DecodeStaticPath(raw).code(), ErrorCode::kInvalidArgument) << raw;
  }
  EXPECT_EQ(DecodeStaticPath(std::string("a\0b", 3)).code(), ErrorCode::kInvalidArgument);
}

TEST(DecodeStaticPathTest, RefusesBadEscapes) {
  for (const char* raw : {"%", "%2", "a%zz", "%g0", "x%"}) {
    EXPECT_EQ(DecodeStaticPath(raw).code(), ErrorCode::kInvalidArgument) << raw;
  }
}

TEST(DecodeStaticPathTest, RefusesEmptyInnerSegments) {
  EXPECT_EQ(DecodeStaticPath("a//b").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeStaticPath("/a").code(), ErrorCode::kInvalidArgument);
}

TEST(DecodeStaticPathTest, HiddenFilesAreNotFound) {
  EXPECT_EQ(DecodeStaticPath(".git/config").code(), ErrorCode::kNotFound);
  EXPECT_EQ(DecodeStaticPath("a/.env").code(), ErrorCode::kNotFound);
  EXPECT_EQ(DecodeStaticPath("%2egit").code(), ErrorCode::kNotFound);
}

TEST(DecodeStaticPathTest, RefusesOverlongPaths) {
  EXPECT_EQ(DecodeStaticPath(std::string(2000, 'a')).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace credvault::server
