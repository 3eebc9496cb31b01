#include "credvault/connection_probe.h"

#include <gtest/gtest.h>

#include "credvault/identity.h"
#include "shared/model/model_test_util.h"

namespace credvault {
namespace {

using testing::ClientCertCredential;
using testing::GitHubAppCredential;
using testing::ModelData;
using testing::PrometheusConnection;
using testing::TokenCredential;

constexpr int64_t kNow = 1700000000;

class ConnectionProbeTest : public testing::CryptoTest {};

CredentialView BasicCredential() {
  CredentialView v;
  v.name = "prom reader";
  v.kind = ServiceKind::kPrometheus;
  v.method = AuthMethod::kBasic;
  v.fields.Set(CredentialField::kUsername, "reader");
  v.fields.Set(CredentialField::kPassword, "correct horse");
  return v;
}

ConnectionView KubernetesConnection() {
  ConnectionView v = PrometheusConnection("ws-1");
  v.kind = ServiceKind::kKubernetes;
  v.endpoint = *ParseEndpoint("https://10.0.0.1:6443");
  v.tls.ca_data.clear();
  v.tls.server_name.clear();
  return v;
}

TEST_F(ConnectionProbeTest, JobSpecBasicCredentialOnPrometheusKeepsEndpointTlsAndSecret) {
  const CredentialView credential = BasicCredential();
  Result<ProbeJobSpec> spec =
      ProbeJobSpecFor(PrometheusConnection("ws-1"), &credential, ConnectionTestOptions{});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->target.kind, ProbeKind::kPrometheus);
  EXPECT_EQ(spec->target.endpoint, "https://prom.eu-west.internal:9090/prometheus");
  EXPECT_EQ(spec->target.tls.ca_pem, ModelData("ca.crt"));
  EXPECT_EQ(spec->target.tls.server_name, "prom.internal");
  EXPECT_EQ(spec->target.auth.kind, ProbeAuthKind::kBasic);
  EXPECT_EQ(spec->target.auth.username, "reader");
  EXPECT_EQ(spec->target.auth.password.chars(), "correct horse");
  EXPECT_FALSE(spec->ssrf.allow_private_and_link_local);
}

TEST_F(ConnectionProbeTest, JobSpecKubeconfigCertificateBringsItsClusterCa) {
  const CredentialView credential = ClientCertCredential();
  Result<ProbeJobSpec> spec =
      ProbeJobSpecFor(KubernetesConnection(), &credential, ConnectionTestOptions{});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->target.kind, ProbeKind::kKubernetes);
  EXPECT_EQ(spec->target.tls.ca_pem, ModelData("ca.crt"));
  EXPECT_EQ(spec->target.auth.kind, ProbeAuthKind::kClientCertificate);
  EXPECT_EQ(spec->target.auth.client_certificate_pem, ModelData("client.crt"));
  EXPECT_EQ(spec->target.auth.client_key_pem.chars(), ModelData("client.key"));
}

TEST_F(ConnectionProbeTest, JobSpecGithubAppAndAnonymousAndPolicy) {
  ConnectionView github = PrometheusConnection("ws-1");
  github.kind = ServiceKind::kGitHub;
  github.endpoint = *ParseEndpoint("https://api.github.com");
  const CredentialView app = GitHubAppCredential();
  Result<ProbeJobSpec> spec = ProbeJobSpecFor(github, &app, ConnectionTestOptions{});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->target.auth.kind, ProbeAuthKind::kGithubApp);
  EXPECT_EQ(spec->target.auth.app_id, "123456");
  EXPECT_EQ(spec->target.auth.installation_id, "98765432");

  ConnectionTestOptions options;
  options.ssrf.allow_private_and_link_local = true;
  options.http_expected_status = 204;
  Result<ProbeJobSpec> anonymous = ProbeJobSpecFor(PrometheusConnection("ws-1"), nullptr, options);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->target.auth.kind, ProbeAuthKind::kNone);
  EXPECT_TRUE(anonymous->ssrf.allow_private_and_link_local);
  EXPECT_EQ(anonymous->target.http_expected_status, 204);
}

TEST_F(ConnectionProbeTest, JobSpecRefusesACredentialThatDoesNotFitOrIsIncomplete) {
  const CredentialView github_token = TokenCredential(ServiceKind::kGitHub);
  EXPECT_EQ(ProbeJobSpecFor(KubernetesConnection(), &github_token, {}).code(),
            ErrorCode::kValidation);
  CredentialView no_password = BasicCredential();
  no_password.fields.Clear(CredentialField::kPassword);
  EXPECT_EQ(ProbeJobSpecFor(PrometheusConnection("ws-1"), &no_password, {}).code(),
            ErrorCode::kValidation);
}

TEST_F(ConnectionProbeTest, SealTheRunnerOpensWhatTheClientSealedAndNothingElseCan) {
  const auto runner = Identity::Generate("runner-1");
  const auto stranger = Identity::Generate("runner-1");
  const CredentialView credential = BasicCredential();
  const ConnectionView connection = PrometheusConnection("ws-1");
  Result<SealedConnectionTest> sealed = SealConnectionTest(
      connection, &credential, {}, "runner-1", runner->box_public_key(), kNow, 20);
  ASSERT_TRUE(sealed.ok()) << sealed.status().message();
  EXPECT_EQ(sealed->header.connection_id, "conn-1");
  EXPECT_EQ(sealed->header.workspace_id, "ws-1");
  EXPECT_EQ(sealed->header.expires_at, kNow + 20);
  EXPECT_TRUE(IsObjectId(sealed->header.job_id));

  ReplayGuard guard;
  Result<OpenedTestJob> opened = OpenTestJob(*runner, sealed->job, kNow + 1, &guard);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened->header.job_id, sealed->header.job_id);
  Result<ProbeJobSpec> spec = ProbeJobSpecFromJsonText(opened->body_json.chars());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->target.auth.password.chars(), "correct horse");
  EXPECT_EQ(OpenTestJob(*stranger, sealed->job, kNow + 1, nullptr).code(),
            ErrorCode::kDecryptFailed);

  Result<SealedConnectionTest> second = SealConnectionTest(
      connection, &credential, {}, "runner-1", runner->box_public_key(), kNow);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->header.job_id, sealed->header.job_id);
  EXPECT_EQ(second->header.expires_at, kNow + kDefaultJobLifetimeSeconds);
}

TEST_F(ConnectionProbeTest, SealRefusesALifetimeOutsideOneToSixtySeconds) {
  const auto runner = Identity::Generate("runner-1");
  const CredentialView credential = BasicCredential();
  for (int64_t lifetime : {int64_t{0}, int64_t{-5}, kMaxJobLifetimeSeconds + 1}) {
    EXPECT_EQ(SealConnectionTest(PrometheusConnection("ws-1"), &credential, {}, "runner-1",
                                 runner->box_public_key(), kNow, lifetime)
                  .code(),
              ErrorCode::kInvalidArgument)
        << lifetime;
  }
}

}  // namespace
}  // namespace credvault
