// The monitoring request bodies (intervals), the history JSON, and a key rotation that
// re-grants or drops a monitoring runner.
#include <gtest/gtest.h>

#include <memory>

#include "credvault/crypto.h"
#include "credvault/crypto_json.h"
#include "credvault/identity.h"
#include "handlers/members_grants.h"
#include "handlers/members_rotation.h"
#include "handlers/monitoring.h"

namespace credvault::server {
namespace {

using nlohmann::json;

TEST(MonitorInterval, ReadsMinutesAndNull) {
  auto read = ReadMonitorInterval(json{{"interval_minutes", 5}}, "interval_minutes", true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::optional<uint32_t>(5));
  read = ReadMonitorInterval(json{{"interval_minutes", 0}}, "interval_minutes", true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::optional<uint32_t>(0));
  read = ReadMonitorInterval(json{{"interval_minutes", nullptr}}, "interval_minutes", true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::nullopt);
  read = ReadMonitorInterval(json{{"interval_minutes", kMaxMonitorIntervalMinutes}},
                             "interval_minutes", true);
  ASSERT_TRUE(read.ok());
}

TEST(MonitorInterval, RefusesBadBodiesWithExactCodes) {
  const char* field = "default_interval_minutes";
  for (const json& body :
       {json{{field, -1}}, json{{field, 1.5}}, json{{field, "5"}}, json{{field, true}},
        json{{field, kMaxMonitorIntervalMinutes + 1}}, json{{field, nullptr}}, json::object(),
        json{{field, 5}, {"extra", 1}}}) {
    EXPECT_EQ(ReadMonitorInterval(body, field, false).code(), ErrorCode::kValidation)
        << body.dump();
  }
  EXPECT_EQ(ReadMonitorInterval(json{{field, kMaxMonitorIntervalMinutes + 1}}, field, false)
                .status()
                .message(),
            "default_interval_minutes: at most 10080 (a week); 0 turns monitoring off");
}

TEST(MonitorHistory, EntryJsonHasCodesTimesAndNullsForTheUnknown) {
  TestHistoryEntry entry;
  entry.connection_id = "c1";
  entry.at = 100;
  entry.tested_at = 99;
  entry.outcome = TestOutcome::kUnauthorized;
  entry.latency_ms = 7;
  entry.runner_id = "r1";
  entry.source = "monitor";
  entry.state_before = ConnectionState::kConnected;
  entry.state_after = ConnectionState::kDisconnected;
  entry.client_cert_not_after = 5000;
  const json j = HistoryEntryToJson(entry);
  EXPECT_EQ(j["outcome"], "unauthorized");
  EXPECT_EQ(j["state_before"], "connected");
  EXPECT_EQ(j["state_after"], "disconnected");
  EXPECT_EQ(j["client_cert_not_after"], 5000);
  EXPECT_TRUE(j["server_cert_not_after"].is_null());
  EXPECT_TRUE(j["token_expires_at"].is_null());
  EXPECT_TRUE(j["http_status"].is_null());
  EXPECT_EQ(j["source"], "monitor");
}

// ---- Key rotation with a granted runner --------------------------------------------------

class RunnerRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    ws_ = NewObjectId();
    owner_ = Identity::Generate(NewObjectId());
    owner_record_.account_id = owner_->id();
    owner_record_.box_public_key = owner_->box_public_key();
    owner_record_.sign_public_key = owner_->sign_public_key();
    runner_ = Identity::Generate(NewObjectId());
    state_.workspace.id = ws_;
    state_.workspace.key_generation = 1;
    state_.remaining = {MemberRow{ws_, owner_->id(), Role::kOwner, 1, 0}};
  }

  json GrantTo(const Identity& recipient, bool secrets) {
    const WorkspaceKeys keys = WorkspaceKeys::Generate(ws_, 2);
    return KeyGrantToJson(
        *MakeGrant(*owner_, keys, secrets, recipient.id(), recipient.box_public_key()));
  }

  RotationBody Body() {
    RotationBody body;
    body.new_generation = 2;
    body.grants = {GrantTo(*owner_, true)};
    return body;
  }

  std::string ws_;
  std::unique_ptr<Identity> owner_;
  AccountRecord owner_record_;
  std::unique_ptr<Identity> runner_;
  RotationState state_;
};

TEST_F(RunnerRotationTest, RevokingARunnerFlagsWhatItCouldOpen) {
  state_.removed = MemberRow{ws_, runner_->id(), kRunnerRole, 1, 0};
  CredentialGrantRow credential;
  credential.credential_id = NewObjectId();
  credential.grant.workspace_id = ws_;
  state_.credential_grants = {credential};
  RotationBody body = Body();
  const SymmetricKey key = SymmetricKey::Generate(2);
  const Bytes sealed = *SealEnvelope(key, {"x", ws_, "y", 1}, AsBytes("z"));
  body.credential_keys = {{credential.credential_id, sealed, sealed}};
  const Result<RotationPlan> plan = PlanRotation(body, state_, owner_record_, 1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->rotate_recommended, std::vector<std::string>{credential.credential_id});
  // The revoked runner itself is not re-granted.
  RotationBody regrant = Body();
  regrant.grants.push_back(GrantTo(*runner_, true));
  regrant.credential_keys = body.credential_keys;
  EXPECT_EQ(PlanRotation(regrant, state_, owner_record_, 1).status().message(),
            "grants[1]: recipient is not a remaining member or granted runner");
}

TEST_F(RunnerRotationTest, AnotherGrantedRunnerMayBeReGranted) {
  state_.removed = MemberRow{ws_, NewObjectId(), Role::kViewer, 1, 0};
  state_.granted_runners = {runner_->id()};
  // Optional: a rotation without the runner is complete.
  ASSERT_TRUE(PlanRotation(Body(), state_, owner_record_, 1).ok());
  RotationBody body = Body();
  body.grants.push_back(GrantTo(*runner_, true));
  const Result<RotationPlan> plan = PlanRotation(body, state_, owner_record_, 1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->grants.size(), 2u);
  EXPECT_EQ(plan->grants[1].recipient_id, runner_->id());
  // A runner's grant carries the secrets key, as an operator's does.
  RotationBody metadata_only = Body();
  metadata_only.grants.push_back(GrantTo(*runner_, false));
  EXPECT_EQ(PlanRotation(metadata_only, state_, owner_record_, 1).code(), ErrorCode::kValidation);
}

}  // namespace
}  // namespace credvault::server
