// PostgreSQL-only behaviour of PostgresStore (the shared contract is the conformance suite):
// URL selection, several servers migrating one database at once, surviving connections that
// the database dropped, and each server's ReadCache seeing the other servers' writes.
#include "store/pg_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "pg_test_cluster.h"
#include "store_test_fixture.h"

namespace credvault::server::testing {
namespace {

TEST(PostgresStoreUrl, OnlyPostgresSchemesSelectTheEngine) {
  EXPECT_TRUE(PostgresStore::IsPostgresUrl("postgres://u@h:5432/db"));
  EXPECT_TRUE(PostgresStore::IsPostgresUrl("postgresql://u@h/db?sslmode=require"));
  EXPECT_FALSE(PostgresStore::IsPostgresUrl("/var/lib/credvault/credvault.db"));
  EXPECT_FALSE(PostgresStore::IsPostgresUrl("postgres.db"));
  EXPECT_FALSE(PostgresStore::IsPostgresUrl("POSTGRES://u@h/db"));
  EXPECT_FALSE(PostgresStore::IsPostgresUrl(""));
}

TEST(PostgresStoreOpen, UnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  auto store = PostgresStore::New("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store.status().message().find("127.0.0.1"), std::string::npos)
      << "a connection error is generic";
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credvault-pgstore-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto url = PostgresTestStoreUrl(dir_);
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string dir_;
  std::string url_;
};

TEST_F(PostgresStoreTest, ServersStartingAtOnceMigrateOnce) {
  constexpr int kServers = 6;
  std::vector<Status> results(kServers, Status::Ok());
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] { results[i] = PostgresStore::New(url_).status(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  // A server that applied a migration twice would have failed on CREATE TABLE or on the
  // schema_migrations primary key; the store opens and serves.
  auto store = PostgresStore::New(url_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->EngineName(), "postgresql");
  CV_EXPECT_OK((*store)->Ping());
}

TEST_F(PostgresStoreTest, ReconnectsAfterTheDatabaseDroppedItsConnections) {
  auto store = PostgresStore::New(url_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  CV_ASSERT_OK((*store)->Transact(
      [](Tx& tx) { return tx.InsertAccount(MakeAccount("a1", "a1@example.com")); }));
  // What a database restart does to the pool: every server process of ours is gone.
  auto base = PostgresTestCluster::BaseUrl();
  ASSERT_TRUE(base.ok());
  CV_ASSERT_OK(
      PostgresTestExec(*base,
                       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                       " WHERE application_name = 'credvault' AND pid <> pg_backend_pid()"));
  // A dropped connection is found at BEGIN, before fn runs: the call moves to a fresh one.
  auto account = ReadResult<AccountRow>(**store, [](ReadTx& tx) { return tx.GetAccount("a1"); });
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->record.email, "a1@example.com");
  CV_EXPECT_OK((*store)->Transact(
      [](Tx& tx) { return tx.InsertAccount(MakeAccount("a2", "a2@example.com")); }));
  CV_EXPECT_OK((*store)->Ping());
}

TEST_F(PostgresStoreTest, FnRunsOnceEvenWhenItsConnectionDiesMidway) {
  auto store = PostgresStore::New(url_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto base = PostgresTestCluster::BaseUrl();
  ASSERT_TRUE(base.ok());
  int runs = 0;
  Status status = (*store)->Transact([&](Tx& tx) -> Status {
    ++runs;
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a1@example.com")));
    CV_RETURN_IF_ERROR(
        PostgresTestExec(*base,
                         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         " WHERE application_name = 'credvault' AND pid <> pg_backend_pid()"));
    return tx.InsertAccount(MakeAccount("a2", "a2@example.com"));
  });
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << status.ToString();
  // Nothing of the broken transaction was committed, and the store serves again.
  CV_EXPECT_CODE((*store)->Read([](ReadTx& tx) { return tx.GetAccount("a1").status(); }),
                 ErrorCode::kNotFound);
}

// Two stores on one database stand for two servers: rows one server holds in its ReadCache
// give way to what the other wrote, the session it ended and the role it changed included.
TEST_F(PostgresStoreTest, EachServersCacheSeesTheOtherServersWrites) {
  auto first = PostgresStore::New(url_);
  auto second = PostgresStore::New(url_);
  ASSERT_TRUE(first.ok() && second.ok());
  const Bytes digest = B("session-digest");
  CV_ASSERT_OK((*first)->Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a1@example.com")));
    CV_RETURN_IF_ERROR(tx.InsertWorkspace(MakeWorkspace("w1", "a1")));
    CV_RETURN_IF_ERROR(tx.InsertMember(MakeMember("w1", "a1", Role::kOwner)));
    return tx.InsertSession(SessionRow{digest, "a1", B("csrf"), 1, 100});
  }));
  auto role_seen_by_first = [&]() -> Result<Role> {
    Role role = Role::kViewer;
    CV_RETURN_IF_ERROR((*first)->Read([&](ReadTx& tx) -> Status {
      CV_RETURN_IF_ERROR(tx.GetSession(digest, 50).status());
      CV_ASSIGN_OR_RETURN(MemberRow member, tx.GetMember("w1", "a1"));
      role = member.role;
      return Status::Ok();
    }));
    return role;
  };
  for (int i = 0; i < 2; ++i) {
    auto role = role_seen_by_first();
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    EXPECT_EQ(*role, Role::kOwner);
  }
  CV_ASSERT_OK((*second)->Transact(
      [](Tx& tx) { return tx.UpdateMember(MakeMember("w1", "a1", Role::kAdmin), 1).status(); }));
  auto role = role_seen_by_first();
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_EQ(*role, Role::kAdmin);
  CV_ASSERT_OK((*second)->Transact([&](Tx& tx) { return tx.DeleteSession(digest); }));
  CV_EXPECT_CODE(role_seen_by_first(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace credvault::server::testing
