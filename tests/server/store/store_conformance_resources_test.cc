// Store conformance suite, part 2: workspaces, members, key grants, credentials, connections,
// environments, runners, audit events, and cursor pagination. Instantiated for every engine
// in store_conformance_test.cc.
#include <set>
#include <string>
#include <vector>

#include "store_test_fixture.h"

namespace credvault::server::testing {
namespace {

template <typename T>
Result<T> Get(Store& store, const std::function<Result<T>(ReadTx&)>& fn) {
  return ReadResult<T>(store, fn);
}

// ---- Workspaces and members ---------------------------------------------------------------

TEST_P(StoreConformance, WorkspaceInsertGetUpdate) {
  SeedOwner("a1", "w1");
  auto got = Get<WorkspaceRow>(*store_, [](ReadTx& tx) { return tx.GetWorkspace("w1"); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Workspace w1");
  EXPECT_EQ(got->key_generation, 1u);
  EXPECT_EQ(got->version, 1u);
  EXPECT_EQ(got->created_by, "a1");
  EXPECT_EQ(got->created_at, 2000);

  WorkspaceRow renamed = *got;
  renamed.name = "Platform";
  renamed.key_generation = 2;
  renamed.updated_at = 2500;
  auto v2 =
      TransactResult<uint64_t>(*store_, [&](Tx& tx) { return tx.UpdateWorkspace(renamed, 1); });
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2u);
  got = Get<WorkspaceRow>(*store_, [](ReadTx& tx) { return tx.GetWorkspace("w1"); });
  EXPECT_EQ(got->name, "Platform");
  EXPECT_EQ(got->key_generation, 2u);
  EXPECT_EQ(got->updated_at, 2500);
  EXPECT_EQ(got->created_at, 2000);

  Status stale = Write([&](Tx& tx) { return tx.UpdateWorkspace(renamed, 1).status(); });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  EXPECT_EQ(CurrentVersionOf(stale), 2u);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertWorkspace(MakeWorkspace("w1", "a1")); }),
                 ErrorCode::kConflict);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.UpdateWorkspace(MakeWorkspace("ghost", "a1"), 1).status(); }),
      ErrorCode::kNotFound);
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetWorkspace("ghost").status(); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, WorkspaceDeleteRemovesEverythingOfIt) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(MakeKeyGrant("w1", "a1", 1, true)));
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e1", "w1", "prod")));
    SealedConnection connection = MakeConnection("k1", "w1");
    connection.environment_ids = {"e1"};
    CV_RETURN_IF_ERROR(tx.InsertConnection(connection));
    CV_RETURN_IF_ERROR(tx.InsertRunner(RunnerRow{"r1", "w1", "runner", B("b"), B("s"), 1}));
    CV_RETURN_IF_ERROR(tx.AppendAudit(AuditEvent{"ev1", "w1", 1, "a1", "x", "y", "z"}));
    // c-only lives only in w1; c-shared is also granted to w2.
    CV_RETURN_IF_ERROR(tx.InsertCredential(MakeCredential("c-only", "w1")));
    SealedCredential shared = MakeCredential("c-shared", "w1");
    shared.grants.push_back(MakeCredentialGrant("w2"));
    return tx.InsertCredential(shared);
  }));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteWorkspace("w1"); }));
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    EXPECT_EQ(tx.GetWorkspace("w1").code(), ErrorCode::kNotFound);
    EXPECT_EQ(tx.GetMember("w1", "a1").code(), ErrorCode::kNotFound);
    EXPECT_TRUE(tx.ListKeyGrants("w1", "a1")->empty());
    EXPECT_EQ(tx.GetConnection("w1", "k1").code(), ErrorCode::kNotFound);
    EXPECT_EQ(tx.GetEnvironment("w1", "e1").code(), ErrorCode::kNotFound);
    EXPECT_EQ(tx.GetRunner("w1", "r1").code(), ErrorCode::kNotFound);
    EXPECT_TRUE(tx.ListAudit("w1", {})->items.empty());
    EXPECT_TRUE(tx.ListConnectionsUsingCredential("c-only")->empty());
    // The shared credential survives in w2 with only its w2 grant.
    auto shared = tx.GetCredential("w2", "c-shared");
    EXPECT_TRUE(shared.ok());
    if (shared.ok()) {
      EXPECT_EQ(shared->grants.size(), 1u);
      if (!shared->grants.empty()) {
        EXPECT_EQ(shared->grants[0].workspace_id, "w2");
      }
    }
    EXPECT_TRUE(tx.GetWorkspace("w2").ok());
    return Status::Ok();
  }));
  // c-only is gone entirely: its id is free again.
  CV_EXPECT_OK(Write([](Tx& tx) { return tx.InsertCredential(MakeCredential("c-only", "w2")); }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteWorkspace("w1"); }), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, MembersRulesAndDetails) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a2", "b@x.org")));
    return tx.InsertMember(MakeMember("w1", "a2", Role::kOperator));
  }));
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.InsertMember(MakeMember("w1", "a2", Role::kAdmin)); }),
      ErrorCode::kConflict);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.InsertMember(MakeMember("ghost", "a2", Role::kAdmin)); }),
      ErrorCode::kNotFound);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.InsertMember(MakeMember("w1", "ghost", Role::kAdmin)); }),
      ErrorCode::kNotFound);

  auto members =
      Get<Page<MemberDetail>>(*store_, [](ReadTx& tx) { return tx.ListMembers("w1", {}); });
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->items.size(), 2u);
  EXPECT_EQ(members->items[0].member.account_id, "a1");
  EXPECT_EQ(members->items[0].member.role, Role::kOwner);
  EXPECT_EQ(members->items[1].email, "b@x.org");
  EXPECT_EQ(members->items[1].box_public_key, B("box-a2"));
  EXPECT_EQ(members->items[1].sign_public_key, B("sign-a2"));
  EXPECT_EQ(members->items[1].member.role, Role::kOperator);
  EXPECT_EQ(members->items[1].member.added_at, 3000);
  EXPECT_TRUE(members->next_cursor.empty());

  auto all =
      Get<std::vector<MemberRow>>(*store_, [](ReadTx& tx) { return tx.ListAllMembers("w1"); });
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);

  MemberRow promoted = MakeMember("w1", "a2", Role::kAdmin);
  auto v2 = TransactResult<uint64_t>(*store_, [&](Tx& tx) { return tx.UpdateMember(promoted, 1); });
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2u);
  auto member = Get<MemberRow>(*store_, [](ReadTx& tx) { return tx.GetMember("w1", "a2"); });
  EXPECT_EQ(member->role, Role::kAdmin);
  EXPECT_EQ(member->version, 2u);
  Status stale = Write([&](Tx& tx) { return tx.UpdateMember(promoted, 1).status(); });
  EXPECT_EQ(CurrentVersionOf(stale), 2u);

  // Removing a member removes their key grants (every generation), not others'.
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(MakeKeyGrant("w1", "a2", 1, true)));
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(MakeKeyGrant("w1", "a2", 2, true)));
    return tx.PutKeyGrant(MakeKeyGrant("w1", "a1", 1, true));
  }));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteMember("w1", "a2"); }));
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    EXPECT_EQ(tx.GetMember("w1", "a2").code(), ErrorCode::kNotFound);
    EXPECT_TRUE(tx.ListKeyGrants("w1", "a2")->empty());
    EXPECT_EQ(tx.ListKeyGrants("w1", "a1")->size(), 1u);
    return Status::Ok();
  }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteMember("w1", "a2"); }), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, WorkspacesOfAnAccountCarryTheMembership) {
  SeedOwner("a1", "w1");
  SeedOwner("a2", "w2");
  CV_ASSERT_OK(
      Write([](Tx& tx) { return tx.InsertMember(MakeMember("w2", "a1", Role::kViewer)); }));
  auto page =
      Get<Page<Membership>>(*store_, [](ReadTx& tx) { return tx.ListWorkspacesOf("a1", {}); });
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].workspace.id, "w1");
  EXPECT_EQ(page->items[0].member.role, Role::kOwner);
  EXPECT_EQ(page->items[1].workspace.id, "w2");
  EXPECT_EQ(page->items[1].workspace.name, "Workspace w2");
  EXPECT_EQ(page->items[1].member.role, Role::kViewer);
  auto none =
      Get<Page<Membership>>(*store_, [](ReadTx& tx) { return tx.ListWorkspacesOf("zz", {}); });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
}

TEST_P(StoreConformance, KeyGrantsArePutPerGeneration) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(MakeKeyGrant("w1", "a1", 2, false)));
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(MakeKeyGrant("w1", "a1", 1, false)));
    KeyGrant replaced = MakeKeyGrant("w1", "a1", 2, true);
    replaced.sealed = B("with secrets");
    return tx.PutKeyGrant(replaced);
  }));
  auto grants =
      Get<std::vector<KeyGrant>>(*store_, [](ReadTx& tx) { return tx.ListKeyGrants("w1", "a1"); });
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->size(), 2u);
  EXPECT_EQ((*grants)[0].generation, 1u);
  EXPECT_FALSE((*grants)[0].includes_secrets);
  EXPECT_EQ((*grants)[1].generation, 2u);
  EXPECT_TRUE((*grants)[1].includes_secrets);
  EXPECT_EQ((*grants)[1].sealed, B("with secrets"));
  EXPECT_EQ((*grants)[1].signature, B("sig"));
  EXPECT_EQ((*grants)[1].granter_id, "granter");
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.PutKeyGrant(MakeKeyGrant("ghost", "a1", 1, true)); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.PutKeyGrant(MakeKeyGrant("w1", "a1", 0, true)); }),
                 ErrorCode::kInvalidArgument);
  auto deleted =
      TransactResult<uint64_t>(*store_, [](Tx& tx) { return tx.DeleteKeyGrants("w1", "a1"); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2u);
}

// ---- Credentials --------------------------------------------------------------------------

TEST_P(StoreConformance, CredentialVisibleOnlyWhereGranted) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  SeedOwner("a1", "w3");
  SealedCredential credential = MakeCredential("c1", "w1", ServiceKind::kGrafana);
  credential.method = AuthMethod::kApiKey;
  credential.grants.push_back(MakeCredentialGrant("w2", 3));
  CV_ASSERT_OK(Write([&](Tx& tx) { return tx.InsertCredential(credential); }));

  auto got =
      Get<SealedCredential>(*store_, [](ReadTx& tx) { return tx.GetCredential("w2", "c1"); });
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, "c1");
  EXPECT_EQ(got->owner_id, "owner");
  EXPECT_EQ(got->workspace_id, "w1");
  EXPECT_EQ(got->kind, ServiceKind::kGrafana);
  EXPECT_EQ(got->method, AuthMethod::kApiKey);
  EXPECT_EQ(got->version, 1u);
  EXPECT_EQ(got->sealed_secret, B("secret-c1"));
  EXPECT_FALSE(got->rotate_recommended);
  ASSERT_EQ(got->grants.size(), 2u);
  ASSERT_NE(got->FindGrant("w2"), nullptr);
  EXPECT_EQ(got->FindGrant("w2")->key_generation, 3u);
  EXPECT_EQ(got->FindGrant("w2")->wrapped_data_key, B("wrapped-w2"));
  EXPECT_EQ(got->FindGrant("w2")->sealed_name, B("name-w2"));
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetCredential("w3", "c1").status(); }),
                 ErrorCode::kNotFound);
  auto listed = Get<Page<SealedCredential>>(
      *store_, [](ReadTx& tx) { return tx.ListCredentials("w3", {}, {}); });
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->items.empty());

  // Grant to w3, then revoke from w2.
  CV_ASSERT_OK(
      Write([](Tx& tx) { return tx.PutCredentialGrant("c1", MakeCredentialGrant("w3")); }));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteCredentialGrant("c1", "w2"); }));
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) { return tx.GetCredential("w3", "c1").status(); }));
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetCredential("w2", "c1").status(); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteCredentialGrant("c1", "w2"); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.PutCredentialGrant("c1", MakeCredentialGrant("ghost")); }),
      ErrorCode::kNotFound);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.PutCredentialGrant("ghost", MakeCredentialGrant("w1")); }),
      ErrorCode::kNotFound);
  // Granting does not touch the version (it is bound into the sealed secret).
  got = Get<SealedCredential>(*store_, [](ReadTx& tx) { return tx.GetCredential("w1", "c1"); });
  EXPECT_EQ(got->version, 1u);
}

TEST_P(StoreConformance, CredentialRulesOnInsert) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertCredential(MakeCredential("c1", "w1")); }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertCredential(MakeCredential("c1", "w1")); }),
                 ErrorCode::kConflict);
  SealedCredential twice = MakeCredential("c2", "w1");
  twice.grants.push_back(MakeCredentialGrant("w1"));
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertCredential(twice); }),
                 ErrorCode::kInvalidArgument);
  SealedCredential elsewhere = MakeCredential("c3", "w1");
  elsewhere.grants.push_back(MakeCredentialGrant("ghost"));
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertCredential(elsewhere); }),
                 ErrorCode::kNotFound);
  // Nothing of the refused credential was written.
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetCredential("w1", "c3").status(); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, CredentialUpdateIsVersionedAndSealedForTheNextVersion) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  SealedCredential credential = MakeCredential("c1", "w1");
  credential.grants.push_back(MakeCredentialGrant("w2"));
  CV_ASSERT_OK(Write([&](Tx& tx) { return tx.InsertCredential(credential); }));

  SealedCredential next = MakeCredential("c1", "w1", ServiceKind::kHttp);
  next.method = AuthMethod::kBasic;
  next.version = 2;
  next.sealed_secret = B("rotated");
  next.updated_at = 4500;
  next.grants = {CredentialGrant{"w1", 1, B("rewrapped-w1"), B("renamed-w1")}};
  // Sealed for the wrong version: refused before anything is written.
  SealedCredential wrong = next;
  wrong.version = 5;
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.UpdateCredential(wrong, 1).status(); }),
                 ErrorCode::kInvalidArgument);

  auto v2 = TransactResult<uint64_t>(*store_, [&](Tx& tx) { return tx.UpdateCredential(next, 1); });
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, 2u);
  auto got =
      Get<SealedCredential>(*store_, [](ReadTx& tx) { return tx.GetCredential("w1", "c1"); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2u);
  EXPECT_EQ(got->kind, ServiceKind::kHttp);
  EXPECT_EQ(got->method, AuthMethod::kBasic);
  EXPECT_EQ(got->sealed_secret, B("rotated"));
  EXPECT_EQ(got->updated_at, 4500);
  EXPECT_EQ(got->created_at, 4000);
  ASSERT_EQ(got->grants.size(), 2u);  // the w2 grant was not listed, so it stays
  EXPECT_EQ(got->FindGrant("w1")->wrapped_data_key, B("rewrapped-w1"));
  EXPECT_EQ(got->FindGrant("w2")->wrapped_data_key, B("wrapped-w2"));

  Status stale = Write([&](Tx& tx) { return tx.UpdateCredential(next, 1).status(); });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  EXPECT_EQ(CurrentVersionOf(stale), 2u);
  SealedCredential ghost = next;
  ghost.id = "ghost";
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.UpdateCredential(ghost, 1).status(); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, CredentialRotateFlagAndDelete) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertCredential(MakeCredential("c1", "w1")); }));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.SetRotateRecommended("c1", true); }));
  auto got =
      Get<SealedCredential>(*store_, [](ReadTx& tx) { return tx.GetCredential("w1", "c1"); });
  EXPECT_TRUE(got->rotate_recommended);
  EXPECT_EQ(got->version, 1u);
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.SetRotateRecommended("c1", false); }));
  got = Get<SealedCredential>(*store_, [](ReadTx& tx) { return tx.GetCredential("w1", "c1"); });
  EXPECT_FALSE(got->rotate_recommended);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.SetRotateRecommended("ghost", true); }),
                 ErrorCode::kNotFound);
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteCredential("c1"); }));
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetCredential("w1", "c1").status(); }),
                 ErrorCode::kNotFound);
  auto grants = Get<std::vector<CredentialGrantRow>>(
      *store_, [](ReadTx& tx) { return tx.ListCredentialGrantsIn("w1"); });
  EXPECT_TRUE(grants->empty());
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteCredential("c1"); }), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, CredentialListFiltersByKindAndListsGrants) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(
        tx.InsertCredential(MakeCredential("k8s-1", "w1", ServiceKind::kKubernetes)));
    CV_RETURN_IF_ERROR(tx.InsertCredential(MakeCredential("gh-1", "w1", ServiceKind::kGitHub)));
    return tx.InsertCredential(MakeCredential("k8s-2", "w1", ServiceKind::kKubernetes));
  }));
  auto k8s = Get<Page<SealedCredential>>(*store_, [](ReadTx& tx) {
    return tx.ListCredentials("w1", CredentialFilter{ServiceKind::kKubernetes}, {});
  });
  ASSERT_TRUE(k8s.ok());
  ASSERT_EQ(k8s->items.size(), 2u);
  EXPECT_EQ(k8s->items[0].id, "k8s-1");
  EXPECT_EQ(k8s->items[1].id, "k8s-2");
  EXPECT_EQ(k8s->items[1].grants.size(), 1u);
  auto all = Get<Page<SealedCredential>>(
      *store_, [](ReadTx& tx) { return tx.ListCredentials("w1", {}, {}); });
  EXPECT_EQ(all->items.size(), 3u);
  auto grants = Get<std::vector<CredentialGrantRow>>(
      *store_, [](ReadTx& tx) { return tx.ListCredentialGrantsIn("w1"); });
  ASSERT_EQ(grants->size(), 3u);
  EXPECT_EQ((*grants)[1].credential_id, "gh-1");
  EXPECT_EQ((*grants)[1].grant.workspace_id, "w1");
}

// ---- Connections and environments ---------------------------------------------------------

TEST_P(StoreConformance, ConnectionRoundTripsEveryField) {
  SeedOwner("a1", "w1");
  SealedConnection connection =
      MakeConnection("k1", "w1", ServiceKind::kPrometheus, ConnectionState::kConnected);
  connection.credential_id = "c1";
  connection.managed = true;
  connection.insecure_skip_verify = true;
  connection.environment_ids = {"e2", "e1"};  // order is kept
  connection.last_test = LastTest{TestOutcome::kTlsUntrusted, 77, 123, 0, "runner-1"};
  CV_ASSERT_OK(Write([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e1", "w1", "prod")));
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e2", "w1", "staging")));
    return tx.InsertConnection(connection);
  }));
  auto got =
      Get<SealedConnection>(*store_, [](ReadTx& tx) { return tx.GetConnection("w1", "k1"); });
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->kind, ServiceKind::kPrometheus);
  EXPECT_EQ(got->state, ConnectionState::kConnected);
  EXPECT_EQ(got->credential_id, "c1");
  EXPECT_TRUE(got->managed);
  EXPECT_TRUE(got->insecure_skip_verify);
  EXPECT_EQ(got->environment_ids, (std::vector<std::string>{"e2", "e1"}));
  EXPECT_EQ(got->last_test, connection.last_test);
  EXPECT_EQ(got->version, 1u);
  EXPECT_EQ(got->created_at, 5000);
  EXPECT_EQ(got->sealed_details, B("details-k1"));

  SealedConnection plain = MakeConnection("k2", "w1");
  CV_ASSERT_OK(Write([&](Tx& tx) { return tx.InsertConnection(plain); }));
  got = Get<SealedConnection>(*store_, [](ReadTx& tx) { return tx.GetConnection("w1", "k2"); });
  EXPECT_FALSE(got->last_test.has_value());
  EXPECT_TRUE(got->environment_ids.empty());
  EXPECT_TRUE(got->credential_id.empty());
}

TEST_P(StoreConformance, ConnectionRulesOnInsert) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e-w2", "w2", "prod")));
    return tx.InsertConnection(MakeConnection("k1", "w1"));
  }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertConnection(MakeConnection("k1", "w2")); }),
                 ErrorCode::kConflict);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertConnection(MakeConnection("k9", "ghost")); }),
                 ErrorCode::kNotFound);
  SealedConnection foreign_env = MakeConnection("k2", "w1");
  foreign_env.environment_ids = {"e-w2"};  // an environment of another workspace
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertConnection(foreign_env); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetConnection("w1", "k2").status(); }),
                 ErrorCode::kNotFound);
  SealedConnection twice = MakeConnection("k3", "w2");
  twice.environment_ids = {"e-w2", "e-w2"};
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertConnection(twice); }),
                 ErrorCode::kInvalidArgument);
  SealedConnection too_many = MakeConnection("k4", "w2");
  for (size_t i = 0; i <= kMaxEnvironmentsPerConnection; ++i) {
    too_many.environment_ids.push_back("e" + std::to_string(i));
  }
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertConnection(too_many); }),
                 ErrorCode::kInvalidArgument);
  // A connection of another workspace is not found.
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetConnection("w2", "k1").status(); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ConnectionListFiltersAndCountsPerState) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("prod", "w1", "prod")));
    struct Spec {
      const char* id;
      ServiceKind kind;
      ConnectionState state;
      bool prod;
    };
    const Spec specs[] = {
        {"k1", ServiceKind::kKubernetes, ConnectionState::kConnected, true},
        {"k2", ServiceKind::kKubernetes, ConnectionState::kDiscovered, false},
        {"k3", ServiceKind::kKubernetes, ConnectionState::kConnected, false},
        {"p1", ServiceKind::kPrometheus, ConnectionState::kConnected, true},
        {"p2", ServiceKind::kPrometheus, ConnectionState::kIgnored, true},
    };
    for (const Spec& spec : specs) {
      SealedConnection connection = MakeConnection(spec.id, "w1", spec.kind, spec.state);
      if (spec.prod) connection.environment_ids = {"prod"};
      CV_RETURN_IF_ERROR(tx.InsertConnection(connection));
    }
    // Another workspace's connections never count.
    return tx.InsertConnection(MakeConnection("other", "w2"));
  }));
  auto list = [&](ConnectionFilter filter) {
    return Get<ConnectionPage>(*store_,
                               [&](ReadTx& tx) { return tx.ListConnections("w1", filter, {}); });
  };
  auto ids = [](const ConnectionPage& page) {
    std::vector<std::string> out;
    for (const SealedConnection& c : page.items) out.push_back(c.id);
    return out;
  };
  auto all = list({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(ids(*all), (std::vector<std::string>{"k1", "k2", "k3", "p1", "p2"}));
  EXPECT_EQ(all->counts, (std::map<ConnectionState, uint64_t>{{ConnectionState::kConnected, 3},
                                                              {ConnectionState::kDiscovered, 1},
                                                              {ConnectionState::kIgnored, 1}}));

  auto k8s = list(ConnectionFilter{ServiceKind::kKubernetes, std::nullopt, std::nullopt});
  EXPECT_EQ(ids(*k8s), (std::vector<std::string>{"k1", "k2", "k3"}));
  EXPECT_EQ(k8s->counts, (std::map<ConnectionState, uint64_t>{{ConnectionState::kConnected, 2},
                                                              {ConnectionState::kDiscovered, 1}}));

  // The state filter narrows the items but not the counts.
  auto connected = list(ConnectionFilter{std::nullopt, ConnectionState::kConnected, std::nullopt});
  EXPECT_EQ(ids(*connected), (std::vector<std::string>{"k1", "k3", "p1"}));
  EXPECT_EQ(connected->counts, all->counts);

  auto prod = list(ConnectionFilter{std::nullopt, std::nullopt, std::string("prod")});
  EXPECT_EQ(ids(*prod), (std::vector<std::string>{"k1", "p1", "p2"}));
  EXPECT_EQ(prod->counts, (std::map<ConnectionState, uint64_t>{{ConnectionState::kConnected, 2},
                                                               {ConnectionState::kIgnored, 1}}));

  auto all_three = list(
      ConnectionFilter{ServiceKind::kPrometheus, ConnectionState::kIgnored, std::string("prod")});
  EXPECT_EQ(ids(*all_three), (std::vector<std::string>{"p2"}));

  auto empty =
      Get<ConnectionPage>(*store_, [](ReadTx& tx) { return tx.ListConnections("ghost", {}, {}); });
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
  EXPECT_TRUE(empty->counts.empty());
}

TEST_P(StoreConformance, ConnectionUpdateReplacesEverythingButIdentity) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e1", "w1", "prod")));
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e2", "w1", "dev")));
    SealedConnection connection = MakeConnection("k1", "w1");
    connection.environment_ids = {"e1"};
    connection.last_test = LastTest{TestOutcome::kOk, 1, 2, 200, "r"};
    return tx.InsertConnection(connection);
  }));
  SealedConnection next =
      MakeConnection("k1", "w1", ServiceKind::kHttp, ConnectionState::kRegistered);
  next.version = 2;
  next.environment_ids = {"e2"};
  next.credential_id = "c9";
  next.sealed_details = B("resealed");
  next.updated_at = 5500;
  SealedConnection wrong = next;
  wrong.version = 1;
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.UpdateConnection(wrong, 1).status(); }),
                 ErrorCode::kInvalidArgument);
  auto v2 = TransactResult<uint64_t>(*store_, [&](Tx& tx) { return tx.UpdateConnection(next, 1); });
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, 2u);
  auto got =
      Get<SealedConnection>(*store_, [](ReadTx& tx) { return tx.GetConnection("w1", "k1"); });
  EXPECT_EQ(got->version, 2u);
  EXPECT_EQ(got->kind, ServiceKind::kHttp);
  EXPECT_EQ(got->state, ConnectionState::kRegistered);
  EXPECT_EQ(got->environment_ids, std::vector<std::string>{"e2"});
  EXPECT_EQ(got->credential_id, "c9");
  EXPECT_FALSE(got->last_test.has_value());
  EXPECT_EQ(got->sealed_details, B("resealed"));
  EXPECT_EQ(got->created_at, 5000);
  EXPECT_EQ(got->updated_at, 5500);
  Status stale = Write([&](Tx& tx) { return tx.UpdateConnection(next, 1).status(); });
  EXPECT_EQ(CurrentVersionOf(stale), 2u);
  // Moving a connection to another workspace by update is not possible: it is not found there.
  SealedConnection moved = next;
  moved.workspace_id = "w2";
  moved.version = 3;
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.UpdateConnection(moved, 2).status(); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ConnectionStateIsCompareAndSetWithoutBumpingTheVersion) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertConnection(MakeConnection("k1", "w1")); }));
  const LastTest test{TestOutcome::kOk, 900, 12, 200, "runner"};
  CV_ASSERT_OK(Write([&](Tx& tx) {
    return tx.SetConnectionState("w1", "k1", 1, ConnectionState::kDiscovered,
                                 ConnectionState::kConnected, test, 950);
  }));
  auto got =
      Get<SealedConnection>(*store_, [](ReadTx& tx) { return tx.GetConnection("w1", "k1"); });
  EXPECT_EQ(got->state, ConnectionState::kConnected);
  EXPECT_EQ(got->version, 1u);  // bound into sealed_details: unchanged
  EXPECT_EQ(got->last_test, test);
  EXPECT_EQ(got->updated_at, 950);

  // A second writer that read the old state loses, with the current version.
  Status lost = Write([&](Tx& tx) {
    return tx.SetConnectionState("w1", "k1", 1, ConnectionState::kDiscovered,
                                 ConnectionState::kIgnored, std::nullopt, 960);
  });
  EXPECT_EQ(lost.code(), ErrorCode::kConflict);
  EXPECT_EQ(CurrentVersionOf(lost), 1u);
  Status stale_version = Write([&](Tx& tx) {
    return tx.SetConnectionState("w1", "k1", 7, ConnectionState::kConnected,
                                 ConnectionState::kIgnored, std::nullopt, 960);
  });
  EXPECT_EQ(CurrentVersionOf(stale_version), 1u);

  // Without a last test the stored one stays.
  CV_ASSERT_OK(Write([&](Tx& tx) {
    return tx.SetConnectionState("w1", "k1", 1, ConnectionState::kConnected,
                                 ConnectionState::kMaintenance, std::nullopt, 970);
  }));
  got = Get<SealedConnection>(*store_, [](ReadTx& tx) { return tx.GetConnection("w1", "k1"); });
  EXPECT_EQ(got->state, ConnectionState::kMaintenance);
  EXPECT_EQ(got->last_test, test);
  CV_EXPECT_CODE(Write([&](Tx& tx) {
                   return tx.SetConnectionState("w1", "ghost", 1, ConnectionState::kConnected,
                                                ConnectionState::kIgnored, std::nullopt, 1);
                 }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ConnectionsUsingACredentialAcrossWorkspaces) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    for (const auto& [id, ws, credential] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"k1", "w1", "c1"}, {"k2", "w2", "c1"}, {"k3", "w1", "c2"}, {"k4", "w1", ""}}) {
      SealedConnection connection = MakeConnection(id, ws);
      connection.credential_id = credential;
      CV_RETURN_IF_ERROR(tx.InsertConnection(connection));
    }
    return Status::Ok();
  }));
  auto uses = Get<std::vector<SealedConnection>>(
      *store_, [](ReadTx& tx) { return tx.ListConnectionsUsingCredential("c1"); });
  ASSERT_TRUE(uses.ok());
  ASSERT_EQ(uses->size(), 2u);
  EXPECT_EQ((*uses)[0].id, "k1");
  EXPECT_EQ((*uses)[1].id, "k2");
  EXPECT_EQ((*uses)[1].workspace_id, "w2");
  auto all = Get<std::vector<SealedConnection>>(
      *store_, [](ReadTx& tx) { return tx.ListAllConnections("w1"); });
  EXPECT_EQ(all->size(), 3u);
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteConnection("w1", "k1"); }));
  uses = Get<std::vector<SealedConnection>>(
      *store_, [](ReadTx& tx) { return tx.ListConnectionsUsingCredential("c1"); });
  EXPECT_EQ(uses->size(), 1u);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteConnection("w1", "k1"); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteConnection("w1", "k2"); }),
                 ErrorCode::kNotFound);  // lives in w2
}

TEST_P(StoreConformance, EnvironmentsAreNamedUniquelyAndLeaveConnectionsOnDelete) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e1", "w1", "prod")));
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e2", "w1", "dev")));
    CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment("e3", "w2", "prod")));  // other ws
    SealedConnection connection = MakeConnection("k1", "w1");
    connection.environment_ids = {"e1", "e2"};
    return tx.InsertConnection(connection);
  }));
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.InsertEnvironment(MakeEnvironment("e9", "w1", "prod")); }),
      ErrorCode::kConflict);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.InsertEnvironment(MakeEnvironment("e1", "w2", "x")); }),
      ErrorCode::kConflict);
  CV_EXPECT_CODE(
      Write([](Tx& tx) { return tx.InsertEnvironment(MakeEnvironment("e9", "ghost", "x")); }),
      ErrorCode::kNotFound);

  EnvironmentRow renamed = MakeEnvironment("e2", "w1", "development");
  renamed.updated_at = 6500;
  auto v2 =
      TransactResult<uint64_t>(*store_, [&](Tx& tx) { return tx.UpdateEnvironment(renamed, 1); });
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2u);
  auto got = Get<EnvironmentRow>(*store_, [](ReadTx& tx) { return tx.GetEnvironment("w1", "e2"); });
  EXPECT_EQ(got->name, "development");
  EXPECT_EQ(got->version, 2u);
  EXPECT_EQ(got->updated_at, 6500);
  EXPECT_EQ(
      CurrentVersionOf(Write([&](Tx& tx) { return tx.UpdateEnvironment(renamed, 1).status(); })),
      2u);
  CV_EXPECT_CODE(Write([&](Tx& tx) {
                   return tx.UpdateEnvironment(MakeEnvironment("e2", "w1", "prod"), 2).status();
                 }),
                 ErrorCode::kConflict);  // name taken
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetEnvironment("w2", "e1").status(); }),
                 ErrorCode::kNotFound);

  auto listed =
      Get<Page<EnvironmentRow>>(*store_, [](ReadTx& tx) { return tx.ListEnvironments("w1", {}); });
  ASSERT_EQ(listed->items.size(), 2u);
  EXPECT_EQ(listed->items[0].id, "e1");

  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteEnvironment("w1", "e1"); }));
  auto connection =
      Get<SealedConnection>(*store_, [](ReadTx& tx) { return tx.GetConnection("w1", "k1"); });
  EXPECT_EQ(connection->environment_ids, std::vector<std::string>{"e2"});
  EXPECT_EQ(connection->version, 1u);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteEnvironment("w1", "e1"); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteEnvironment("w1", "e3"); }),
                 ErrorCode::kNotFound);
}

// ---- Runners and audit --------------------------------------------------------------------

TEST_P(StoreConformance, RunnersRegisterListAndLeave) {
  SeedOwner("a1", "w1");
  SeedOwner("a1", "w2");
  RunnerRow runner{"r1", "w1", "edge runner", B("box-r1"), B("sign-r1"), 7000};
  CV_ASSERT_OK(Write([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertRunner(runner));
    // The same runner may be admitted to another workspace too.
    CV_RETURN_IF_ERROR(tx.InsertRunner(RunnerRow{"r1", "w2", "edge", B("b"), B("s"), 1}));
    return tx.PutKeyGrant(MakeKeyGrant("w1", "r1", 1, false));
  }));
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertRunner(runner); }), ErrorCode::kConflict);
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.InsertRunner(RunnerRow{"r2", "ghost", "x", B("b"), B("s"), 1});
                 }),
                 ErrorCode::kNotFound);
  auto got = Get<RunnerRow>(*store_, [](ReadTx& tx) { return tx.GetRunner("w1", "r1"); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "edge runner");
  EXPECT_EQ(got->box_public_key, B("box-r1"));
  EXPECT_EQ(got->sign_public_key, B("sign-r1"));
  EXPECT_EQ(got->created_at, 7000);
  auto listed = Get<Page<RunnerRow>>(*store_, [](ReadTx& tx) { return tx.ListRunners("w1", {}); });
  EXPECT_EQ(listed->items.size(), 1u);
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteRunner("w1", "r1"); }));
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    EXPECT_EQ(tx.GetRunner("w1", "r1").code(), ErrorCode::kNotFound);
    EXPECT_TRUE(tx.ListKeyGrants("w1", "r1")->empty());
    return tx.GetRunner("w2", "r1").status();
  }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteRunner("w1", "r1"); }), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, AuditIsNewestFirstAndUnique) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    for (int i = 1; i <= 5; ++i) {
      CV_RETURN_IF_ERROR(
          tx.AppendAudit(AuditEvent{"ev" + std::to_string(i), "w1", 100 + i, "a1",
                                    "credential.create", "credential", "c" + std::to_string(i)}));
    }
    return Status::Ok();
  }));
  auto first = Get<Page<AuditEvent>>(*store_, [](ReadTx& tx) {
    return tx.ListAudit("w1", PageRequest{"", 3});
  });
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 3u);
  EXPECT_EQ(first->items[0].id, "ev5");
  EXPECT_EQ(first->items[0].at, 105);
  EXPECT_EQ(first->items[0].actor_id, "a1");
  EXPECT_EQ(first->items[0].action, "credential.create");
  EXPECT_EQ(first->items[0].object_type, "credential");
  EXPECT_EQ(first->items[0].object_id, "c5");
  EXPECT_EQ(first->items[2].id, "ev3");
  ASSERT_FALSE(first->next_cursor.empty());
  auto second = Get<Page<AuditEvent>>(*store_, [&](ReadTx& tx) {
    return tx.ListAudit("w1", PageRequest{first->next_cursor, 3});
  });
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->items[0].id, "ev2");
  EXPECT_EQ(second->items[1].id, "ev1");
  EXPECT_TRUE(second->next_cursor.empty());
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.AppendAudit(AuditEvent{"ev1", "w1", 1, "a1", "x", "y", "z"});
                 }),
                 ErrorCode::kConflict);
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.AppendAudit(AuditEvent{"ev9", "ghost", 1, "a1", "x", "y", "z"});
                 }),
                 ErrorCode::kNotFound);
}

// ---- Pagination ---------------------------------------------------------------------------

// Pages through credentials while new ones are inserted (and one unrelated row deleted)
// between pages: every credential that existed throughout is seen exactly once, in order.
TEST_P(StoreConformance, CursorsAreStableWhileInserting) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    for (int i = 0; i < 23; ++i) {
      CV_RETURN_IF_ERROR(tx.InsertCredential(MakeCredential("orig-" + std::to_string(i), "w1")));
    }
    return Status::Ok();
  }));
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  int inserted = 0;
  do {
    auto page = Get<Page<SealedCredential>>(*store_, [&](ReadTx& tx) {
      return tx.ListCredentials("w1", {}, PageRequest{cursor, 5});
    });
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_LE(page->items.size(), 5u);
    for (const SealedCredential& credential : page->items) seen.push_back(credential.id);
    cursor = page->next_cursor;
    ++pages;
    CV_ASSERT_OK(Write([&](Tx& tx) {
      return tx.InsertCredential(MakeCredential("new-" + std::to_string(inserted++), "w1"));
    }));
  } while (!cursor.empty() && pages < 100);
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a row was returned twice";
  for (int i = 0; i < 23; ++i) {
    EXPECT_EQ(seen[static_cast<size_t>(i)], "orig-" + std::to_string(i));
  }
  // Rows inserted meanwhile come after the originals (insertion order).
  for (size_t i = 23; i < seen.size(); ++i) EXPECT_EQ(seen[i].rfind("new-", 0), 0u);
}

TEST_P(StoreConformance, LastFullPageHasNoCursor) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    for (int i = 0; i < 4; ++i) {
      CV_RETURN_IF_ERROR(tx.InsertEnvironment(
          MakeEnvironment("e" + std::to_string(i), "w1", "env" + std::to_string(i))));
    }
    return Status::Ok();
  }));
  auto first = Get<Page<EnvironmentRow>>(*store_, [](ReadTx& tx) {
    return tx.ListEnvironments("w1", PageRequest{"", 2});
  });
  ASSERT_FALSE(first->next_cursor.empty());
  auto second = Get<Page<EnvironmentRow>>(*store_, [&](ReadTx& tx) {
    return tx.ListEnvironments("w1", PageRequest{first->next_cursor, 2});
  });
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->items[1].id, "e3");
  EXPECT_TRUE(second->next_cursor.empty());
}

}  // namespace
}  // namespace credvault::server::testing
