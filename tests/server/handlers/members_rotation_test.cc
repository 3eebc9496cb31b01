// The server's check of a client-computed key rotation: complete, consistent, or refused.
#include "handlers/members_rotation.h"

#include <gtest/gtest.h>

#include <memory>

#include "credvault/crypto.h"
#include "credvault/crypto_json.h"
#include "credvault/identity.h"
#include "credvault/model_json.h"
#include "handlers/members_grants.h"

namespace credvault::server {
namespace {

using nlohmann::json;

struct Person {
  std::unique_ptr<Identity> identity;
  AccountRecord record;
};

Person MakePerson() {
  Person person;
  person.identity = Identity::Generate(NewObjectId());
  person.record.account_id = person.identity->id();
  person.record.box_public_key = person.identity->box_public_key();
  person.record.sign_public_key = person.identity->sign_public_key();
  return person;
}

MemberRow Member(const std::string& ws, const Person& person, Role role) {
  MemberRow row;
  row.workspace_id = ws;
  row.account_id = person.record.account_id;
  row.role = role;
  return row;
}

class RotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    ws_ = NewObjectId();
    owner_ = MakePerson();
    viewer_ = MakePerson();
    leaver_ = MakePerson();
    state_.workspace.id = ws_;
    state_.workspace.key_generation = 1;
    state_.removed = Member(ws_, leaver_, Role::kOperator);
    state_.remaining = {Member(ws_, owner_, Role::kOwner), Member(ws_, viewer_, Role::kViewer)};
    credential_id_ = NewObjectId();
    CredentialGrantRow grant;
    grant.credential_id = credential_id_;
    grant.grant.workspace_id = ws_;
    grant.grant.key_generation = 1;
    state_.credential_grants = {grant};
    SealedConnection connection;
    connection.id = NewObjectId();
    connection.workspace_id = ws_;
    connection.version = 4;
    connection.sealed_details = Seal(1);
    state_.connections = {connection};
    keys_ = std::make_unique<WorkspaceKeys>(WorkspaceKeys::Generate(ws_, 2));
  }

  Bytes Seal(uint32_t generation) {
    const SymmetricKey key = SymmetricKey::Generate(generation);
    return *SealEnvelope(key, {"connection", ws_, "x", 1}, AsBytes("details"));
  }

  json GrantTo(const Person& person, bool secrets, uint32_t generation = 2) {
    WorkspaceKeys keys = WorkspaceKeys::Generate(ws_, generation);
    return KeyGrantToJson(*MakeGrant(*owner_.identity, keys, secrets, person.record.account_id,
                                     person.record.box_public_key));
  }

  RotationBody CompleteBody() {
    RotationBody body;
    body.new_generation = 2;
    body.grants = {GrantTo(owner_, true), GrantTo(viewer_, false)};
    body.credential_keys = {{credential_id_, Seal(2), Seal(2)}};
    SealedConnection resealed = state_.connections[0];
    resealed.version = 5;
    resealed.sealed_details = Seal(2);
    resealed.managed = true;  // plaintext the client may not change here
    body.connections = {resealed};
    return body;
  }

  std::string ws_;
  Person owner_, viewer_, leaver_;
  RotationState state_;
  std::string credential_id_;
  std::unique_ptr<WorkspaceKeys> keys_;
};

TEST_F(RotationTest, CompleteRotationIsPlanned) {
  const Result<RotationPlan> plan = PlanRotation(CompleteBody(), state_, owner_.record, 99);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->new_generation, 2u);
  EXPECT_EQ(plan->grants.size(), 2u);
  ASSERT_EQ(plan->credential_grants.size(), 1u);
  EXPECT_EQ(plan->credential_grants[0].second.key_generation, 2u);
  ASSERT_EQ(plan->connections.size(), 1u);
  EXPECT_EQ(plan->connections[0].version, 5u);
  EXPECT_EQ(plan->connections[0].updated_at, 99);
  EXPECT_FALSE(plan->connections[0].managed);  // stored plaintext kept
  // An operator could open secrets: the credential must be rotated upstream.
  EXPECT_EQ(plan->rotate_recommended, std::vector<std::string>{credential_id_});
}

TEST_F(RotationTest, RemovingAViewerFlagsNothing) {
  state_.removed.role = Role::kViewer;
  const Result<RotationPlan> plan = PlanRotation(CompleteBody(), state_, owner_.record, 1);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->rotate_recommended.empty());
}

TEST_F(RotationTest, WrongGeneration) {
  RotationBody body = CompleteBody();
  body.new_generation = 3;
  EXPECT_EQ(PlanRotation(body, state_, owner_.record, 1).code(), ErrorCode::kValidation);
}

TEST_F(RotationTest, MissingExtraOrDuplicateGrants) {
  RotationBody missing = CompleteBody();
  missing.grants.pop_back();
  EXPECT_EQ(PlanRotation(missing, state_, owner_.record, 1).status().message(),
            "grants: no grant for the member " + viewer_.record.account_id);
  RotationBody to_leaver = CompleteBody();
  to_leaver.grants.push_back(GrantTo(leaver_, true));
  EXPECT_EQ(PlanRotation(to_leaver, state_, owner_.record, 1).code(), ErrorCode::kValidation);
  RotationBody twice = CompleteBody();
  twice.grants.push_back(GrantTo(viewer_, false));
  EXPECT_EQ(PlanRotation(twice, state_, owner_.record, 1).code(), ErrorCode::kValidation);
}

TEST_F(RotationTest, GrantsAreCheckedAgainstRolesGenerationsAndSigner) {
  RotationBody secrets_to_viewer = CompleteBody();
  secrets_to_viewer.grants[1] = GrantTo(viewer_, true);
  EXPECT_EQ(PlanRotation(secrets_to_viewer, state_, owner_.record, 1).code(),
            ErrorCode::kValidation);
  RotationBody old_generation = CompleteBody();
  old_generation.grants[1] = GrantTo(viewer_, false, 1);
  EXPECT_EQ(PlanRotation(old_generation, state_, owner_.record, 1).code(), ErrorCode::kValidation);
  RotationBody forged = CompleteBody();
  forged.grants[1]["signature"] = Base64UrlEncode(Bytes(64, 7));
  EXPECT_EQ(PlanRotation(forged, state_, owner_.record, 1).code(), ErrorCode::kBadSignature);
  // Signed by the owner, but the viewer is the one acting: not their signature.
  EXPECT_EQ(PlanRotation(CompleteBody(), state_, viewer_.record, 1).code(), ErrorCode::kValidation);
}

TEST_F(RotationTest, EveryCredentialKeyAtTheNewGeneration) {
  RotationBody missing = CompleteBody();
  missing.credential_keys.clear();
  EXPECT_EQ(PlanRotation(missing, state_, owner_.record, 1).code(), ErrorCode::kValidation);
  RotationBody stale = CompleteBody();
  stale.credential_keys[0].wrapped_data_key = Seal(1);
  EXPECT_EQ(PlanRotation(stale, state_, owner_.record, 1).code(), ErrorCode::kValidation);
  RotationBody foreign = CompleteBody();
  foreign.credential_keys.push_back({NewObjectId(), Seal(2), Seal(2)});
  EXPECT_EQ(PlanRotation(foreign, state_, owner_.record, 1).code(), ErrorCode::kValidation);
}

TEST_F(RotationTest, EveryConnectionResealedWithTheNextVersion) {
  RotationBody missing = CompleteBody();
  missing.connections.clear();
  EXPECT_EQ(PlanRotation(missing, state_, owner_.record, 1).code(), ErrorCode::kValidation);
  RotationBody same_version = CompleteBody();
  same_version.connections[0].version = 4;
  EXPECT_EQ(PlanRotation(same_version, state_, owner_.record, 1).code(), ErrorCode::kValidation);
  RotationBody old_key = CompleteBody();
  old_key.connections[0].sealed_details = Seal(1);
  EXPECT_EQ(PlanRotation(old_key, state_, owner_.record, 1).code(), ErrorCode::kValidation);
}

TEST(ReadRotationBodyTest, ShapeErrors) {
  ASSERT_TRUE(InitCrypto().ok());
  const json empty = {{"new_generation", 2},
                      {"grants", json::array()},
                      {"credential_keys", json::array()},
                      {"connections", json::array()}};
  EXPECT_TRUE(ReadRotationBody(empty).ok());
  json extra = empty;
  extra["reason"] = "x";
  EXPECT_EQ(ReadRotationBody(extra).code(), ErrorCode::kValidation);
  json wrong_type = empty;
  wrong_type["grants"] = json::object();
  EXPECT_EQ(ReadRotationBody(wrong_type).code(), ErrorCode::kValidation);
  json zero = empty;
  zero["new_generation"] = 0;
  EXPECT_EQ(ReadRotationBody(zero).code(), ErrorCode::kValidation);
  json bad_key = empty;
  bad_key["credential_keys"] = json::array(
      {json{{"credential_id", NewObjectId()}, {"wrapped_data_key", "AAAA"}, {"sealed_name", "A"}}});
  EXPECT_EQ(ReadRotationBody(bad_key).code(), ErrorCode::kMalformed);
  json bad_connection = empty;
  bad_connection["connections"] = json::array({json{{"id", 1}}});
  EXPECT_FALSE(ReadRotationBody(bad_connection).ok());
}

}  // namespace
}  // namespace credvault::server
