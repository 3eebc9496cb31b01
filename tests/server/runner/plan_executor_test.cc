#include "runner/plan_executor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "credvault/crypto.h"

namespace credvault::runner {
namespace {

struct Call {
  std::string url;
  std::string authorization;
  bool client_certificate = false;
};

ProbeObservation Respond(int status, std::string body) {
  ProbeObservation o;
  o.ran = true;
  o.response = ProbeResponse{status, {}, std::move(body)};
  return o;
}

TEST(ExecutePlan, GithubAppChainsJwtAndInstallationTokenAsBearers) {
  ASSERT_TRUE(InitCrypto().ok());
  ProbeTarget target;
  target.kind = ProbeKind::kGithub;
  target.auth.kind = ProbeAuthKind::kGithubApp;
  target.auth.app_id = "42";
  target.auth.installation_id = "7";
  target.auth.app_private_key_pem = SecretBytes::CopyFrom(
      AsBytes("-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n"));
  Result<ProbePlan> plan = PlanProbe(target, 1'800'000'000);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();

  std::vector<Call> calls;
  StepTransport fake;
  fake.sign_rs256 = [](std::string_view, const SecretBytes&) -> Result<std::string> {
    return std::string("SIG");
  };
  fake.exchange = [&](const Exchange& ex) {
    Call c{std::string(ex.url), "", ex.client_key_pem != nullptr};
    for (const auto& [name, value] : ex.headers) {
      if (name == "Authorization") c.authorization = value;
    }
    calls.push_back(c);
    if (c.url.find("access_tokens") != std::string::npos) {
      return Respond(201, R"({"token":"ghs_installation","expires_at":"x"})");
    }
    return Respond(200, R"({"total_count":0,"repositories":[]})");
  };
  std::vector<ProbeObservation> observed = ExecutePlan(target, *plan, {}, {}, fake);
  ASSERT_GE(calls.size(), 2u);
  // The exchange carries the signed JWT, the next call the installation token.
  EXPECT_EQ(calls[0].authorization.rfind("Bearer ", 0), 0u);
  EXPECT_NE(calls[0].authorization.find(".SIG"), std::string::npos);
  EXPECT_EQ(calls[1].authorization, "Bearer ghs_installation");
  // The token exchange response held a token: it is not kept.
  for (const ProbeObservation& o : observed) {
    if (o.response) {
      EXPECT_EQ(o.response->body.find("ghs_installation"), std::string::npos);
    }
  }
}

TEST(ExecutePlan, SigningFailureStopsThePlan) {
  ProbeTarget target;
  target.kind = ProbeKind::kGithub;
  target.auth.kind = ProbeAuthKind::kGithubApp;
  target.auth.app_id = "42";
  target.auth.installation_id = "7";
  target.auth.app_private_key_pem =
      SecretBytes::CopyFrom(AsBytes("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"));
  Result<ProbePlan> plan = PlanProbe(target, 1'800'000'000);
  ASSERT_TRUE(plan.ok());
  int exchanges = 0;
  StepTransport fake;
  fake.sign_rs256 = [](std::string_view, const SecretBytes&) -> Result<std::string> {
    return Status(ErrorCode::kInvalidArgument, "not an RSA key");
  };
  fake.exchange = [&](const Exchange&) {
    ++exchanges;
    return Respond(200, "{}");
  };
  std::vector<ProbeObservation> observed = ExecutePlan(target, *plan, {}, {}, fake);
  EXPECT_EQ(exchanges, 0);
  ASSERT_FALSE(observed.empty());
  EXPECT_EQ(observed.back().transport_error, TransportError::kSigningFailed);
  ProbeResult result = InterpretProbe(target, *plan, observed);
  EXPECT_NE(result.outcome, ProbeOutcome::kOk);
}

TEST(ExecutePlan, ClientCertificateIsPresentedOnEveryStep) {
  ProbeTarget target;
  target.kind = ProbeKind::kKubernetes;
  target.endpoint = "https://k8s.example:6443";
  target.auth.kind = ProbeAuthKind::kClientCertificate;
  target.auth.client_certificate_pem =
      "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";
  target.auth.client_key_pem =
      SecretBytes::CopyFrom(AsBytes("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"));
  Result<ProbePlan> plan = PlanProbe(target, 0);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::vector<Call> calls;
  StepTransport fake;
  fake.exchange = [&](const Exchange& ex) {
    calls.push_back({std::string(ex.url), "",
                     ex.client_key_pem != nullptr && !ex.client_certificate_pem.empty()});
    return Respond(201, R"({"status":{"userInfo":{"username":"admin"}}})");
  };
  ExecutePlan(target, *plan, {}, {}, fake);
  ASSERT_FALSE(calls.empty());
  for (const Call& c : calls) EXPECT_TRUE(c.client_certificate) << c.url;
}

}  // namespace
}  // namespace credvault::runner
