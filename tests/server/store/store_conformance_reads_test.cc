// Store conformance suite, part 3: a read after a write sees the write. The rows that every
// authenticated request reads (session, member, workspace, credential) are read, read again
// (the SQLite engine then answers from its ReadCache), changed, and read once more; and
// concurrent readers never see rows from two moments in one read.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store_test_fixture.h"

namespace credvault::server::testing {
namespace {

const Bytes kDigest = B("digest-of-a-session-token");

// The four hot reads, twice each, so that the second comes from a cache if the engine has one.
Status ReadHotRowsTwice(Store& store, int64_t now) {
  for (int i = 0; i < 2; ++i) {
    CV_RETURN_IF_ERROR(store.Read([&](ReadTx& tx) -> Status {
      CV_RETURN_IF_ERROR(tx.GetSession(kDigest, now).status());
      CV_RETURN_IF_ERROR(tx.GetMember("w1", "a1").status());
      CV_RETURN_IF_ERROR(tx.GetWorkspace("w1").status());
      return tx.GetCredential("w1", "c1").status();
    }));
  }
  return Status::Ok();
}

class StoreReadsAfterWrites : public StoreConformance {
 protected:
  void SetUp() override {
    StoreConformance::SetUp();
    SeedOwner("a1", "w1");
    SeedOwner("a2", "w2");
    CV_ASSERT_OK(Write([](Tx& tx) -> Status {
      CV_RETURN_IF_ERROR(tx.InsertSession(SessionRow{kDigest, "a1", B("csrf"), 100, 1000}));
      return tx.InsertCredential(MakeCredential("c1", "w1"));
    }));
    CV_ASSERT_OK(ReadHotRowsTwice(*store_, 500));
  }

  template <typename Row>
  Result<Row> ReadOne(const std::function<Result<Row>(ReadTx&)>& fn) {
    return ReadResult<Row>(*store_, fn);
  }
  Result<SealedCredential> Credential(const std::string& workspace_id) {
    return ReadOne<SealedCredential>(
        [&](ReadTx& tx) { return tx.GetCredential(workspace_id, "c1"); });
  }
};

INSTANTIATE_TEST_SUITE_P(Engines, StoreReadsAfterWrites, ::testing::ValuesIn(StoreEngines()),
                         EngineName);

TEST_P(StoreReadsAfterWrites, SessionEndsAtItsExpiryAndOnLogout) {
  auto at = [&](int64_t now) {
    return ReadOne<SessionRow>([&](ReadTx& tx) { return tx.GetSession(kDigest, now); });
  };
  CV_EXPECT_OK(at(999));
  CV_EXPECT_CODE(at(1000), ErrorCode::kNotFound);  // dead from expires_at on, cached or not
  CV_EXPECT_OK(at(999));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteSession(kDigest); }));
  CV_EXPECT_CODE(at(999), ErrorCode::kNotFound);
}

TEST_P(StoreReadsAfterWrites, MemberRoleChangeAndRemovalAreSeen) {
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    MemberRow member = MakeMember("w1", "a2", Role::kAdmin);
    CV_RETURN_IF_ERROR(tx.InsertMember(member));
    member.role = Role::kViewer;
    return tx.UpdateMember(member, 1).status();
  }));
  auto member = ReadOne<MemberRow>([](ReadTx& tx) { return tx.GetMember("w1", "a2"); });
  ASSERT_TRUE(member.ok()) << member.status().ToString();
  EXPECT_EQ(member->role, Role::kViewer);
  CV_ASSERT_OK(ReadHotRowsTwice(*store_, 500));
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    MemberRow owner = MakeMember("w1", "a1", Role::kAdmin);
    return tx.UpdateMember(owner, 1).status();
  }));
  auto demoted = ReadOne<MemberRow>([](ReadTx& tx) { return tx.GetMember("w1", "a1"); });
  ASSERT_TRUE(demoted.ok()) << demoted.status().ToString();
  EXPECT_EQ(demoted->role, Role::kAdmin);
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteMember("w1", "a2"); }));
  CV_EXPECT_CODE(ReadOne<MemberRow>([](ReadTx& tx) { return tx.GetMember("w1", "a2"); }),
                 ErrorCode::kNotFound);
}

TEST_P(StoreReadsAfterWrites, WorkspaceRenameIsSeen) {
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    WorkspaceRow renamed = MakeWorkspace("w1", "a1");
    renamed.name = "Renamed";
    return tx.UpdateWorkspace(renamed, 1).status();
  }));
  auto workspace = ReadOne<WorkspaceRow>([](ReadTx& tx) { return tx.GetWorkspace("w1"); });
  ASSERT_TRUE(workspace.ok()) << workspace.status().ToString();
  EXPECT_EQ(workspace->name, "Renamed");
  EXPECT_EQ(workspace->version, 2u);
}

TEST_P(StoreReadsAfterWrites, CredentialUpdateGrantRevokeAndDeleteAreSeen) {
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    SealedCredential changed = MakeCredential("c1", "w1");
    changed.sealed_secret = B("rotated");
    changed.version = 2;
    return tx.UpdateCredential(changed, 1).status();
  }));
  auto updated = Credential("w1");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->version, 2u);
  EXPECT_EQ(updated->sealed_secret, B("rotated"));

  CV_EXPECT_CODE(Credential("w2"), ErrorCode::kNotFound);
  CV_ASSERT_OK(
      Write([](Tx& tx) { return tx.PutCredentialGrant("c1", MakeCredentialGrant("w2")); }));
  auto shared = Credential("w1");
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(shared->grants.size(), 2u);  // the home workspace's view lists the new grant
  CV_EXPECT_OK(Credential("w2"));
  CV_EXPECT_OK(Credential("w2"));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteCredentialGrant("c1", "w2"); }));
  CV_EXPECT_CODE(Credential("w2"), ErrorCode::kNotFound);

  CV_ASSERT_OK(ReadHotRowsTwice(*store_, 500));
  CV_ASSERT_OK(Write([](Tx& tx) { return tx.DeleteCredential("c1"); }));
  CV_EXPECT_CODE(Credential("w1"), ErrorCode::kNotFound);
}

TEST_P(StoreReadsAfterWrites, RolledBackWriteLeavesTheOldRows) {
  Status failed = Write([](Tx& tx) -> Status {
    SealedCredential changed = MakeCredential("c1", "w1");
    changed.sealed_secret = B("never committed");
    changed.version = 2;
    CV_RETURN_IF_ERROR(tx.UpdateCredential(changed, 1).status());
    // Read inside the write: the uncommitted row, which no later read may see.
    CV_RETURN_IF_ERROR(tx.GetCredential("w1", "c1").status());
    return Status(ErrorCode::kValidation, "changed its mind");
  });
  EXPECT_EQ(failed.code(), ErrorCode::kValidation);
  auto credential = Credential("w1");
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  EXPECT_EQ(credential->version, 1u);
  EXPECT_EQ(credential->sealed_secret, B("secret-c1"));
}

// Each write moves the workspace and three credentials to the same next version together. A
// reader's workspace and credential must always agree, including when one comes from a cache
// and the other from a snapshot taken after a write began.
TEST_P(StoreReadsAfterWrites, ConcurrentReadersNeverMixTwoMoments) {
  CV_ASSERT_OK(Write([](Tx& tx) -> Status {
    CV_RETURN_IF_ERROR(tx.InsertCredential(MakeCredential("c2", "w1")));
    return tx.InsertCredential(MakeCredential("c3", "w1"));
  }));
  const std::vector<std::string> credentials = {"c1", "c2", "c3"};
  std::atomic<bool> stop{false};
  std::atomic<int> mixed{0};
  std::atomic<int> failed{0};
  std::atomic<int> reads{0};
  auto reader = [&](size_t offset) {
    for (size_t i = offset; !stop.load(); ++i) {
      // Reads in three shapes. Quick ones cache the workspace for the next. Slow ones let a
      // whole write land while they work: between a cached workspace and a credential read
      // from the file, or before a credential read from the file and a cached workspace.
      const std::string& credential_id = credentials[i % credentials.size()];
      const auto work = [] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); };
      Status status = store_->Read([&](ReadTx& tx) -> Status {
        WorkspaceRow workspace;
        SealedCredential credential;
        if (i % 3 == 2) {
          work();
          CV_ASSIGN_OR_RETURN(credential, tx.GetCredential("w1", credential_id));
          CV_ASSIGN_OR_RETURN(workspace, tx.GetWorkspace("w1"));
        } else {
          CV_ASSIGN_OR_RETURN(workspace, tx.GetWorkspace("w1"));
          if (i % 3 == 1) work();
          CV_ASSIGN_OR_RETURN(credential, tx.GetCredential("w1", credential_id));
        }
        if (credential.version != workspace.version) ++mixed;
        return Status::Ok();
      });
      if (!status.ok()) ++failed;
      ++reads;
    }
  };
  std::vector<std::thread> readers;
  for (size_t r = 0; r < 2; ++r) readers.emplace_back(reader, r);
  Status written = Status::Ok();
  for (uint64_t version = 1; version <= 60 && written.ok(); ++version) {
    written = Write([&](Tx& tx) -> Status {
      WorkspaceRow workspace = MakeWorkspace("w1", "a1");
      CV_RETURN_IF_ERROR(tx.UpdateWorkspace(workspace, version).status());
      for (const std::string& id : credentials) {
        SealedCredential credential = MakeCredential(id, "w1");
        credential.version = version + 1;
        CV_RETURN_IF_ERROR(tx.UpdateCredential(credential, version).status());
      }
      return Status::Ok();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  stop = true;
  for (std::thread& thread : readers) thread.join();
  CV_ASSERT_OK(written);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  auto last = Credential("w1");
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->version, 61u);
}

}  // namespace
}  // namespace credvault::server::testing
