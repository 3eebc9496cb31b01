// Credential rules of the REST API: parsing, new credentials, updates, grants, revocation
// and the in-use answer. Envelopes are real ones sealed by the core.
#include "handlers/credentials_rules.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "credvault/crypto.h"
#include "credvault/model_json.h"
#include "credvault/workspace_keys.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// The core's crypto (ids, keys, envelopes) needs libsodium initialised.
class CredentialsRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

constexpr int64_t kNow = 1'800'000'000;

struct Fixture {
  std::string home = NewObjectId();
  std::string other = NewObjectId();
  std::string owner = NewObjectId();
  WorkspaceKeys home_keys = WorkspaceKeys::Generate(home, 1);
  WorkspaceKeys other_keys = WorkspaceKeys::Generate(other, 3);
  SymmetricKey data_key = NewDataKey();

  SealedCredential Seal(uint64_t version = 1, const std::string& id = "") {
    CredentialView view;
    view.name = "prod token";
    view.kind = ServiceKind::kHttp;
    view.method = AuthMethod::kBearerToken;
    view.fields.Set(CredentialField::kToken, "s3cr3t");
    CredentialRecord record;
    record.id = id.empty() ? credential_id : id;
    record.owner_id = owner;
    record.workspace_id = home;
    record.version = version;
    const std::array<const WorkspaceKeys*, 1> keys = {&home_keys};
    Result<SealedCredential> sealed = SealCredential(view, record, data_key, keys);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return std::move(sealed).value();
  }
  CredentialGrant GrantToOther(const SealedCredential& sealed) {
    Result<CredentialGrant> grant = GrantCredential(sealed, "prod token", data_key, other_keys);
    EXPECT_TRUE(grant.ok()) << grant.status().ToString();
    return std::move(grant).value();
  }
  std::string credential_id = NewObjectId();
};

json GrantJson(const CredentialGrant& grant) {
  return {{"workspace_id", grant.workspace_id},
          {"key_generation", grant.key_generation},
          {"wrapped_data_key", Base64UrlEncode(grant.wrapped_data_key)},
          {"sealed_name", Base64UrlEncode(grant.sealed_name)}};
}

TEST_F(CredentialsRulesTest, ParsesWhatTheCoreWrites) {
  Fixture f;
  const SealedCredential sealed = f.Seal();
  Result<SealedCredential> parsed = ParseCredentialBody(SealedCredentialToJson(sealed));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->id, sealed.id);
  EXPECT_EQ(parsed->grants.size(), 1u);
}

TEST_F(CredentialsRulesTest, RefusesUnknownFieldsByPath) {
  Fixture f;
  json body = SealedCredentialToJson(f.Seal());
  body["colour"] = "blue";
  Result<SealedCredential> parsed = ParseCredentialBody(body);
  EXPECT_EQ(parsed.code(), ErrorCode::kValidation);
  EXPECT_EQ(parsed.status().message(), "colour: unknown field");

  body.erase("colour");
  body["grants"][0]["extra"] = 1;
  parsed = ParseCredentialBody(body);
  EXPECT_EQ(parsed.code(), ErrorCode::kValidation);
  EXPECT_EQ(parsed.status().message(), "grants[0].extra: unknown field");
}

TEST_F(CredentialsRulesTest, RefusesBadIdsAndEnvelopes) {
  Fixture f;
  const json good = SealedCredentialToJson(f.Seal());
  json body = good;
  body["id"] = "../etc";
  EXPECT_EQ(ParseCredentialBody(body).status().message(), "id: not an object id");
  body = good;
  body["owner_id"] = "x";
  EXPECT_EQ(ParseCredentialBody(body).status().message(), "owner_id: not an object id");
  body = good;
  body["grants"][0]["workspace_id"] = "nope";
  EXPECT_EQ(ParseCredentialBody(body).code(), ErrorCode::kValidation);
  body = good;
  body["sealed_secret"] = "AAAA";
  EXPECT_NE(ParseCredentialBody(body).code(), ErrorCode::kOk);
  body = good;
  body["version"] = "1";
  EXPECT_EQ(ParseCredentialBody(body).code(), ErrorCode::kValidation);
  body = good;
  body.erase("kind");
  EXPECT_EQ(ParseCredentialBody(body).code(), ErrorCode::kValidation);
}

TEST_F(CredentialsRulesTest, RefusesGrantWhoseEnvelopesClaimAnotherGeneration) {
  Fixture f;
  json body = SealedCredentialToJson(f.Seal());
  body["grants"][0]["key_generation"] = 2;
  Result<SealedCredential> parsed = ParseCredentialBody(body);
  EXPECT_EQ(parsed.code(), ErrorCode::kValidation);
  EXPECT_NE(parsed.status().message().find("grants[0].wrapped_data_key"), std::string::npos);
}

TEST_F(CredentialsRulesTest, RefusesTwoGrantsForOneWorkspace) {
  Fixture f;
  json body = SealedCredentialToJson(f.Seal());
  body["grants"].push_back(body["grants"][0]);
  EXPECT_EQ(ParseCredentialBody(body).status().message(),
            "grants[1].workspace_id: a second grant for the same workspace");
}

TEST_F(CredentialsRulesTest, NewCredentialTakesServerTimesAndClearsTheFlag) {
  Fixture f;
  SealedCredential sealed = f.Seal();
  sealed.created_at = 5;
  sealed.rotate_recommended = true;
  Result<SealedCredential> row = CheckNewCredential(sealed, f.home, f.owner, 1, kNow);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->created_at, kNow);
  EXPECT_EQ(row->updated_at, kNow);
  EXPECT_FALSE(row->rotate_recommended);
}

TEST_F(CredentialsRulesTest, NewCredentialRefusals) {
  Fixture f;
  const SealedCredential sealed = f.Seal();
  EXPECT_EQ(CheckNewCredential(sealed, f.other, f.owner, 1, kNow).status().message(),
            "workspace_id: must be the workspace of the request");
  EXPECT_EQ(CheckNewCredential(sealed, f.home, NewObjectId(), 1, kNow).status().message(),
            "owner_id: must be the caller's account");
  EXPECT_EQ(CheckNewCredential(sealed, f.home, f.owner, 2, kNow).code(), ErrorCode::kValidation);
  SealedCredential two = f.Seal(2);
  EXPECT_EQ(CheckNewCredential(two, f.home, f.owner, 1, kNow).status().message(),
            "version: a new credential has version 1");
  SealedCredential shared = sealed;
  shared.grants.push_back(f.GrantToOther(sealed));
  EXPECT_EQ(CheckNewCredential(shared, f.home, f.owner, 1, kNow).code(), ErrorCode::kValidation);
}

TEST_F(CredentialsRulesTest, UpdateNeedsEveryGrantAtTheCurrentGeneration) {
  Fixture f;
  SealedCredential current = f.Seal(1);
  current.created_at = 7;
  current.grants.push_back(f.GrantToOther(current));
  const GenerationOf generations = [&](std::string_view ws) -> std::optional<uint32_t> {
    if (ws == f.home) return 1;
    if (ws == f.other) return 3;
    return std::nullopt;
  };

  SealedCredential next = f.Seal(2);  // only the home grant
  Result<SealedCredential> row = CheckCredentialUpdate(next, current, generations, false, kNow);
  EXPECT_EQ(row.code(), ErrorCode::kConflict);
  EXPECT_NE(row.status().message().find(f.other), std::string::npos);

  next.grants.push_back(f.GrantToOther(next));
  row = CheckCredentialUpdate(next, current, generations, false, kNow);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->created_at, 7);
  EXPECT_EQ(row->updated_at, kNow);

  const GenerationOf rotated = [&](std::string_view ws) -> std::optional<uint32_t> {
    return ws == f.other ? 4 : 1;
  };
  EXPECT_EQ(CheckCredentialUpdate(next, current, rotated, false, kNow).code(),
            ErrorCode::kConflict);
}

TEST_F(CredentialsRulesTest, UpdateKeepsOrSetsTheRotateFlag) {
  Fixture f;
  SealedCredential current = f.Seal(1);
  current.rotate_recommended = true;
  const GenerationOf generations = [](std::string_view) { return std::optional<uint32_t>(1); };
  SealedCredential next = f.Seal(2);
  next.rotate_recommended = false;
  EXPECT_TRUE(CheckCredentialUpdate(next, current, generations, false, kNow)->rotate_recommended);
  EXPECT_FALSE(CheckCredentialUpdate(next, current, generations, true, kNow)->rotate_recommended);
}

TEST_F(CredentialsRulesTest, UpdateRefusesIdentityChanges) {
  Fixture f;
  const SealedCredential current = f.Seal(1);
  const GenerationOf generations = [](std::string_view) { return std::optional<uint32_t>(1); };
  SealedCredential next = f.Seal(2);
  next.kind = ServiceKind::kGrafana;
  EXPECT_EQ(CheckCredentialUpdate(next, current, generations, false, kNow).status().message(),
            "kind: cannot change; create a new one");
  next = f.Seal(2);
  next.owner_id = NewObjectId();
  EXPECT_EQ(CheckCredentialUpdate(next, current, generations, false, kNow).code(),
            ErrorCode::kValidation);
  next = f.Seal(2, NewObjectId());
  EXPECT_EQ(CheckCredentialUpdate(next, current, generations, false, kNow).status().message(),
            "id: must be the id in the path");
  next = f.Seal(2);
  next.grants.push_back(f.GrantToOther(next));
  EXPECT_EQ(CheckCredentialUpdate(next, current, generations, false, kNow).code(),
            ErrorCode::kValidation);
}

TEST_F(CredentialsRulesTest, GrantBody) {
  Fixture f;
  const SealedCredential sealed = f.Seal();
  const CredentialGrant grant = f.GrantToOther(sealed);
  Result<CredentialGrant> parsed = ParseGrantBody(GrantJson(grant));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->workspace_id, f.other);
  EXPECT_EQ(parsed->key_generation, 3u);

  json body = GrantJson(grant);
  body["extra"] = true;
  EXPECT_EQ(ParseGrantBody(body).status().message(), "extra: unknown field");
  body = GrantJson(grant);
  body.erase("sealed_name");
  EXPECT_EQ(ParseGrantBody(body).status().message(), "sealed_name: missing");
  body = GrantJson(grant);
  body["key_generation"] = 2;
  EXPECT_EQ(ParseGrantBody(body).code(), ErrorCode::kValidation);
  body = GrantJson(grant);
  body["key_generation"] = -1;
  EXPECT_EQ(ParseGrantBody(body).code(), ErrorCode::kValidation);
  body = GrantJson(grant);
  body["wrapped_data_key"] = "AQ";
  EXPECT_EQ(ParseGrantBody(body).code(), ErrorCode::kMalformed);
  body = GrantJson(grant);
  body["workspace_id"] = "ws";
  EXPECT_EQ(ParseGrantBody(body).status().message(), "workspace_id: not an object id");
}

TEST_F(CredentialsRulesTest, GrantBodyNamesAreTheCoresGrantFields) {
  SealedCredential shell;
  shell.grants.emplace_back();
  const json canonical = SealedCredentialToJson(shell)["grants"][0];
  json body = canonical;
  for (auto& item : body.items()) item.value() = nullptr;
  // Every field of the core's grant is required by the grant body, and nothing else is.
  for (const auto& item : canonical.items()) {
    json missing = body;
    missing.erase(item.key());
    EXPECT_EQ(ParseGrantBody(missing).status().message(), item.key() + ": missing");
  }
}

TEST_F(CredentialsRulesTest, NewGrantAndRevocation) {
  Fixture f;
  SealedCredential sealed = f.Seal();
  const CredentialGrant grant = f.GrantToOther(sealed);
  EXPECT_TRUE(CheckNewGrant(sealed, grant, 3).ok());
  EXPECT_EQ(CheckNewGrant(sealed, grant, 4).code(), ErrorCode::kConflict);
  EXPECT_EQ(CheckNewGrant(sealed, sealed.grants[0], 1).code(), ErrorCode::kConflict);

  EXPECT_EQ(CheckRevokeGrant(sealed, f.home, f.other).code(), ErrorCode::kNotFound);
  sealed.grants.push_back(grant);
  EXPECT_TRUE(CheckRevokeGrant(sealed, f.home, f.other).ok());
  EXPECT_TRUE(CheckRevokeGrant(sealed, f.other, f.other).ok());
  EXPECT_EQ(CheckRevokeGrant(sealed, f.home, f.home).code(), ErrorCode::kConflict);
  EXPECT_EQ(CheckRevokeGrant(sealed, f.other, f.home).code(), ErrorCode::kConflict);
  const std::string third = NewObjectId();
  sealed.grants.push_back(CredentialGrant{third, 1, {}, {}});
  EXPECT_EQ(CheckRevokeGrant(sealed, f.other, third).code(), ErrorCode::kPermissionDenied);
}

TEST_F(CredentialsRulesTest, SharedWorkspaceSeesOnlyItsOwnGrant) {
  Fixture f;
  SealedCredential sealed = f.Seal();
  sealed.grants.push_back(f.GrantToOther(sealed));
  EXPECT_EQ(CredentialJsonFor(sealed, f.home)["grants"].size(), 2u);
  const json there = CredentialJsonFor(sealed, f.other);
  ASSERT_EQ(there["grants"].size(), 1u);
  EXPECT_EQ(there["grants"][0]["workspace_id"], f.other);
  EXPECT_TRUE(CheckManagedHere(sealed, f.home).ok());
  EXPECT_EQ(CheckManagedHere(sealed, f.other).code(), ErrorCode::kPermissionDenied);
}

TEST_F(CredentialsRulesTest, BlockersListVisibleConnectionsAndCountTheRest) {
  const std::string credential = NewObjectId();
  const std::string mine = NewObjectId();
  const std::string theirs = NewObjectId();
  std::vector<SealedConnection> connections(4);
  for (SealedConnection& c : connections) {
    c.id = NewObjectId();
    c.credential_id = credential;
    c.workspace_id = mine;
    c.kind = ServiceKind::kPrometheus;
    c.state = ConnectionState::kRegistered;
  }
  connections[1].state = ConnectionState::kDeleted;  // does not count
  connections[2].workspace_id = theirs;
  connections[3].credential_id = NewObjectId();  // another credential

  const CredentialBlockers blockers =
      FindBlockers(credential, connections, [&](std::string_view ws) { return ws == mine; });
  ASSERT_EQ(blockers.listed.size(), 1u);
  EXPECT_EQ(blockers.listed[0].id, connections[0].id);
  EXPECT_EQ(blockers.hidden, 1u);

  const Status status = BlockersStatus(blockers);
  EXPECT_EQ(status.code(), ErrorCode::kConflict);
  EXPECT_NE(status.message().find(connections[0].id), std::string::npos);
  EXPECT_EQ(status.message().find(connections[2].id), std::string::npos);

  const HttpResponse response = InUseResponse(status, blockers);
  EXPECT_EQ(response.status, 409);
  const json body = json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "conflict");
  ASSERT_EQ(body["error"]["connections"].size(), 1u);
  EXPECT_EQ(body["error"]["connections"][0]["id"], connections[0].id);
  EXPECT_EQ(body["error"]["connections"][0]["kind"], "prometheus");
  EXPECT_EQ(body["error"]["hidden_connections"], 1);

  CredentialBlockers only_hidden;
  only_hidden.hidden = 2;
  EXPECT_EQ(BlockersStatus(only_hidden).code(), ErrorCode::kConflict);
  EXPECT_TRUE(BlockersStatus(CredentialBlockers{}).ok());
}

}  // namespace
}  // namespace credvault::server
