// A monitoring job opened by the runner: its own grant (signed by a pinned admin), then the
// connection and the credential, into the probe target a client would have sealed. And the
// refusals: an unpinned or forged granter, another runner's grant, a revoked generation.
#include "runner/monitor_job.h"

#include <gtest/gtest.h>

#include <memory>

#include "credvault/crypto.h"
#include "credvault/identity.h"

namespace credvault::runner {
namespace {

class MonitorJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    ws_ = NewObjectId();
    admin_ = Identity::Generate(NewObjectId());
    runner_ = Identity::Generate(NewObjectId());
    keys1_ = std::make_unique<WorkspaceKeys>(WorkspaceKeys::Generate(ws_, 1));

    ConnectionView connection;
    connection.id = NewObjectId();
    connection.workspace_id = ws_;
    connection.kind = ServiceKind::kPrometheus;
    connection.name = "prom";
    connection.endpoint = *ParseEndpoint("http://127.0.0.1:9090");
    credential_id_ = NewObjectId();
    connection.credential_id = credential_id_;
    connection_view_ = connection;
    Result<SealedConnection> sealed = SealConnection(connection, *keys1_);
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();

    CredentialView credential;
    credential.name = "prom reader";
    credential.kind = ServiceKind::kPrometheus;
    credential.method = AuthMethod::kBasic;
    credential.fields.Set(CredentialField::kUsername, "reader");
    credential.fields.Set(CredentialField::kPassword, "correct horse");
    CredentialRecord record;
    record.id = credential_id_;
    record.owner_id = admin_->id();
    record.workspace_id = ws_;
    const WorkspaceKeys* workspaces[] = {keys1_.get()};
    Result<SealedCredential> sealed_credential =
        SealCredential(credential, record, NewDataKey(), workspaces);
    ASSERT_TRUE(sealed_credential.ok()) << sealed_credential.status().ToString();

    job_.job_id = NewObjectId();
    job_.connection = *sealed;
    job_.credential = *sealed_credential;
    job_.grants.push_back(
        *MakeGrant(*admin_, *keys1_, true, runner_->id(), runner_->box_public_key()));
    job_.granters[admin_->id()] = admin_->sign_public_key();
  }

  std::string ws_;
  std::string credential_id_;
  std::unique_ptr<Identity> admin_;
  std::unique_ptr<Identity> runner_;
  std::unique_ptr<WorkspaceKeys> keys1_;
  ConnectionView connection_view_;
  MonitorJob job_;
};

TEST_F(MonitorJobTest, OpensItsGrantTheConnectionAndTheCredential) {
  Result<ProbeJobSpec> spec = OpenMonitorJob(*runner_, job_);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->target.kind, ProbeKind::kPrometheus);
  EXPECT_EQ(spec->target.endpoint, "http://127.0.0.1:9090");
  EXPECT_EQ(spec->target.auth.kind, ProbeAuthKind::kBasic);
  EXPECT_EQ(spec->target.auth.username, "reader");
  EXPECT_EQ(spec->target.auth.password.chars(), "correct horse");
}

TEST_F(MonitorJobTest, AnAnonymousConnectionNeedsNoCredential) {
  job_.credential.reset();
  ConnectionView anonymous = connection_view_;
  anonymous.credential_id.clear();
  job_.connection = *SealConnection(anonymous, *keys1_);
  Result<ProbeJobSpec> spec = OpenMonitorJob(*runner_, job_);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->target.auth.kind, ProbeAuthKind::kNone);
}

TEST_F(MonitorJobTest, RefusesAGranterItDoesNotTrust) {
  job_.granters.clear();
  EXPECT_EQ(OpenMonitorJob(*runner_, job_).code(), ErrorCode::kUntrustedSigner);
  // The server names the admin but hands another key: the signature does not verify.
  job_.granters[admin_->id()] = Identity::Generate("other")->sign_public_key();
  EXPECT_EQ(OpenMonitorJob(*runner_, job_).code(), ErrorCode::kBadSignature);
}

TEST_F(MonitorJobTest, AnotherRunnerCannotOpenTheGrant) {
  const std::unique_ptr<Identity> impostor = Identity::Generate(runner_->id());
  const ErrorCode code = OpenMonitorJob(*impostor, job_).code();
  EXPECT_TRUE(code == ErrorCode::kDecryptFailed || code == ErrorCode::kWrongRecipient)
      << ErrorCodeName(code);
}

TEST_F(MonitorJobTest, AfterARotationWithoutItTheRunnerOpensNothing) {
  // The grant was revoked with a key rotation: the connection is re-sealed at generation 2
  // and the runner still holds (at most) its generation-1 grant.
  const WorkspaceKeys keys2 = WorkspaceKeys::Generate(ws_, 2);
  ConnectionView resealed = connection_view_;
  resealed.version = 2;
  job_.connection = *SealConnection(resealed, keys2);
  EXPECT_EQ(OpenMonitorJob(*runner_, job_).code(), ErrorCode::kNotFound);
  job_.grants.clear();
  EXPECT_EQ(OpenMonitorJob(*runner_, job_).code(), ErrorCode::kNotFound);
}

TEST_F(MonitorJobTest, ARecordSwappedByTheServerDoesNotOpen) {
  // A connection of another workspace under this workspace's id: the envelope's associated
  // data does not match, decryption fails.
  SealedConnection moved = job_.connection;
  moved.id = NewObjectId();
  job_.connection = moved;
  EXPECT_EQ(OpenMonitorJob(*runner_, job_).code(), ErrorCode::kDecryptFailed);
}

}  // namespace
}  // namespace credvault::runner
