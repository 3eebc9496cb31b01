// What only the SQLite engine promises beyond the conformance suite: the file's mode and
// journal, recorded migrations, refusing a newer schema, BLOB ciphertext columns, that an
// acknowledged Transact survives kill -9, one store per file (its ReadCache needs it), and that
// repeated reads are answered from that cache.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "store_test_fixture.h"

namespace credvault::server::testing {
namespace {

namespace fs = std::filesystem;

// Runs one SQL statement on the file directly and returns the first column of the first row.
std::string QueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
  } else {
    ADD_FAILURE() << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "credvault-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/" + SqliteStore::kFileName;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::unique_ptr<SqliteStore> Open() {
    auto store = SqliteStore::New(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::string dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, FileIsPrivateAndInWalMode) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  CV_ASSERT_OK(store->Transact([](Tx& tx) { return tx.InsertServerSecret("k", B("v")); }));
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(QueryText(path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(store->EngineName(), "sqlite");
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedOnce) {
  ASSERT_NE(Open(), nullptr);
  ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(QueryText(path_, "SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(SqliteStore::SchemaVersion()));
  EXPECT_EQ(QueryText(path_, "SELECT MAX(version) FROM schema_migrations"),
            std::to_string(SqliteStore::SchemaVersion()));
}

TEST_F(SqliteStoreTest, RefusesADatabaseNewerThanTheCode) {
  ASSERT_NE(Open(), nullptr);
  int newer = SqliteStore::SchemaVersion() + 1;
  QueryText(path_, "INSERT INTO schema_migrations (version, applied_at) VALUES (" +
                       std::to_string(newer) + ", 0)");
  auto store = SqliteStore::New(path_);
  EXPECT_EQ(store.code(), ErrorCode::kUnsupportedVersion);
}

TEST_F(SqliteStoreTest, RefusesAnEmptyOrUnopenablePath) {
  EXPECT_EQ(SqliteStore::New("").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SqliteStore::New(dir_ + "/missing/dir/db").code(), ErrorCode::kInternal);
}

TEST_F(SqliteStoreTest, CiphertextColumnsAreBlobs) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  CV_ASSERT_OK(store->Transact([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a@x.org")));
    CV_RETURN_IF_ERROR(tx.InsertWorkspace(MakeWorkspace("w1", "a1")));
    CV_RETURN_IF_ERROR(tx.InsertCredential(MakeCredential("c1", "w1")));
    return tx.InsertConnection(MakeConnection("k1", "w1"));
  }));
  EXPECT_EQ(QueryText(path_, "SELECT typeof(sealed_secret) FROM credentials"), "blob");
  EXPECT_EQ(QueryText(path_, "SELECT typeof(wrapped_data_key) FROM credential_grants"), "blob");
  EXPECT_EQ(QueryText(path_, "SELECT typeof(sealed_details) FROM connections"), "blob");
  EXPECT_EQ(QueryText(path_, "SELECT typeof(wrapped_private_keys) FROM accounts"), "blob");
}

// A child process commits rows and reports each acknowledged one on a pipe; it is killed with
// SIGKILL mid-stream. Every acknowledged row must be there after reopening, and the file must
// pass integrity_check.
TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveKill9) {
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      auto store = SqliteStore::New(path_);
      if (!store.ok()) _exit(2);
      for (int i = 0;; ++i) {
        std::string key = "r" + std::to_string(round) + "-" + std::to_string(i);
        Status status = (*store)->Transact([&](Tx& tx) {
          return tx.InsertServerSecret(key, Bytes(512, static_cast<uint8_t>(i)));
        });
        if (!status.ok()) _exit(3);
        uint32_t acked = static_cast<uint32_t>(i);
        if (write(fds[1], &acked, sizeof acked) != sizeof acked) _exit(4);
      }
    }
    close(fds[1]);
    uint32_t last = 0;
    int acks = 0;
    while (acks < 20 + round * 10) {
      ASSERT_EQ(read(fds[0], &last, sizeof last), static_cast<ssize_t>(sizeof last));
      ++acks;
    }
    kill(child, SIGKILL);
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    // Drain what was acknowledged before the kill landed.
    uint32_t value = 0;
    while (read(fds[0], &value, sizeof value) == static_cast<ssize_t>(sizeof value)) last = value;
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(wstatus));

    auto store = Open();
    ASSERT_NE(store, nullptr);
    for (uint32_t i = 0; i <= last; ++i) {
      std::string key = "r" + std::to_string(round) + "-" + std::to_string(i);
      auto got = ReadResult<Bytes>(*store, [&](ReadTx& tx) { return tx.GetServerSecret(key); });
      ASSERT_TRUE(got.ok()) << key << " was acknowledged but is missing";
      EXPECT_EQ(got->size(), 512u);
    }
    store.reset();
    EXPECT_EQ(QueryText(path_, "PRAGMA integrity_check"), "ok");
  }
}

TEST_F(SqliteStoreTest, OneStorePerFile) {
  auto first = Open();
  ASSERT_NE(first, nullptr);
  auto second = SqliteStore::New(path_);
  EXPECT_EQ(second.code(), ErrorCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos);
  first.reset();
  EXPECT_NE(Open(), nullptr);  // the lock goes with the store
}

// White box: rows changed behind the store's back (what its file lock keeps other processes
// from doing) stay as the store last read them until its own next write, which proves the
// repeated reads came from memory; that write drops them all.
TEST_F(SqliteStoreTest, RepeatedReadsComeFromTheReadCacheUntilTheNextWrite) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const Bytes digest = B("session-digest");
  CV_ASSERT_OK(store->Transact([&](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertAccount(MakeAccount("a1", "a@x.org")));
    CV_RETURN_IF_ERROR(tx.InsertWorkspace(MakeWorkspace("w1", "a1")));
    CV_RETURN_IF_ERROR(tx.InsertMember(MakeMember("w1", "a1", Role::kOwner)));
    CV_RETURN_IF_ERROR(tx.InsertCredential(MakeCredential("c1", "w1")));
    return tx.InsertSession(SessionRow{digest, "a1", B("csrf"), 1, 100});
  }));
  auto read_all = [&]() {
    return store->Read([&](ReadTx& tx) -> Status {
      CV_RETURN_IF_ERROR(tx.GetSession(digest, 50).status());
      CV_RETURN_IF_ERROR(tx.GetMember("w1", "a1").status());
      CV_RETURN_IF_ERROR(tx.GetWorkspace("w1").status());
      return tx.GetCredential("w1", "c1").status();
    });
  };
  CV_ASSERT_OK(read_all());
  QueryText(path_, "DELETE FROM sessions");
  QueryText(path_, "UPDATE members SET role = 'viewer'");
  QueryText(path_, "UPDATE credentials SET version = 7");
  CV_EXPECT_OK(read_all());
  auto member = ReadResult<MemberRow>(*store, [](ReadTx& tx) { return tx.GetMember("w1", "a1"); });
  ASSERT_TRUE(member.ok());
  EXPECT_EQ(member->role, Role::kOwner);

  CV_ASSERT_OK(store->Transact([](Tx& tx) { return tx.InsertServerSecret("any", B("write")); }));
  CV_EXPECT_CODE(read_all(), ErrorCode::kNotFound);  // the session is gone now
  member = ReadResult<MemberRow>(*store, [](ReadTx& tx) { return tx.GetMember("w1", "a1"); });
  ASSERT_TRUE(member.ok());
  EXPECT_EQ(member->role, Role::kViewer);
  auto credential =
      ReadResult<SealedCredential>(*store, [](ReadTx& tx) { return tx.GetCredential("w1", "c1"); });
  ASSERT_TRUE(credential.ok());
  EXPECT_EQ(credential->version, 7u);
}

}  // namespace
}  // namespace credvault::server::testing
