// Store conformance suite, part 1: transactions, accounts, sessions, counters, server secrets,
// limits, reopening and concurrent writers. Every engine in store_engines.h must pass it.
// Part 2 (workspace resources) is store_conformance_resources_test.cc.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store_checks.h"
#include "store_test_fixture.h"

namespace credvault::server::testing {

std::string EngineName(const ::testing::TestParamInfo<StoreEngine>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConformance, ::testing::ValuesIn(StoreEngines()),
                         EngineName);

namespace {

Result<AccountRow> ReadAccount(Store& store, const std::string& id) {
  return ReadResult<AccountRow>(store, [&](ReadTx& tx) { return tx.GetAccount(id); });
}

// ---- Transactions -------------------------------------------------------------------------

TEST_P(StoreConformance, CommitsWhenFnSucceeds) {
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "a1@x.org")); }));
  auto account = ReadAccount(*store_, "a1");
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->record.email, "a1@x.org");
}

TEST_P(StoreConformance, FailingFnLeavesNothingWritten) {
  Status status = Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a1@x.org")));
    CV_RETURN_IF_ERROR(tx.InsertWorkspace(MakeWorkspace("w1", "a1")));
    return Status(ErrorCode::kValidation, "the handler changed its mind");
  });
  // fn's own status comes back unchanged.
  EXPECT_EQ(status.code(), ErrorCode::kValidation);
  EXPECT_EQ(status.message(), "the handler changed its mind");
  CV_EXPECT_CODE(ReadAccount(*store_, "a1"), ErrorCode::kNotFound);
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetWorkspace("w1").status(); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreConformance, FailingOperationRollsBackEarlierWritesOfTheTransaction) {
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "a1@x.org")); }));
  Status status = Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a2", "a2@x.org")));
    CV_RETURN_IF_ERROR(tx.InsertWorkspace(MakeWorkspace("w2", "a2")));
    return tx.InsertAccount(MakeAccount("a3", "A1@X.org"));  // email taken
  });
  EXPECT_EQ(status.code(), ErrorCode::kConflict);
  CV_EXPECT_CODE(ReadAccount(*store_, "a2"), ErrorCode::kNotFound);
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetWorkspace("w2").status(); }),
                 ErrorCode::kNotFound);
  CV_EXPECT_OK(ReadAccount(*store_, "a1"));
}

TEST_P(StoreConformance, NestedTransactionIsRefused) {
  Status inner = Status::Ok();
  Status outer = Write([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a1@x.org")));
    inner = store_->Transact([](Tx&) { return Status::Ok(); });
    Status read = store_->Read([](ReadTx&) { return Status::Ok(); });
    EXPECT_EQ(read.code(), ErrorCode::kInternal);
    return Status::Ok();
  });
  CV_EXPECT_OK(outer);
  EXPECT_EQ(inner.code(), ErrorCode::kInternal);
  // The store still works after the refusal.
  CV_EXPECT_OK(ReadAccount(*store_, "a1"));
  CV_EXPECT_OK(store_->Transact([](Tx&) { return Status::Ok(); }));
}

TEST_P(StoreConformance, TypedTransactReturnsValueOrError) {
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "a1@x.org")); }));
  Result<uint64_t> next = TransactResult<uint64_t>(*store_, [](Tx& tx) -> Result<uint64_t> {
    CV_ASSIGN_OR_RETURN(AccountRow row, tx.GetAccount("a1"));
    row.record.keys_version = 2;
    return tx.UpdateAccount(row, row.version);
  });
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, 2u);
  Result<uint64_t> failed = TransactResult<uint64_t>(
      *store_, [](Tx& tx) { return tx.UpdateAccount(MakeAccount("a1", "a1@x.org"), 1); });
  EXPECT_EQ(failed.code(), ErrorCode::kConflict);
  EXPECT_EQ(CurrentVersionOf(failed.status()), 2u);
}

TEST_P(StoreConformance, PingAndEngineName) {
  CV_EXPECT_OK(store_->Ping());
  EXPECT_FALSE(store_->EngineName().empty());
}

// ---- Accounts -----------------------------------------------------------------------------

TEST_P(StoreConformance, AccountRoundTripsEveryField) {
  AccountRow row = MakeAccount("a1", "Alice@Example.com");
  row.record.kdf = {7, 256ull << 20};
  row.record.keys_version = 3;
  row.record.salt = Bytes{0, 1, 2, 0, 255};  // embedded zero bytes survive
  row.created_at = 11;
  row.updated_at = 12;
  CV_ASSERT_OK(Write([&](Tx& tx) { return tx.InsertAccount(row); }));
  auto got = ReadAccount(*store_, "a1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->record.account_id, "a1");
  EXPECT_EQ(got->record.email, "Alice@Example.com");
  EXPECT_EQ(got->record.kdf, row.record.kdf);
  EXPECT_EQ(got->record.salt, row.record.salt);
  EXPECT_EQ(got->record.keys_version, 3u);
  EXPECT_EQ(got->record.box_public_key, row.record.box_public_key);
  EXPECT_EQ(got->record.sign_public_key, row.record.sign_public_key);
  EXPECT_EQ(got->record.wrapped_private_keys, row.record.wrapped_private_keys);
  EXPECT_EQ(got->record.recovery_wrapped_private_keys, row.record.recovery_wrapped_private_keys);
  EXPECT_EQ(got->auth_hash, row.auth_hash);
  EXPECT_EQ(got->recovery_auth_hash, row.recovery_auth_hash);
  EXPECT_EQ(got->version, 1u);
  EXPECT_EQ(got->created_at, 11);
  EXPECT_EQ(got->updated_at, 12);
}

TEST_P(StoreConformance, AccountByEmailIgnoresAsciiCase) {
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "Bob@X.org")); }));
  auto got =
      ReadResult<AccountRow>(*store_, [](ReadTx& tx) { return tx.GetAccountByEmail("bob@x.ORG"); });
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->record.account_id, "a1");
  CV_EXPECT_CODE(
      store_->Read([](ReadTx& tx) { return tx.GetAccountByEmail("nobody@x.org").status(); }),
      ErrorCode::kNotFound);
}

TEST_P(StoreConformance, AccountUniqueIdAndEmail) {
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "a@x.org")); }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "other@x.org")); }),
                 ErrorCode::kConflict);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a2", "A@X.ORG")); }),
                 ErrorCode::kConflict);
  // A taken email is a conflict without a current version.
  Status taken = Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a2", "a@x.org")); });
  EXPECT_EQ(CurrentVersionOf(taken), std::nullopt);
}

TEST_P(StoreConformance, AccountUpdateIsVersioned) {
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a@x.org")));
    return tx.InsertAccount(MakeAccount("a2", "b@x.org"));
  }));
  AccountRow changed = MakeAccount("a1", "new@x.org");
  changed.auth_hash = "$argon2id$new";
  changed.version = 99;  // ignored: the store sets the version
  auto v2 = TransactResult<uint64_t>(*store_, [&](Tx& tx) { return tx.UpdateAccount(changed, 1); });
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, 2u);
  auto got = ReadAccount(*store_, "a1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2u);
  EXPECT_EQ(got->record.email, "new@x.org");
  EXPECT_EQ(got->auth_hash, "$argon2id$new");
  EXPECT_EQ(got->created_at, 1000);

  Status stale = Write([&](Tx& tx) { return tx.UpdateAccount(changed, 1).status(); });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  EXPECT_EQ(CurrentVersionOf(stale), 2u);
  CV_EXPECT_CODE(
      Write([&](Tx& tx) { return tx.UpdateAccount(MakeAccount("a2", "NEW@x.org"), 1).status(); }),
      ErrorCode::kConflict);
  CV_EXPECT_CODE(
      Write([&](Tx& tx) { return tx.UpdateAccount(MakeAccount("ghost", "g@x.org"), 1).status(); }),
      ErrorCode::kNotFound);
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.UpdateAccount(changed, 0).status(); }),
                 ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, AccountDeleteEndsSessionsMembershipsAndGrants) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a2", "b@x.org")));
    CV_RETURN_IF_ERROR(tx.InsertMember(MakeMember("w1", "a2", Role::kViewer)));
    CV_RETURN_IF_ERROR(tx.PutKeyGrant(MakeKeyGrant("w1", "a2", 1, false)));
    return tx.InsertSession(SessionRow{B("digest"), "a2", B("csrf"), 1, 100});
  }));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteAccount("a2"); }));
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    EXPECT_EQ(tx.GetSession(B("digest"), 0).code(), ErrorCode::kNotFound);
    EXPECT_EQ(tx.GetMember("w1", "a2").code(), ErrorCode::kNotFound);
    auto grants = tx.ListKeyGrants("w1", "a2");
    EXPECT_TRUE(grants.ok() && grants->empty());
    return tx.GetMember("w1", "a1").status();
  }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteAccount("a2"); }), ErrorCode::kNotFound);
}

// ---- Sessions -----------------------------------------------------------------------------

TEST_P(StoreConformance, SessionsExpireAndEnd) {
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a@x.org")));
    CV_RETURN_IF_ERROR(tx.InsertSession(SessionRow{B("s1"), "a1", B("c1"), 10, 100}));
    CV_RETURN_IF_ERROR(tx.InsertSession(SessionRow{B("s2"), "a1", B("c2"), 10, 200}));
    return tx.InsertSession(SessionRow{B("s3"), "a1", B("c3"), 10, 300});
  }));
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    auto live = tx.GetSession(B("s1"), 99);
    EXPECT_TRUE(live.ok());
    if (live.ok()) {
      EXPECT_EQ(live->account_id, "a1");
      EXPECT_EQ(live->csrf_digest, B("c1"));
      EXPECT_EQ(live->created_at, 10);
      EXPECT_EQ(live->expires_at, 100);
    }
    // Dead from expires_at on.
    EXPECT_EQ(tx.GetSession(B("s1"), 100).code(), ErrorCode::kNotFound);
    EXPECT_EQ(tx.GetSession(B("nope"), 0).code(), ErrorCode::kNotFound);
    return Status::Ok();
  }));
  auto expired =
      TransactResult<uint64_t>(*store_, [](Tx& tx) { return tx.DeleteExpiredSessions(200); });
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 2u);
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) { return tx.GetSession(B("s3"), 0).status(); }));
  CV_EXPECT_OK(Write([](Tx& tx) { return tx.DeleteSession(B("s3")); }));
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.DeleteSession(B("s3")); }), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, SessionRulesOnInsert) {
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "a@x.org")); }));
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.InsertSession(SessionRow{B("s1"), "ghost", B("c"), 1, 2});
                 }),
                 ErrorCode::kNotFound);
  CV_ASSERT_OK(Write([](Tx& tx) {
    return tx.InsertSession(SessionRow{B("s1"), "a1", B("c"), 1, 2});
  }));
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.InsertSession(SessionRow{B("s1"), "a1", B("c"), 1, 2});
                 }),
                 ErrorCode::kConflict);
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.InsertSession(SessionRow{Bytes(), "a1", B("c"), 1, 2});
                 }),
                 ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, DeleteSessionsOfAccountKeepsOne) {
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a@x.org")));
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a2", "b@x.org")));
    for (const char* id : {"s1", "s2", "s3"}) {
      CV_RETURN_IF_ERROR(tx.InsertSession(SessionRow{B(id), "a1", B("c"), 1, 1000}));
    }
    return tx.InsertSession(SessionRow{B("other"), "a2", B("c"), 1, 1000});
  }));
  auto ended =
      TransactResult<uint64_t>(*store_, [](Tx& tx) { return tx.DeleteSessionsOf("a1", B("s2")); });
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, 2u);
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    EXPECT_TRUE(tx.GetSession(B("s2"), 0).ok());
    EXPECT_TRUE(tx.GetSession(B("other"), 0).ok());
    EXPECT_EQ(tx.GetSession(B("s1"), 0).code(), ErrorCode::kNotFound);
    return Status::Ok();
  }));
  ended =
      TransactResult<uint64_t>(*store_, [](Tx& tx) { return tx.DeleteSessionsOf("a1", Bytes()); });
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, 1u);
}

// ---- Counters and server secrets ----------------------------------------------------------

TEST_P(StoreConformance, CountersCountPerKeyAndWindow) {
  auto increment = [&](const std::string& key, int64_t window, uint64_t by) {
    return TransactResult<uint64_t>(*store_,
                                    [&](Tx& tx) { return tx.IncrementCounter(key, window, by); });
  };
  EXPECT_EQ(*increment("login:a1", 60, 1), 1u);
  EXPECT_EQ(*increment("login:a1", 60, 1), 2u);
  EXPECT_EQ(*increment("login:a1", 60, 3), 5u);
  EXPECT_EQ(*increment("login:a1", 120, 1), 1u);
  EXPECT_EQ(*increment("login:a2", 60, 1), 1u);
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    EXPECT_EQ(*tx.GetCounter("login:a1", 60), 5u);
    EXPECT_EQ(*tx.GetCounter("login:zz", 60), 0u);
    return Status::Ok();
  }));
  auto pruned =
      TransactResult<uint64_t>(*store_, [](Tx& tx) { return tx.DeleteCountersBefore(120); });
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2u);
  CV_EXPECT_OK(store_->Read([](ReadTx& tx) -> Status {
    EXPECT_EQ(*tx.GetCounter("login:a1", 60), 0u);
    EXPECT_EQ(*tx.GetCounter("login:a1", 120), 1u);
    return Status::Ok();
  }));
  CV_EXPECT_CODE(increment("", 60, 1), ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, ServerSecretsAreWrittenOnce) {
  Bytes secret{0, 9, 8, 0};
  CV_ASSERT_OK(Write([&](Tx& tx) { return tx.InsertServerSecret("prelogin", secret); }));
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertServerSecret("prelogin", B("other")); }),
                 ErrorCode::kConflict);
  auto got = ReadResult<Bytes>(*store_, [](ReadTx& tx) { return tx.GetServerSecret("prelogin"); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, secret);
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetServerSecret("nope").status(); }),
                 ErrorCode::kNotFound);
}

// ---- Limits and bad input -----------------------------------------------------------------

TEST_P(StoreConformance, EmptyIdsAreRefused) {
  SeedOwner("a1", "w1");
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("", "e@x.org")); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a9", "")); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertWorkspace(MakeWorkspace("", "a1")); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertCredential(MakeCredential("", "w1")); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertConnection(MakeConnection("", "w1")); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.InsertMember(MakeMember("w1", "", Role::kViewer)); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) { return tx.PutKeyGrant(MakeKeyGrant("w1", "", 1, true)); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([](Tx& tx) {
                   return tx.AppendAudit(AuditEvent{"", "w1", 1, "a1", "x", "y", "z"});
                 }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetAccount("").status(); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(store_->Read([](ReadTx& tx) { return tx.GetConnection("w1", "").status(); }),
                 ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, BlobsUpToTheLimitAreKeptBeyondItRefused) {
  SeedOwner("a1", "w1");
  SealedCredential largest = MakeCredential("c1", "w1");
  largest.sealed_secret.assign(kMaxBlobBytes, 0x5a);
  CV_ASSERT_OK(Write([&](Tx& tx) { return tx.InsertCredential(largest); }));
  auto got = ReadResult<SealedCredential>(*store_,
                                          [](ReadTx& tx) { return tx.GetCredential("w1", "c1"); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sealed_secret.size(), kMaxBlobBytes);

  SealedCredential huge = MakeCredential("c2", "w1");
  huge.sealed_secret.assign(kMaxBlobBytes + 1, 0x5a);
  Status refused = Write([&](Tx& tx) { return tx.InsertCredential(huge); });
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  // The message names the field, never its bytes.
  EXPECT_NE(refused.message().find("sealed_secret"), std::string::npos);
  SealedConnection connection = MakeConnection("k1", "w1");
  connection.sealed_details.assign(kMaxBlobBytes + 1, 1);
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertConnection(connection); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(
      Write([&](Tx& tx) { return tx.InsertServerSecret("big", Bytes(kMaxBlobBytes + 1, 0)); }),
      ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, TextOverTheLimitIsRefused) {
  std::string long_email(kMaxTextBytes + 1, 'e');
  CV_EXPECT_CODE(Write([&](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", long_email)); }),
                 ErrorCode::kInvalidArgument);
  CV_EXPECT_CODE(Write([&](Tx& tx) {
                   return tx.IncrementCounter(std::string(kMaxTextBytes + 1, 'k'), 0, 1).status();
                 }),
                 ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, BadPageRequestsAreRefused) {
  SeedOwner("a1", "w1");
  for (size_t limit : {size_t{0}, kMaxPageLimit + 1}) {
    CV_EXPECT_CODE(store_->Read([&](ReadTx& tx) {
      return tx.ListEnvironments("w1", PageRequest{"", limit}).status();
    }),
                   ErrorCode::kInvalidArgument);
  }
  for (const char* cursor : {"x", "-1", "0", "007", "12abc", " 1"}) {
    SCOPED_TRACE(cursor);
    CV_EXPECT_CODE(store_->Read([&](ReadTx& tx) {
      return tx.ListAudit("w1", PageRequest{cursor, 10}).status();
    }),
                   ErrorCode::kInvalidArgument);
  }
  CV_EXPECT_OK(store_->Read([&](ReadTx& tx) {
    return tx.ListAudit("w1", PageRequest{"", kMaxPageLimit}).status();
  }));
}

// ---- Reopening ----------------------------------------------------------------------------

TEST_P(StoreConformance, ReopenKeepsDataAndMigrationsAreIdempotent) {
  SeedOwner("a1", "w1");
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.InsertCredential(MakeCredential("c1", "w1")); }));
  Reopen();
  Reopen();
  CV_EXPECT_OK(ReadAccount(*store_, "a1"));
  auto credential = ReadResult<SealedCredential>(
      *store_, [](ReadTx& tx) { return tx.GetCredential("w1", "c1"); });
  ASSERT_TRUE(credential.ok());
  EXPECT_EQ(credential->sealed_secret, B("secret-c1"));
  // Still writable after reopening.
  CV_EXPECT_OK(Write([](Tx& tx) { return tx.InsertAccount(MakeAccount("a2", "b@x.org")); }));
}

// ---- Concurrency --------------------------------------------------------------------------

// Read-modify-write of one row from several threads, retrying on a stale version: every
// increment lands exactly once (no lost update), and the counter agrees.
TEST_P(StoreConformance, ConcurrentWritersLoseNoUpdate) {
  SeedOwner("a1", "w1");
  constexpr int kThreads = 6;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::atomic<int> conflicts_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Read outside the write transaction so versions can go stale between read and write.
        auto read =
            ReadResult<WorkspaceRow>(*store_, [](ReadTx& tx) { return tx.GetWorkspace("w1"); });
        if (!read.ok()) {
          ++failures;
          return;
        }
        WorkspaceRow row = *read;
        row.key_generation += 1;
        Status status = store_->Transact([&](Tx& tx) -> Status {
          CV_RETURN_IF_ERROR(tx.UpdateWorkspace(row, row.version).status());
          CV_RETURN_IF_ERROR(tx.IncrementCounter("ops", 0, 1).status());
          return tx.AppendAudit(AuditEvent{"e" + std::to_string(t) + "-" + std::to_string(i), "w1",
                                           i, "a1", "workspace.update", "workspace", "w1"});
        });
        if (status.code() == ErrorCode::kConflict && CurrentVersionOf(status)) {
          ++conflicts_seen;
          --i;  // retry this increment
          continue;
        }
        if (!status.ok()) {
          ++failures;
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);
  constexpr uint64_t kTotal = kThreads * kPerThread;
  CV_EXPECT_OK(store_->Read([&](ReadTx& tx) -> Status {
    auto workspace = tx.GetWorkspace("w1");
    EXPECT_TRUE(workspace.ok());
    if (workspace.ok()) {
      EXPECT_EQ(workspace->version, 1 + kTotal);
      EXPECT_EQ(workspace->key_generation, 1 + kTotal);
    }
    EXPECT_EQ(*tx.GetCounter("ops", 0), kTotal);
    auto audit = tx.ListAudit("w1", PageRequest{"", kMaxPageLimit});
    EXPECT_TRUE(audit.ok());
    if (audit.ok()) {
      EXPECT_EQ(audit->items.size(), std::min<uint64_t>(kTotal, kMaxPageLimit));
    }
    return Status::Ok();
  }));
}

// Readers run while a writer holds its transaction open, and never see it half-done.
TEST_P(StoreConformance, ReadersSeeCommittedStateOnly) {
  SeedOwner("a1", "w1");
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop.load()) {
      Status status = store_->Read([&](ReadTx& tx) -> Status {
        // The writer always adds an environment and a runner together.
        CV_ASSIGN_OR_RETURN(auto environments, tx.ListEnvironments("w1", {"", kMaxPageLimit}));
        CV_ASSIGN_OR_RETURN(auto runners, tx.ListRunners("w1", {"", kMaxPageLimit}));
        if (environments.items.size() != runners.items.size()) ++torn;
        return Status::Ok();
      });
      if (!status.ok()) ++torn;
    }
  });
  for (int i = 0; i < 40; ++i) {
    CV_ASSERT_OK(Write([&](Tx& tx) -> Status {
      std::string id = "x" + std::to_string(i);
      CV_RETURN_IF_ERROR(tx.InsertEnvironment(MakeEnvironment(id, "w1", "env " + id)));
      return tx.InsertRunner(RunnerRow{id, "w1", "runner", B("box"), B("sign"), 1});
    }));
  }
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace credvault::server::testing
