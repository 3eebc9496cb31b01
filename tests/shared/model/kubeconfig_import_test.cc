#include "credvault/kubeconfig_import.h"

#include <gtest/gtest.h>

#include <set>

#include "shared/kubeconfig/kubeconfig_test_util.h"

namespace credvault {
namespace {

using testing::Fixture;
using testing::SelectAll;

class KubeconfigImportTest : public testing::CryptoTest {};

TEST_F(KubeconfigImportTest, MultiContextFileBecomesConnectionsAndSharedCredentials) {
  auto plan = PlanKubeconfigImportText(Fixture("multi.yaml"), SelectAll());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto models = KubeconfigPlanToModels(*plan, "ws-1");
  ASSERT_TRUE(models.ok()) << models.status().ToString();

  size_t importing = plan->Count(ImportOutcome::kImported) + plan->Count(ImportOutcome::kUpdated);
  ASSERT_GT(importing, 1u);
  EXPECT_EQ(models->connections.size(), importing);
  std::set<std::string> credential_ids;
  for (const ImportedCredential& c : models->credentials) credential_ids.insert(c.id);
  EXPECT_EQ(credential_ids.size(), models->credentials.size());
  for (const ConnectionView& c : models->connections) {
    EXPECT_EQ(c.kind, ServiceKind::kKubernetes);
    EXPECT_EQ(c.workspace_id, "ws-1");
    EXPECT_TRUE(c.managed);
    EXPECT_EQ(c.state, ConnectionState::kDiscovered);
    EXPECT_TRUE(IsObjectId(c.id));
    EXPECT_EQ(credential_ids.count(c.credential_id), 1u) << c.name;
    EXPECT_TRUE(ValidateConnection(c).ok());
  }
  for (const ImportedCredential& c : models->credentials) {
    EXPECT_EQ(c.view.kind, ServiceKind::kKubernetes);
    EXPECT_TRUE(ValidateCredential(c.view).ok()) << c.view.name;
  }
}

TEST_F(KubeconfigImportTest, SkippedAndFailedContextsAreLeftOut) {
  KubeconfigImportRequest none = SelectAll();
  none.select_all = false;
  auto plan = PlanKubeconfigImportText(Fixture("multi.yaml"), none);
  ASSERT_TRUE(plan.ok());
  auto models = KubeconfigPlanToModels(*plan, "ws-1");
  ASSERT_TRUE(models.ok());
  EXPECT_TRUE(models->connections.empty());
  EXPECT_TRUE(models->credentials.empty());

  auto broken = PlanKubeconfigImportText(Fixture("broken_refs.yaml"), SelectAll());
  ASSERT_TRUE(broken.ok());
  auto partial = KubeconfigPlanToModels(*broken, "ws-1");
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_EQ(partial->connections.size(),
            broken->Count(ImportOutcome::kImported) + broken->Count(ImportOutcome::kUpdated));
  EXPECT_LT(partial->connections.size(), broken->contexts.size());
}

TEST_F(KubeconfigImportTest, CertificateWithTokenKeepsBoth) {
  std::string cert = Fixture("test_client.crt");
  std::string key = Fixture("test_client.key");
  KubeconfigCredentialPlan planned;
  planned.id = NewObjectId();
  planned.name = "admin";
  planned.material.auth = KubeconfigAuth::kClientCertificateAndToken;
  planned.material.token = SecretBytes::CopyFrom(AsBytes("tok-123"));
  planned.material.client_certificate_pem = cert;
  planned.material.client_key_pem = SecretBytes::CopyFrom(AsBytes(key));
  KubeconfigContextPlan context;
  context.context = "dev";
  context.name = "dev";
  context.outcome = ImportOutcome::kImported;
  context.connection_id = NewObjectId();
  context.credential_id = planned.id;
  context.endpoint.server = "https://10.0.0.1:6443";
  context.state = "discovered";
  KubeconfigImportPlan plan;
  plan.contexts.push_back(std::move(context));
  plan.credentials.push_back(std::move(planned));

  auto models = KubeconfigPlanToModels(plan, "ws");
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  ASSERT_EQ(models->credentials.size(), 1u);
  const CredentialView& v = models->credentials[0].view;
  EXPECT_EQ(v.method, AuthMethod::kClientCertificate);
  EXPECT_EQ(v.fields.Get(CredentialField::kToken), "tok-123");
  EXPECT_FALSE(v.fields.Get(CredentialField::kClientKey).empty());

  plan.contexts[0].state = "sleeping";
  EXPECT_EQ(KubeconfigPlanToModels(plan, "ws").code(), ErrorCode::kValidation);
  plan.contexts[0].state = "discovered";
  plan.contexts[0].endpoint.server = "ftp://10.0.0.1";
  EXPECT_EQ(KubeconfigPlanToModels(plan, "ws").code(), ErrorCode::kValidation);
}

}  // namespace
}  // namespace credvault
