// Session tokens, their digests, CSRF tokens, and the cookie and Authorization headers that
// carry them.
//
// A session token and its CSRF token are 32 random bytes each (base64url, 43 characters),
// handed to the client once. The store keeps only their digests (BLAKE2b-256 under a label
// per use), so a copy of the database opens no session. The CSRF token reaches only the page
// that logged in (in the login response body; the session cookie itself is HttpOnly).
// Comparisons of presented tokens are constant-time.
// Pure functions; thread-safe once InitCrypto() returned ok.
#ifndef CREDVAULT_SERVER_AUTH_SESSION_TOKEN_H_
#define CREDVAULT_SERVER_AUTH_SESSION_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "credvault/secret.h"
#include "credvault/status.h"
#include "http_message.h"

namespace credvault::server::auth {

inline constexpr std::string_view kSessionCookieName = "cv_session";
inline constexpr std::string_view kCsrfHeaderName = "x-csrf-token";
inline constexpr size_t kSessionTokenBytes = 32;

struct NewSession {
  std::string token;       // to the client only
  Bytes token_digest;      // to the store only
  std::string csrf_token;  // to the client, for X-CSRF-Token
  Bytes csrf_digest;       // to the store only
};
NewSession MakeSessionToken();

// The store key of a presented session token. kInvalidArgument for text that no
// MakeSessionToken produced (wrong length or alphabet), before any lookup.
Result<Bytes> SessionTokenDigest(std::string_view token);
// Constant-time: true if `presented` is the CSRF token whose digest is `csrf_digest`.
bool CsrfMatches(ByteView csrf_digest, std::string_view presented);

// Where a request's token came from: a browser sends the cookie (and must send the CSRF
// header on anything but GET/HEAD); an API client sends "Authorization: Bearer <token>".
struct PresentedToken {
  std::string token;
  bool via_cookie = false;
};
// The Bearer token if there is an Authorization header, else the session cookie, else
// nullopt. A malformed Authorization header is nullopt too (it authenticates nothing).
std::optional<PresentedToken> FindPresentedToken(const HttpRequest& request);

// Set-Cookie values: the session (HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age) and
// its removal.
std::string SessionCookie(std::string_view token, int64_t max_age_seconds);
std::string ClearedSessionCookie();

// True for methods that change nothing and so need no CSRF token.
bool IsSafeMethod(std::string_view method);

}  // namespace credvault::server::auth

#endif  // CREDVAULT_SERVER_AUTH_SESSION_TOKEN_H_
