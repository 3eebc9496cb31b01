#include "auth/session_token.h"

#include <gtest/gtest.h>

#include "credvault/crypto.h"

namespace credvault::server::auth {
namespace {

class SessionTokenTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto().ok()); }
};

HttpRequest WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/api/v1/account";
  request.headers = std::move(headers);
  return request;
}

TEST_F(SessionTokenTest, TokensAreRandomAndStoredOnlyAsDigests) {
  const NewSession a = MakeSessionToken();
  const NewSession b = MakeSessionToken();
  EXPECT_EQ(a.token.size(), 43u);
  EXPECT_NE(a.token, b.token);
  EXPECT_NE(a.token, a.csrf_token);
  EXPECT_EQ(a.token_digest.size(), 32u);
  const Result<Bytes> digest = SessionTokenDigest(a.token);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, a.token_digest);
  EXPECT_NE(*digest, b.token_digest);
  // The digest is not the token's bytes.
  Bytes raw;
  ASSERT_TRUE(Base64UrlDecode(a.token, &raw));
  EXPECT_NE(raw, a.token_digest);
}

TEST_F(SessionTokenTest, MalformedTokensAreRefusedBeforeLookup) {
  for (const std::string& bad : {std::string(), std::string("abc"), std::string(43, '!'),
                                 std::string(44, 'A'), std::string(42, 'A')}) {
    EXPECT_EQ(SessionTokenDigest(bad).code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST_F(SessionTokenTest, CsrfMatchesOnlyItsOwnToken) {
  const NewSession a = MakeSessionToken();
  const NewSession b = MakeSessionToken();
  EXPECT_TRUE(CsrfMatches(a.csrf_digest, a.csrf_token));
  EXPECT_FALSE(CsrfMatches(a.csrf_digest, b.csrf_token));
  EXPECT_FALSE(CsrfMatches(a.csrf_digest, a.token));
  EXPECT_FALSE(CsrfMatches(a.csrf_digest, ""));
  EXPECT_FALSE(CsrfMatches(a.token_digest, a.csrf_token));
}

TEST_F(SessionTokenTest, BearerWinsOverCookie) {
  const auto bearer = FindPresentedToken(
      WithHeaders({{"authorization", "Bearer tok1"}, {"cookie", "cv_session=tok2"}}));
  ASSERT_TRUE(bearer.has_value());
  EXPECT_EQ(bearer->token, "tok1");
  EXPECT_FALSE(bearer->via_cookie);
  EXPECT_EQ(FindPresentedToken(WithHeaders({{"authorization", "bearer  tok3 "}}))->token, "tok3");
}

TEST_F(SessionTokenTest, CookieAmongOthers) {
  const auto cookie =
      FindPresentedToken(WithHeaders({{"cookie", "theme=dark; cv_session=abc; x=y"}}));
  ASSERT_TRUE(cookie.has_value());
  EXPECT_EQ(cookie->token, "abc");
  EXPECT_TRUE(cookie->via_cookie);
  EXPECT_FALSE(FindPresentedToken(WithHeaders({{"cookie", "xcv_session=abc"}})).has_value());
  EXPECT_FALSE(FindPresentedToken(WithHeaders({})).has_value());
}

TEST_F(SessionTokenTest, OtherAuthorizationSchemesAuthenticateNothing) {
  EXPECT_FALSE(FindPresentedToken(WithHeaders({{"authorization", "Basic dXNlcjpwdw=="},
                                               {"cookie", "cv_session=abc"}}))
                   .has_value());
  EXPECT_FALSE(FindPresentedToken(WithHeaders({{"authorization", "Bearer "}})).has_value());
}

TEST_F(SessionTokenTest, CookieAttributes) {
  const std::string cookie = SessionCookie("tok", 3600);
  EXPECT_EQ(cookie, "cv_session=tok; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=3600");
  EXPECT_NE(ClearedSessionCookie().find("Max-Age=0"), std::string::npos);
  EXPECT_TRUE(IsSafeMethod("GET"));
  EXPECT_TRUE(IsSafeMethod("HEAD"));
  EXPECT_FALSE(IsSafeMethod("POST"));
  EXPECT_FALSE(IsSafeMethod("DELETE"));
}

}  // namespace
}  // namespace credvault::server::auth
