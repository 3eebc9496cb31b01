#include <gtest/gtest.h>

#include <string>

#include "credvault/kubeconfig.h"
#include "shared/kubeconfig/kubeconfig_test_util.h"

namespace credvault {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::SelectAll;

class KubeconfigJsonTest : public testing::CryptoTest {};

// True when every string in `j` is valid UTF-8: dump() would not throw. Decided without
// calling the throwing dump, so that a failure fails the test instead of aborting WASM.
bool DumpsCleanly(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) ==
         j.dump(-1, ' ', false, json::error_handler_t::ignore);
}

TEST_F(KubeconfigJsonTest, PlanJsonIsSnakeCaseWithOutcomesAndNoSecrets) {
  const std::string text = Fixture("multi.yaml");
  auto plan = PlanKubeconfigImportText(text, SelectAll());
  ASSERT_TRUE(plan.ok());
  json j = KubeconfigPlanToJson(*plan);
  ASSERT_TRUE(DumpsCleanly(j));
  EXPECT_EQ(j["current_context"], "staging");
  EXPECT_EQ(j["summary"]["imported"], 5);
  EXPECT_EQ(j["summary"]["error"], 0);
  ASSERT_TRUE(j["contexts"].is_array());
  ASSERT_EQ(j["contexts"].size(), 5u);
  const json& dev = j["contexts"][0];
  EXPECT_EQ(dev["context"], "dev");
  EXPECT_EQ(dev["outcome"], "imported");
  EXPECT_TRUE(dev["problem"].is_null());
  EXPECT_EQ(dev["namespace"], "apps");
  EXPECT_EQ(dev["state"], "discovered");
  EXPECT_EQ(dev["endpoint"]["server"], "https://dev.k8s.example.test:6443");
  EXPECT_EQ(dev["endpoint"]["has_certificate_authority"], true);
  EXPECT_EQ(dev["endpoint"]["tls_server_name"], "kubernetes.default");
  EXPECT_EQ(dev["connection_id"], plan->contexts[0].connection_id);
  ASSERT_EQ(j["credentials"].size(), 3u);
  EXPECT_EQ(j["credentials"][0]["auth"], "client_certificate");
  EXPECT_EQ(j["credentials"][1]["user_entries"], json({"ci-bot", "ci-bot-copy"}));
  EXPECT_EQ(j["credentials"][1]["connection_ids"].size(), 3u);

  std::string dumped = j.dump();
  for (const char* secret :
       {"shared-ci-token-abcdef0123456789", "lab-p@ss", "PRIVATE KEY", "BEGIN CERTIFICATE"}) {
    EXPECT_EQ(dumped.find(secret), std::string::npos) << secret;
  }
  std::string key_b64 = Base64Encode(AsBytes(Fixture("test_client.key")));
  EXPECT_EQ(dumped.find(key_b64.substr(0, 40)), std::string::npos);
  EXPECT_FALSE(json::parse(dumped, nullptr, false).is_discarded());
}

TEST_F(KubeconfigJsonTest, ProblemsCarryCodePluginAndPosition) {
  auto plan = PlanKubeconfigImportText(Fixture("unsupported.yaml"), SelectAll());
  ASSERT_TRUE(plan.ok());
  json j = KubeconfigPlanToJson(*plan);
  const json& eks = j["contexts"][0];
  EXPECT_EQ(eks["context"], "eks");
  EXPECT_EQ(eks["outcome"], "error");
  EXPECT_EQ(eks["problem"]["code"], "exec_plugin");
  EXPECT_EQ(eks["problem"]["plugin"], "aws-eks-get-token");
  EXPECT_GT(eks["problem"]["line"].get<int>(), 0);
  EXPECT_TRUE(eks["endpoint"].is_null());
  EXPECT_EQ(j["summary"]["imported"], 1);

  KubeconfigProblem problem;
  ASSERT_FALSE(ParseKubeconfig("a: [\n", &problem).ok());
  json p = KubeconfigProblemToJson(problem);
  EXPECT_EQ(p["code"], "yaml_syntax");
  EXPECT_GT(p["line"].get<int>(), 0);
  EXPECT_GT(p["column"].get<int>(), 0);
  EXPECT_FALSE(p.contains("plugin"));
}

TEST_F(KubeconfigJsonTest, InvalidUtf8FromTheCallerStillDumpsCleanly) {
  // yaml-cpp refuses lone surrogates, and renames are checked, but the names of existing
  // connections come from the caller as they are.
  const std::string text = Fixture("single.yaml");
  auto first = PlanKubeconfigImportText(text, SelectAll());
  ASSERT_TRUE(first.ok());
  KubeconfigImportRequest again = SelectAll();
  again.existing = {{first->contexts[0].connection_id, "connected", "bad\xff\xfe name"}};
  auto plan = PlanKubeconfigImportText(text, again);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->contexts[0].outcome, ImportOutcome::kUpdated);
  json j = KubeconfigPlanToJson(*plan);
  EXPECT_TRUE(DumpsCleanly(j));
  EXPECT_EQ(j["contexts"][0]["name"], "bad\xef\xbf\xbd\xef\xbf\xbd name");

  KubeconfigProblem problem;
  auto surrogate = ParseKubeconfig("kind: Config\ncontexts: [{name: \"a\\uD800\"}]\n", &problem);
  EXPECT_EQ(surrogate.code(), ErrorCode::kParseError);
  EXPECT_EQ(problem.issue, KubeconfigIssue::kYamlSyntax);
}

}  // namespace
}  // namespace credvault
