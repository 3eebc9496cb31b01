#include "credvault/probe_json.h"

#include <gtest/gtest.h>

namespace credvault {
namespace {

ProbeResult Sample() {
  ProbeResult r;
  r.outcome = ProbeOutcome::kUnauthorized;
  r.remediations = {MakeRemediation(RemediationAction::kReuploadKubeconfig),
                    MakeRemediation(RemediationAction::kRotateToken)};
  r.message = "The Kubernetes API server rejected the credential (HTTP 401).";
  r.http_status = 401;
  r.deciding_step = "self_subject_review";
  r.server_version = "v1.29.2";
  r.body_excerpt = R"({"message":"Unauthorized"})";
  r.credential_in_clear = true;
  return r;
}

TEST(ProbeJsonTest, ResultRoundTrip) {
  const ProbeResult r = Sample();
  nlohmann::json j = ProbeResultToJson(r);
  EXPECT_EQ(j["v"], 1);
  EXPECT_EQ(j["outcome"], "unauthorized");
  EXPECT_EQ(j["http_status"], 401);
  EXPECT_EQ(j["remediations"][0]["code"], "reupload_kubeconfig");
  EXPECT_EQ(j["remediations"][0]["label"], "Re-upload kubeconfig");
  EXPECT_EQ(j["credential_in_clear"], true);
  EXPECT_FALSE(j.contains("transport_error"));

  auto back = ProbeResultFromJsonText(j.dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->outcome, r.outcome);
  EXPECT_EQ(back->remediations, r.remediations);
  EXPECT_EQ(back->message, r.message);
  EXPECT_EQ(back->http_status, r.http_status);
  EXPECT_EQ(back->deciding_step, r.deciding_step);
  EXPECT_EQ(back->server_version, r.server_version);
  EXPECT_EQ(back->body_excerpt, r.body_excerpt);
  EXPECT_EQ(back->credential_in_clear, true);
  EXPECT_EQ(back->credential_verified, false);
  EXPECT_FALSE(back->transport_error.has_value());
}

TEST(ProbeJsonTest, TransportErrorRoundTrip) {
  ProbeResult r;
  r.outcome = ProbeOutcome::kTlsUntrusted;
  r.transport_error = TransportError::kTlsUntrustedCa;
  nlohmann::json j = ProbeResultToJson(r);
  EXPECT_EQ(j["transport_error"], "tls_untrusted_ca");
  EXPECT_FALSE(j.contains("http_status"));
  auto back = ProbeResultFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->transport_error, TransportError::kTlsUntrustedCa);
}

TEST(ProbeJsonTest, InvalidUtf8NeverBreaksDump) {
  ProbeResult r = Sample();
  r.body_excerpt = "bad \xff\xfe bytes";
  r.server_version = "\xc3";
  const std::string text = ProbeResultToJson(r).dump();  // would throw on invalid UTF-8
  EXPECT_NE(text.find("bad ?? bytes"), std::string::npos);
}

TEST(ProbeJsonTest, BadInput) {
  EXPECT_EQ(ProbeResultFromJsonText("{").code(), ErrorCode::kParseError);
  EXPECT_EQ(ProbeResultFromJsonText("").code(), ErrorCode::kParseError);
  EXPECT_EQ(ProbeResultFromJsonText("[]").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ProbeResultFromJsonText(R"({"outcome":"ok"})").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ProbeResultFromJsonText(R"({"v":2,"outcome":"ok"})").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ProbeResultFromJsonText(R"({"v":"1","outcome":"ok"})").code(), ErrorCode::kMalformed);

  nlohmann::json good = ProbeResultToJson(Sample());
  auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json j = good;
    j[key] = std::move(value);
    return ProbeResultFromJson(j).code();
  };
  EXPECT_EQ(with("outcome", "fine"), ErrorCode::kMalformed);
  EXPECT_EQ(with("outcome", 3), ErrorCode::kMalformed);
  EXPECT_EQ(with("remediations", "rotate_token"), ErrorCode::kMalformed);
  EXPECT_EQ(with("remediations", nlohmann::json::array({1})), ErrorCode::kMalformed);
  EXPECT_EQ(with("remediations", nlohmann::json::array({nlohmann::json::object()})),
            ErrorCode::kMalformed);
  EXPECT_EQ(with("http_status", "401"), ErrorCode::kMalformed);
  EXPECT_EQ(with("http_status", 42), ErrorCode::kMalformed);
  EXPECT_EQ(with("http_status", 4.5), ErrorCode::kMalformed);
  EXPECT_EQ(with("transport_error", "gremlins"), ErrorCode::kMalformed);
  EXPECT_EQ(with("message", nlohmann::json::array()), ErrorCode::kMalformed);
  EXPECT_EQ(with("credential_verified", "yes"), ErrorCode::kMalformed);
  EXPECT_EQ(with("message", "fine"), ErrorCode::kOk);
}

}  // namespace
}  // namespace credvault
