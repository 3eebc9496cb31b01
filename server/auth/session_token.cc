#include "auth/session_token.h"

#include "credvault/digest.h"
#include "credvault/secret.h"

namespace credvault::server::auth {
namespace {

constexpr std::string_view kDigestLabel = "credvault/session-digest/v1";
constexpr std::string_view kCsrfLabel = "credvault/csrf/v1";
constexpr size_t kDigestBytes = 32;
constexpr size_t kTokenChars = 43;  // base64url of 32 bytes, unpadded

Bytes LabelledDigest(std::string_view label, std::string_view token) {
  Result<Bytes> digest = FieldsDigest({}, {AsBytes(label), AsBytes(token)}, kDigestBytes);
  // Only a bad length fails, and these lengths are constants.
  return digest.ok() ? std::move(digest).value() : Bytes();
}

bool ConstantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

std::string RandomToken() {
  SecretBytes random = SecretBytes::Random(kSessionTokenBytes);
  return Base64UrlEncode(random.view());
}

bool IsTokenText(std::string_view token) {
  Bytes decoded;
  const bool ok = token.size() == kTokenChars && Base64UrlDecode(token, &decoded) &&
                  decoded.size() == kSessionTokenBytes;
  Wipe(decoded);
  return ok;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semicolon = header.find(';');
    const std::string_view pair = Trim(header.substr(0, semicolon));
    header =
        semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return std::nullopt;
}

}  // namespace

NewSession MakeSessionToken() {
  NewSession session;
  session.token = RandomToken();
  session.token_digest = LabelledDigest(kDigestLabel, session.token);
  session.csrf_token = RandomToken();
  session.csrf_digest = LabelledDigest(kCsrfLabel, session.csrf_token);
  return session;
}

Result<Bytes> SessionTokenDigest(std::string_view token) {
  if (!IsTokenText(token)) return Status(ErrorCode::kInvalidArgument, "not a session token");
  return LabelledDigest(kDigestLabel, token);
}

bool CsrfMatches(ByteView csrf_digest, std::string_view presented) {
  if (!IsTokenText(presented)) return false;
  return ConstantTimeEquals(LabelledDigest(kCsrfLabel, presented), csrf_digest);
}

std::optional<PresentedToken> FindPresentedToken(const HttpRequest& request) {
  const std::string_view authorization = request.Header("authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization.size() <= kScheme.size() ||
        !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
      return std::nullopt;
    }
    return PresentedToken{std::string(Trim(authorization.substr(kScheme.size()))), false};
  }
  for (const auto& [name, value] : request.headers) {
    if (name != "cookie") continue;
    if (const auto cookie = CookieValue(value, kSessionCookieName)) {
      return PresentedToken{std::string(*cookie), true};
    }
  }
  return std::nullopt;
}

std::string SessionCookie(std::string_view token, int64_t max_age_seconds) {
  return std::string(kSessionCookieName) + "=" + std::string(token) +
         "; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age_seconds);
}

std::string ClearedSessionCookie() {
  return std::string(kSessionCookieName) +
         "=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0";
}

bool IsSafeMethod(std::string_view method) { return method == "GET" || method == "HEAD"; }

}  // namespace credvault::server::auth
