#include "credvault/pem.h"

#include <gtest/gtest.h>

#include "credvault/secret.h"
#include "shared/model/model_test_util.h"

namespace credvault {
namespace {

using testing::ModelData;

std::string Code(std::string_view text, PemExpect expect) {
  auto issue = CheckPem("f", text, expect);
  if (!issue) return "ok";
  EXPECT_EQ(issue->field, "f");
  return issue->code;
}

TEST(PemTest, AcceptsRealBlocksOfTheRightKind) {
  std::vector<PemBlock> blocks;
  EXPECT_FALSE(CheckPem("ca", ModelData("ca.crt"), PemExpect::kCertificates, &blocks));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].label, "CERTIFICATE");
  EXPECT_GT(blocks[0].der_bytes, 100u);
  // A bundle of several certificates.
  std::string bundle = ModelData("ca.crt") + "\n" + ModelData("client.crt");
  EXPECT_FALSE(CheckPem("ca", bundle, PemExpect::kCertificates, &blocks));
  EXPECT_EQ(blocks.size(), 2u);
  EXPECT_EQ(Code(ModelData("client.key"), PemExpect::kPrivateKey), "ok");
  EXPECT_EQ(Code(ModelData("client_ec.key"), PemExpect::kPrivateKey), "ok");
  EXPECT_EQ(Code(ModelData("github_app.key"), PemExpect::kPrivateKey), "ok");
  EXPECT_EQ(Code(ModelData("github_app.key"), PemExpect::kRsaPrivateKey), "ok");
  // Windows line endings and surrounding blank lines from a paste.
  std::string crlf;
  for (char c : ModelData("ca.crt")) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(Code("\n\n" + crlf + "\n  ", PemExpect::kCertificates), "ok");
  // openssl ecparam -genkey writes parameters before the key.
  std::string with_params =
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" +
      ModelData("client_ec.key");
  EXPECT_EQ(Code(with_params, PemExpect::kPrivateKey), "ok");
}

TEST(PemTest, WrongKindsAreNamed) {
  auto issue = CheckPem("client_certificate", ModelData("client.key"), PemExpect::kCertificates);
  ASSERT_TRUE(issue);
  EXPECT_EQ(issue->code, "pem_wrong_type");
  EXPECT_EQ(issue->message, "expected a CERTIFICATE block, found PRIVATE KEY");
  EXPECT_EQ(Code(ModelData("ca.crt"), PemExpect::kPrivateKey), "pem_wrong_type");
  EXPECT_EQ(Code(ModelData("client_ec.key"), PemExpect::kRsaPrivateKey), "pem_wrong_type");
  EXPECT_EQ(Code(ModelData("client.key") + ModelData("client_ec.key"), PemExpect::kPrivateKey),
            "pem_too_many_blocks");
}

TEST(PemTest, BrokenInputGetsItsExactCode) {
  std::string ca = ModelData("ca.crt");
  EXPECT_EQ(Code("", PemExpect::kCertificates), "pem_missing_armour");
  EXPECT_EQ(Code("hello", PemExpect::kCertificates), "pem_missing_armour");
  // A kubeconfig *-data value: base64 of the PEM text.
  auto issue = CheckPem("ca_data", Base64Encode(AsBytes(ca)), PemExpect::kCertificates);
  ASSERT_TRUE(issue);
  EXPECT_EQ(issue->code, "pem_missing_armour");
  EXPECT_NE(issue->message.find("base64"), std::string::npos);
  // Truncated paste.
  EXPECT_EQ(Code(ca.substr(0, ca.size() / 2), PemExpect::kCertificates), "pem_unterminated");
  std::string mismatched = ca;
  mismatched.replace(mismatched.find("END CERTIFICATE"), 15, "END PRIVATE KEY");
  EXPECT_EQ(Code(mismatched, PemExpect::kCertificates), "pem_mismatched_armour");
  std::string bad_body = ca;
  bad_body[bad_body.find('\n') + 5] = '*';
  EXPECT_EQ(Code(bad_body, PemExpect::kCertificates), "pem_bad_base64");
  EXPECT_EQ(
      Code("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", PemExpect::kCertificates),
      "pem_bad_base64");
  EXPECT_EQ(Code(ca + "trailing words", PemExpect::kCertificates), "pem_trailing_data");
  EXPECT_EQ(Code("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
                 PemExpect::kPrivateKey),
            "pem_encrypted");
  EXPECT_EQ(Code("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
                 "00\n\nAAAA\n-----END RSA PRIVATE KEY-----",
                 PemExpect::kRsaPrivateKey),
            "pem_encrypted");
  EXPECT_EQ(
      Code("-----BEGIN CERTIFICATE\nAAAA\n-----END CERTIFICATE-----", PemExpect::kCertificates),
      "pem_missing_armour");
  std::string garbage(4096, '\xff');
  EXPECT_EQ(Code(garbage, PemExpect::kCertificates), "pem_missing_armour");
}

}  // namespace
}  // namespace credvault
