#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/kubeconfig.h"
#include "shared/kubeconfig/kubeconfig_test_util.h"

namespace credvault {
namespace {

using testing::FindPlan;
using testing::Fixture;
using testing::SelectAll;
using testing::TestIdKey;

class KubeconfigPlanTest : public testing::CryptoTest {
 protected:
  static KubeconfigImportPlan Plan(const std::string& text, const KubeconfigImportRequest& r) {
    auto plan = PlanKubeconfigImportText(text, r);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? std::move(plan).value() : KubeconfigImportPlan();
  }

  static std::vector<ExistingConnection> AsExisting(const KubeconfigImportPlan& plan,
                                                    const std::string& state) {
    std::vector<ExistingConnection> existing;
    for (const KubeconfigContextPlan& c : plan.contexts) {
      if (!c.connection_id.empty()) existing.push_back({c.connection_id, state, c.name});
    }
    return existing;
  }
};

const std::string kTwoContextsSameClusterAndUser =
    "kind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://c.example.test'}\n"
    "users:\n- name: u\n  user: {token: tok}\ncontexts:\n"
    "- {name: a, context: {cluster: c, user: u, namespace: one}}\n"
    "- {name: b, context: {cluster: c, user: u, namespace: two}}\n";

TEST_F(KubeconfigPlanTest, SingleContextImportsAsDiscovered) {
  KubeconfigImportPlan plan = Plan(Fixture("single.yaml"), SelectAll());
  ASSERT_EQ(plan.contexts.size(), 1u);
  const KubeconfigContextPlan& c = plan.contexts[0];
  EXPECT_EQ(c.outcome, ImportOutcome::kImported);
  EXPECT_TRUE(c.problem.ok());
  EXPECT_EQ(c.name, "kind-dev");
  EXPECT_EQ(c.state, "discovered");
  EXPECT_TRUE(c.current);
  EXPECT_EQ(c.namespace_name, "default");
  EXPECT_EQ(c.endpoint.server, "https://127.0.0.1:6443");
  EXPECT_EQ(c.endpoint.certificate_authority_pem, Fixture("test_ca.crt"));
  EXPECT_TRUE(IsObjectId(c.connection_id)) << c.connection_id;
  EXPECT_TRUE(IsObjectId(c.credential_id)) << c.credential_id;
  EXPECT_NE(c.connection_id, c.credential_id);
  ASSERT_EQ(plan.credentials.size(), 1u);
  const KubeconfigCredentialPlan& cred = plan.credentials[0];
  EXPECT_EQ(cred.id, c.credential_id);
  EXPECT_EQ(cred.name, "kind-dev-admin");
  EXPECT_EQ(cred.material.auth, KubeconfigAuth::kToken);
  EXPECT_EQ(cred.material.token.chars(), "test-token-0123456789abcdef");
  EXPECT_EQ(cred.connection_ids, std::vector<std::string>{c.connection_id});
  EXPECT_EQ(plan.Count(ImportOutcome::kImported), 1u);
}

TEST_F(KubeconfigPlanTest, SharedUsersAndIdenticalMaterialMakeOneCredential) {
  KubeconfigImportPlan plan = Plan(Fixture("multi.yaml"), SelectAll());
  ASSERT_EQ(plan.contexts.size(), 5u);
  EXPECT_EQ(plan.Count(ImportOutcome::kImported), 5u);
  std::set<std::string> connection_ids;
  for (const KubeconfigContextPlan& c : plan.contexts) connection_ids.insert(c.connection_id);
  EXPECT_EQ(connection_ids.size(), 5u);
  // staging and prod name user ci-bot; qa names ci-bot-copy, which holds the same token.
  const std::string shared = FindPlan(plan, "staging")->credential_id;
  EXPECT_EQ(FindPlan(plan, "prod")->credential_id, shared);
  EXPECT_EQ(FindPlan(plan, "qa")->credential_id, shared);
  EXPECT_NE(FindPlan(plan, "dev")->credential_id, shared);
  ASSERT_EQ(plan.credentials.size(), 3u);
  const KubeconfigCredentialPlan* ci = nullptr;
  for (const KubeconfigCredentialPlan& c : plan.credentials) {
    if (c.id == shared) ci = &c;
  }
  ASSERT_NE(ci, nullptr);
  EXPECT_EQ(ci->name, "ci-bot");
  EXPECT_EQ(ci->user_entries, (std::vector<std::string>{"ci-bot", "ci-bot-copy"}));
  EXPECT_EQ(ci->connection_ids.size(), 3u);
  EXPECT_EQ(plan.credentials[0].material.auth, KubeconfigAuth::kClientCertificate);
  EXPECT_EQ(plan.credentials[0].material.client_key_pem.chars(), Fixture("test_client.key"));
  EXPECT_EQ(plan.current_context, "staging");
  EXPECT_TRUE(FindPlan(plan, "staging")->current);
  EXPECT_FALSE(FindPlan(plan, "prod")->current);
  EXPECT_TRUE(FindPlan(plan, "lab")->endpoint.insecure_skip_tls_verify);
}

TEST_F(KubeconfigPlanTest, SameClusterAndUserTwiceInOneFileMakesOneConnection) {
  KubeconfigImportPlan all = Plan(kTwoContextsSameClusterAndUser, SelectAll());
  EXPECT_EQ(FindPlan(all, "a")->outcome, ImportOutcome::kImported);
  const KubeconfigContextPlan* b = FindPlan(all, "b");
  EXPECT_EQ(b->outcome, ImportOutcome::kSkipped);
  EXPECT_EQ(b->problem.issue, KubeconfigIssue::kSameConnectionInFile);
  EXPECT_NE(b->problem.message.find("'a'"), std::string::npos);
  EXPECT_EQ(b->connection_id, FindPlan(all, "a")->connection_id);
  ASSERT_EQ(all.credentials.size(), 1u);
  EXPECT_EQ(all.credentials[0].connection_ids.size(), 1u);

  KubeconfigImportRequest only_b;
  only_b.id_key = TestIdKey();
  only_b.selected = {{"b", ""}};
  KubeconfigImportPlan plan = Plan(kTwoContextsSameClusterAndUser, only_b);
  EXPECT_EQ(FindPlan(plan, "b")->outcome, ImportOutcome::kImported);
  EXPECT_EQ(FindPlan(plan, "b")->namespace_name, "two");
}

TEST_F(KubeconfigPlanTest, IdsAreDeterministicKeyedAndIgnoreNamesAndFormatting) {
  const std::string text = Fixture("single.yaml");
  KubeconfigImportPlan first = Plan(text, SelectAll());
  KubeconfigImportPlan again = Plan(text, SelectAll());
  const std::string id = first.contexts[0].connection_id;
  EXPECT_EQ(again.contexts[0].connection_id, id);
  EXPECT_EQ(again.contexts[0].credential_id, first.contexts[0].credential_id);

  std::string other_key(kKubeconfigIdKeyBytes, 'o');
  KubeconfigImportRequest keyed = SelectAll();
  keyed.id_key = AsBytes(other_key);
  EXPECT_NE(Plan(text, keyed).contexts[0].connection_id, id);

  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
  };
  // Context and user names, the namespace, a trailing slash and the host's case change nothing.
  std::string renamed = replace(text, "- name: kind-dev\n  context", "- name: other\n  context");
  renamed = replace(renamed, "user: kind-dev-admin", "user: someone");
  renamed = replace(renamed, "- name: kind-dev-admin", "- name: someone");
  renamed = replace(renamed, "namespace: default", "namespace: kube-system");
  renamed = replace(renamed, "https://127.0.0.1:6443", "HTTPS://127.0.0.1:6443/");
  KubeconfigImportPlan same = Plan(renamed, SelectAll());
  EXPECT_EQ(same.contexts[0].connection_id, id);
  // Another token is another credential and so another connection.
  KubeconfigImportPlan other_token =
      Plan(replace(text, "test-token-0123456789abcdef", "rotated-token"), SelectAll());
  EXPECT_NE(other_token.contexts[0].credential_id, first.contexts[0].credential_id);
  EXPECT_NE(other_token.contexts[0].connection_id, id);
  // Another server is another connection with the same credential.
  KubeconfigImportPlan other_server =
      Plan(replace(text, "127.0.0.1:6443", "127.0.0.1:7443"), SelectAll());
  EXPECT_NE(other_server.contexts[0].connection_id, id);
  EXPECT_EQ(other_server.contexts[0].credential_id, first.contexts[0].credential_id);
}

TEST_F(KubeconfigPlanTest, ReimportUpdatesInsteadOfDuplicating) {
  const std::string text = Fixture("multi.yaml");
  KubeconfigImportPlan first = Plan(text, SelectAll());
  KubeconfigImportRequest again = SelectAll();
  again.existing = AsExisting(first, "connected");
  again.existing[1].name = "Staging (renamed in the app)";
  KubeconfigImportPlan second = Plan(text, again);
  EXPECT_EQ(second.Count(ImportOutcome::kUpdated), 5u);
  EXPECT_EQ(second.Count(ImportOutcome::kImported), 0u);
  for (size_t i = 0; i < second.contexts.size(); ++i) {
    EXPECT_EQ(second.contexts[i].connection_id, first.contexts[i].connection_id);
    EXPECT_EQ(second.contexts[i].state, "connected");
  }
  // A name the user gave in the app survives a re-import that does not rename.
  EXPECT_EQ(FindPlan(second, "staging")->name, "Staging (renamed in the app)");
  EXPECT_EQ(second.credentials.size(), first.credentials.size());

  KubeconfigImportRequest renamed = again;
  renamed.select_all = false;
  renamed.selected = {{"staging", "Staging EU"}};
  KubeconfigImportPlan third = Plan(text, renamed);
  EXPECT_EQ(FindPlan(third, "staging")->outcome, ImportOutcome::kUpdated);
  EXPECT_EQ(FindPlan(third, "staging")->name, "Staging EU");
}

TEST_F(KubeconfigPlanTest, IgnoredAndMaintenanceConnectionsAreNeverTouched) {
  const std::string text = Fixture("multi.yaml");
  KubeconfigImportPlan first = Plan(text, SelectAll());
  KubeconfigImportRequest again = SelectAll();
  again.existing = {{FindPlan(first, "dev")->connection_id, "ignored", "Dev"},
                    {FindPlan(first, "lab")->connection_id, "maintenance", "Lab"},
                    {FindPlan(first, "prod")->connection_id, "disconnected", "Prod"}};
  KubeconfigImportPlan second = Plan(text, again);
  const KubeconfigContextPlan* dev = FindPlan(second, "dev");
  EXPECT_EQ(dev->outcome, ImportOutcome::kSkipped);
  EXPECT_EQ(dev->problem.issue, KubeconfigIssue::kKeptIgnored);
  EXPECT_EQ(dev->state, "ignored");
  EXPECT_EQ(dev->name, "Dev");
  const KubeconfigContextPlan* lab = FindPlan(second, "lab");
  EXPECT_EQ(lab->outcome, ImportOutcome::kSkipped);
  EXPECT_EQ(lab->problem.issue, KubeconfigIssue::kKeptMaintenance);
  EXPECT_EQ(lab->state, "maintenance");
  EXPECT_EQ(FindPlan(second, "prod")->outcome, ImportOutcome::kUpdated);
  EXPECT_EQ(FindPlan(second, "prod")->state, "disconnected");
  EXPECT_EQ(FindPlan(second, "staging")->outcome, ImportOutcome::kImported);
  // The credentials of untouched connections are not rewritten either.
  for (const KubeconfigCredentialPlan& c : second.credentials) {
    EXPECT_NE(c.id, dev->credential_id);
    EXPECT_NE(c.id, lab->credential_id);
  }
  EXPECT_EQ(second.credentials.size(), 1u);
}

TEST_F(KubeconfigPlanTest, DeletedConnectionIsAnError) {
  const std::string text = Fixture("single.yaml");
  KubeconfigImportPlan first = Plan(text, SelectAll());
  KubeconfigImportRequest again = SelectAll();
  again.existing = AsExisting(first, "deleted");
  KubeconfigImportPlan second = Plan(text, again);
  EXPECT_EQ(second.contexts[0].outcome, ImportOutcome::kError);
  EXPECT_EQ(second.contexts[0].problem.issue, KubeconfigIssue::kConnectionDeleted);
  EXPECT_TRUE(second.credentials.empty());
}

TEST_F(KubeconfigPlanTest, SelectionAndRenames) {
  KubeconfigImportRequest r;
  r.id_key = TestIdKey();
  r.selected = {{"staging", "Staging EU"}, {"dev", ""}};
  KubeconfigImportPlan plan = Plan(Fixture("multi.yaml"), r);
  EXPECT_EQ(FindPlan(plan, "staging")->outcome, ImportOutcome::kImported);
  EXPECT_EQ(FindPlan(plan, "staging")->name, "Staging EU");
  EXPECT_EQ(FindPlan(plan, "dev")->name, "dev");
  for (const char* other : {"prod", "lab", "qa"}) {
    SCOPED_TRACE(other);
    EXPECT_EQ(FindPlan(plan, other)->outcome, ImportOutcome::kSkipped);
    EXPECT_EQ(FindPlan(plan, other)->problem.issue, KubeconfigIssue::kNotSelected);
  }
  EXPECT_EQ(plan.credentials.size(), 2u);
  for (const KubeconfigCredentialPlan& c : plan.credentials) EXPECT_EQ(c.connection_ids.size(), 1u);
}

TEST_F(KubeconfigPlanTest, BadNamesAndTakenNamesAreErrorsOfTheirContext) {
  KubeconfigImportRequest r;
  r.id_key = TestIdKey();
  r.selected = {{"dev", "Same"},
                {"staging", "Same"},
                {"prod", "line\nbreak"},
                {"lab", std::string(kKubeconfigMaxNameBytes + 1, 'n')},
                {"qa", "Existing"}};
  r.existing = {{"someid-of-another-conn", "connected", "Existing"}};
  KubeconfigImportPlan plan = Plan(Fixture("multi.yaml"), r);
  EXPECT_EQ(FindPlan(plan, "dev")->outcome, ImportOutcome::kImported);
  EXPECT_EQ(FindPlan(plan, "staging")->problem.issue, KubeconfigIssue::kNameTaken);
  EXPECT_EQ(FindPlan(plan, "staging")->outcome, ImportOutcome::kError);
  EXPECT_EQ(FindPlan(plan, "prod")->problem.issue, KubeconfigIssue::kInvalidName);
  EXPECT_EQ(FindPlan(plan, "lab")->problem.issue, KubeconfigIssue::kInvalidName);
  EXPECT_EQ(FindPlan(plan, "qa")->problem.issue, KubeconfigIssue::kNameTaken);
  EXPECT_EQ(plan.Count(ImportOutcome::kError), 4u);
}

TEST_F(KubeconfigPlanTest, RequestErrorsHaveExactCodes) {
  const std::string text = Fixture("multi.yaml");
  KubeconfigImportRequest r;
  r.id_key = TestIdKey();
  r.selected = {{"nope", ""}};
  EXPECT_EQ(PlanKubeconfigImportText(text, r).code(), ErrorCode::kNotFound);
  r.selected = {{"dev", ""}, {"dev", "again"}};
  EXPECT_EQ(PlanKubeconfigImportText(text, r).code(), ErrorCode::kInvalidArgument);
  r = SelectAll();
  r.id_key = AsBytes("short");
  EXPECT_EQ(PlanKubeconfigImportText(text, r).code(), ErrorCode::kInvalidArgument);
  r = SelectAll();
  r.existing = {{"x", "not found", "X"}};
  EXPECT_EQ(PlanKubeconfigImportText(text, r).code(), ErrorCode::kInvalidArgument);
  KubeconfigProblem problem;
  auto bad = PlanKubeconfigImportText("kind: Config\nusers: [\n", SelectAll(), &problem);
  EXPECT_EQ(bad.code(), ErrorCode::kParseError);
  EXPECT_EQ(problem.issue, KubeconfigIssue::kYamlSyntax);
}

TEST_F(KubeconfigPlanTest, UnsupportedContextsFailAloneAndTheOthersImport) {
  KubeconfigImportPlan plan = Plan(Fixture("unsupported.yaml"), SelectAll());
  EXPECT_EQ(FindPlan(plan, "ok")->outcome, ImportOutcome::kImported);
  EXPECT_EQ(plan.Count(ImportOutcome::kImported), 1u);
  EXPECT_EQ(plan.Count(ImportOutcome::kError), plan.contexts.size() - 1);
  const std::vector<std::pair<const char*, KubeconfigIssue>> expected = {
      {"eks", KubeconfigIssue::kExecPlugin},
      {"gke", KubeconfigIssue::kExecPlugin},
      {"aks", KubeconfigIssue::kExecPlugin},
      {"gcp-legacy", KubeconfigIssue::kAuthProvider},
      {"oidc", KubeconfigIssue::kAuthProvider},
      {"cert-files", KubeconfigIssue::kClientCertificateFile},
      {"key-file", KubeconfigIssue::kClientKeyFile},
      {"ca-file", KubeconfigIssue::kCertificateAuthorityFile},
      {"token-file", KubeconfigIssue::kTokenFile},
      {"impersonate", KubeconfigIssue::kImpersonation},
  };
  for (const auto& [context, issue] : expected) {
    SCOPED_TRACE(context);
    const KubeconfigContextPlan* c = FindPlan(plan, context);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->outcome, ImportOutcome::kError);
    EXPECT_EQ(c->problem.issue, issue);
    EXPECT_TRUE(c->connection_id.empty());
  }
  EXPECT_EQ(FindPlan(plan, "eks")->problem.plugin, "aws-eks-get-token");
  EXPECT_EQ(FindPlan(plan, "gcp-legacy")->problem.plugin, "gcp");
}

TEST_F(KubeconfigPlanTest, BrokenReferencesAndDuplicateNamesFailPerContext) {
  KubeconfigImportPlan plan = Plan(Fixture("broken_refs.yaml"), SelectAll());
  const std::vector<std::pair<const char*, KubeconfigIssue>> expected = {
      {"no-such-cluster", KubeconfigIssue::kClusterNotFound},
      {"no-such-user", KubeconfigIssue::kUserNotFound},
      {"uses-twin", KubeconfigIssue::kDuplicateClusterName},
      {"uses-twin-user", KubeconfigIssue::kDuplicateUserName},
      {"no-cluster", KubeconfigIssue::kContextMissingCluster},
      {"no-user", KubeconfigIssue::kContextMissingUser},
  };
  for (const auto& [context, issue] : expected) {
    SCOPED_TRACE(context);
    const KubeconfigContextPlan* c = FindPlan(plan, context);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->outcome, ImportOutcome::kError);
    EXPECT_EQ(c->problem.issue, issue);
    EXPECT_GT(c->problem.line, 0);
  }
  EXPECT_NE(FindPlan(plan, "no-such-cluster")->problem.message.find("'absent'"), std::string::npos);
  EXPECT_NE(FindPlan(plan, "uses-twin")->problem.message.find("2 clusters named 'twin'"),
            std::string::npos);
  EXPECT_NE(FindPlan(plan, "uses-twin-user")->problem.message.find("'twin-user'"),
            std::string::npos);
  size_t twice = 0;
  for (const KubeconfigContextPlan& c : plan.contexts) {
    if (c.context != "twice") continue;
    ++twice;
    EXPECT_EQ(c.outcome, ImportOutcome::kError);
    EXPECT_EQ(c.problem.issue, KubeconfigIssue::kDuplicateContextName);
    EXPECT_NE(c.problem.message.find("2 contexts named 'twice'"), std::string::npos);
  }
  EXPECT_EQ(twice, 2u);
  EXPECT_EQ(FindPlan(plan, "fine")->outcome, ImportOutcome::kImported);
  EXPECT_EQ(plan.Count(ImportOutcome::kImported), 1u);
}

TEST_F(KubeconfigPlanTest, AContextThatIsNotSelectedIsSkippedEvenIfBroken) {
  KubeconfigImportRequest r;
  r.id_key = TestIdKey();
  r.selected = {{"fine", ""}};
  KubeconfigImportPlan plan = Plan(Fixture("broken_refs.yaml"), r);
  EXPECT_EQ(plan.Count(ImportOutcome::kImported), 1u);
  EXPECT_EQ(plan.Count(ImportOutcome::kError), 0u);
  EXPECT_EQ(FindPlan(plan, "no-such-user")->problem.issue, KubeconfigIssue::kNotSelected);
}

}  // namespace
}  // namespace credvault
