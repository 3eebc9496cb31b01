// What the runner reports about to expire: a client certificate's notAfter, a JWT's exp.
#include "runner/expiry.h"

#include <gtest/gtest.h>

#include <string>

#include "credvault/secret.h"

namespace credvault::runner {
namespace {

// tests/data/model/client.crt: notAfter=Nov 26 10:51:28 2036 GMT.
constexpr const char* kClientCertificate =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBPjCB5gIUcQUGTsyhI7vMXTOXxr0DU4PBBHMwCgYIKoZIzj0EAwIwHDEaMBgG\n"
    "A1UEAwwRY3JlZHZhdWx0LXRlc3QtY2EwHhcNMjYxMTI5MTA1MTI4WhcNMzYxMTI2\n"
    "MTA1MTI4WjApMQ4wDAYDVQQDDAVhbGljZTEXMBUGA1UECgwOc3lzdGVtOm1hc3Rl\n"
    "cnMwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQxKHfV09Do9kBz5zS1H1zbcinU\n"
    "nkbLilHEEromco08oi1d6FJMJHMjlycr16DWnE1/oDvSM2fE58IxzUET3l2dMAoG\n"
    "CCqGSM49BAMCA0cAMEQCIGdSLIyti4Ww4Y7Mn+prmxsS84Srv2jD8LtfiGi/wL7r\n"
    "AiAM8phQFD5/GHLTh34oOaSzDUx/C8bsvUne46enCvHQCw==\n"
    "-----END CERTIFICATE-----\n";
constexpr int64_t kClientCertificateNotAfter = 2111309488;

std::string Jwt(const std::string& payload) {
  const std::string header = R"({"alg":"RS256","typ":"JWT"})";
  return Base64UrlEncode(AsBytes(header)) + "." + Base64UrlEncode(AsBytes(payload)) + ".c2ln";
}

TEST(Expiry, CertificateNotAfterFromPem) {
  EXPECT_EQ(CertificateNotAfter(kClientCertificate), kClientCertificateNotAfter);
  // A bundle: the first certificate counts.
  EXPECT_EQ(CertificateNotAfter(std::string(kClientCertificate) + kClientCertificate),
            kClientCertificateNotAfter);
}

TEST(Expiry, CertificateNotAfterRefusesWhatIsNotACertificate) {
  EXPECT_EQ(CertificateNotAfter(""), std::nullopt);
  EXPECT_EQ(CertificateNotAfter("not a pem"), std::nullopt);
  EXPECT_EQ(CertificateNotAfter("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"),
            std::nullopt);
}

TEST(Expiry, JwtExpFromThePayloadWithoutVerifying) {
  EXPECT_EQ(JwtExpiry(Jwt(R"({"sub":"system:serviceaccount:a:b","exp":1900000000})")), 1900000000);
  EXPECT_EQ(JwtExpiry(Jwt(R"({"exp":1900000000.5})")), 1900000000);
}

TEST(Expiry, JwtExpRefusesOtherTokens) {
  EXPECT_EQ(JwtExpiry("glpat-abcdef"), std::nullopt);                  // opaque token
  EXPECT_EQ(JwtExpiry("a.b"), std::nullopt);                           // two parts
  EXPECT_EQ(JwtExpiry("a.b.c.d"), std::nullopt);                       // four parts
  EXPECT_EQ(JwtExpiry("x.!!!.y"), std::nullopt);                       // not base64url
  EXPECT_EQ(JwtExpiry(Jwt("[1,2]")), std::nullopt);                    // not an object
  EXPECT_EQ(JwtExpiry(Jwt(R"({"sub":"x"})")), std::nullopt);           // no exp
  EXPECT_EQ(JwtExpiry(Jwt(R"({"exp":"1900000000"})")), std::nullopt);  // exp not a number
  EXPECT_EQ(JwtExpiry(Jwt("{not json")), std::nullopt);
}

TEST(Expiry, AddedForTheCredentialKindsThatCarryThem) {
  ProbeTarget certificate;
  certificate.auth.kind = ProbeAuthKind::kClientCertificate;
  certificate.auth.client_certificate_pem = kClientCertificate;
  nlohmann::json result = nlohmann::json::object();
  AddCredentialExpiry(certificate, result);
  EXPECT_EQ(result, (nlohmann::json{{kClientCertNotAfterKey, kClientCertificateNotAfter}}));

  ProbeTarget bearer;
  bearer.auth.kind = ProbeAuthKind::kBearer;
  bearer.auth.token = SecretBytes::CopyFrom(AsBytes(Jwt(R"({"exp":1900000000})")));
  result = nlohmann::json::object();
  AddCredentialExpiry(bearer, result);
  EXPECT_EQ(result, (nlohmann::json{{kTokenExpiresAtKey, 1900000000}}));

  // A JWT-shaped basic password is not a bearer token: nothing reported.
  ProbeTarget basic;
  basic.auth.kind = ProbeAuthKind::kBasic;
  basic.auth.password = SecretBytes::CopyFrom(AsBytes(Jwt(R"({"exp":1900000000})")));
  result = nlohmann::json::object();
  AddCredentialExpiry(basic, result);
  EXPECT_TRUE(result.empty());
}

}  // namespace
}  // namespace credvault::runner
