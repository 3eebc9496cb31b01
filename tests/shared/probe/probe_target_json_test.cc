#include "credvault/probe_target_json.h"

#include <gtest/gtest.h>

#include "credvault/crypto.h"

#include <string>

namespace credvault {
namespace {

// Secrets are read into guarded memory, which needs libsodium initialised.
class ProbeJobSpecJson : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

ProbeJobSpec FullSpec() {
  ProbeJobSpec spec;
  spec.target.kind = ProbeKind::kPrometheus;
  spec.target.endpoint = "https://prom.example:9090";
  spec.target.tls.ca_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  spec.target.tls.server_name = "prom.internal";
  spec.target.tls.insecure_skip_verify = true;
  spec.target.auth.kind = ProbeAuthKind::kBasic;
  spec.target.auth.username = "admin";
  spec.target.auth.password = SecretBytes::CopyFrom(AsBytes("S3cret!"));
  spec.target.auth.token = SecretBytes::CopyFrom(AsBytes("tok"));
  spec.target.auth.client_certificate_pem = "cert";
  spec.target.auth.client_key_pem = SecretBytes::CopyFrom(AsBytes("key"));
  spec.target.auth.header_name = "X-Api-Key";
  spec.target.auth.header_value = SecretBytes::CopyFrom(AsBytes("hv"));
  spec.target.auth.app_id = "12";
  spec.target.auth.installation_id = "34";
  spec.target.auth.app_private_key_pem = SecretBytes::CopyFrom(AsBytes("apk"));
  spec.ssrf.allow_private_and_link_local = true;
  return spec;
}

TEST_F(ProbeJobSpecJson, RoundTripsEveryField) {
  const ProbeJobSpec in = FullSpec();
  SecretBytes text = ProbeJobSpecToJsonText(in);
  Result<ProbeJobSpec> out = ProbeJobSpecFromJsonText(text.chars());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const ProbeTarget& t = out->target;
  EXPECT_EQ(t.kind, ProbeKind::kPrometheus);
  EXPECT_EQ(t.endpoint, in.target.endpoint);
  EXPECT_EQ(t.tls.ca_pem, in.target.tls.ca_pem);
  EXPECT_EQ(t.tls.server_name, "prom.internal");
  EXPECT_TRUE(t.tls.insecure_skip_verify);
  EXPECT_EQ(t.auth.kind, ProbeAuthKind::kBasic);
  EXPECT_EQ(t.auth.username, "admin");
  EXPECT_EQ(t.auth.password.chars(), "S3cret!");
  EXPECT_EQ(t.auth.token.chars(), "tok");
  EXPECT_EQ(t.auth.client_certificate_pem, "cert");
  EXPECT_EQ(t.auth.client_key_pem.chars(), "key");
  EXPECT_EQ(t.auth.header_name, "X-Api-Key");
  EXPECT_EQ(t.auth.header_value.chars(), "hv");
  EXPECT_EQ(t.auth.app_id, "12");
  EXPECT_EQ(t.auth.installation_id, "34");
  EXPECT_EQ(t.auth.app_private_key_pem.chars(), "apk");
  EXPECT_TRUE(out->ssrf.allow_private_and_link_local);
}

TEST_F(ProbeJobSpecJson, HttpFieldsRoundTrip) {
  ProbeJobSpec in;
  in.target.kind = ProbeKind::kHttp;
  in.target.endpoint = "http://svc:8080";
  in.target.http_path = "/healthz";
  in.target.http_expected_status = 204;
  SecretBytes text = ProbeJobSpecToJsonText(in);
  Result<ProbeJobSpec> out = ProbeJobSpecFromJsonText(text.chars());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->target.http_path, "/healthz");
  EXPECT_EQ(out->target.http_expected_status, 204);
  EXPECT_FALSE(out->ssrf.allow_private_and_link_local);
}

TEST_F(ProbeJobSpecJson, MinimalBodyTakesDefaults) {
  Result<ProbeJobSpec> out =
      ProbeJobSpecFromJsonText(R"({"kind":"kubernetes","endpoint":"https://k8s:6443"})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->target.kind, ProbeKind::kKubernetes);
  EXPECT_EQ(out->target.auth.kind, ProbeAuthKind::kNone);
  EXPECT_TRUE(out->target.tls.ca_pem.empty());
  EXPECT_FALSE(out->target.tls.insecure_skip_verify);
  EXPECT_EQ(out->target.http_expected_status, 200);
  EXPECT_FALSE(out->ssrf.allow_private_and_link_local);
}

struct BadBody {
  const char* text;
  ErrorCode code;
  const char* needle;  // part of the message that names the field
};

class ProbeJobSpecJsonBad : public ::testing::TestWithParam<BadBody> {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

TEST_P(ProbeJobSpecJsonBad, IsRefusedWithExactCode) {
  Result<ProbeJobSpec> out = ProbeJobSpecFromJsonText(GetParam().text);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.code(), GetParam().code) << out.status().ToString();
  EXPECT_NE(out.status().message().find(GetParam().needle), std::string::npos)
      << out.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ProbeJobSpecJsonBad,
    ::testing::Values(
        BadBody{"", ErrorCode::kParseError, "not JSON"},
        BadBody{"{\"kind\":", ErrorCode::kParseError, "not JSON"},
        BadBody{"[]", ErrorCode::kMalformed, "not a JSON object"},
        BadBody{R"({"endpoint":"https://a"})", ErrorCode::kMalformed, "kind"},
        BadBody{R"({"kind":"ftp","endpoint":"https://a"})", ErrorCode::kMalformed, "kind"},
        BadBody{R"({"kind":"http"})", ErrorCode::kMalformed, "endpoint"},
        BadBody{R"({"kind":"http","endpoint":5})", ErrorCode::kMalformed, "endpoint"},
        BadBody{R"({"kind":"http","endpoint":"https://a","extra":1})", ErrorCode::kMalformed,
                "\"extra\""},
        BadBody{R"({"kind":"http","endpoint":"https://a","tls":[]})", ErrorCode::kMalformed, "tls"},
        BadBody{R"({"kind":"http","endpoint":"https://a","tls":{"insecure_skip_verify":"yes"}})",
                ErrorCode::kMalformed, "insecure_skip_verify"},
        BadBody{R"({"kind":"http","endpoint":"https://a","tls":{"insecure_skip_verfy":true}})",
                ErrorCode::kMalformed, "\"insecure_skip_verfy\""},
        BadBody{R"({"kind":"http","endpoint":"https://a","auth":{"kind":"kerberos"}})",
                ErrorCode::kMalformed, "auth.kind"},
        BadBody{R"({"kind":"http","endpoint":"https://a","auth":{"password":7}})",
                ErrorCode::kMalformed, "password"},
        BadBody{R"({"kind":"http","endpoint":"https://a","http":{"expected_status":"200"}})",
                ErrorCode::kMalformed, "expected_status"},
        BadBody{R"({"kind":"http","endpoint":"https://a","http":{"expected_status":99999}})",
                ErrorCode::kMalformed, "expected_status"},
        BadBody{R"({"kind":"http","endpoint":"https://a","allow_private_targets":1})",
                ErrorCode::kMalformed, "allow_private_targets"}));

}  // namespace
}  // namespace credvault
