// The value-parameterised fixture of the Store conformance suite (one parameter per engine in
// store_engines.h), and row builders shared by its test files.
#ifndef CREDVAULT_TESTS_SERVER_STORE_STORE_TEST_FIXTURE_H_
#define CREDVAULT_TESTS_SERVER_STORE_STORE_TEST_FIXTURE_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"
#include "store_engines.h"

namespace credvault::server::testing {

// Check a Status or Result, evaluating `expr` once, and print its status on failure.
#define CV_ASSERT_OK(expr)                                              \
  do {                                                                  \
    const ::credvault::Status cv_status_ = ::credvault::StatusOf(expr); \
    ASSERT_TRUE(cv_status_.ok()) << cv_status_.ToString();              \
  } while (0)
#define CV_EXPECT_OK(expr)                                              \
  do {                                                                  \
    const ::credvault::Status cv_status_ = ::credvault::StatusOf(expr); \
    EXPECT_TRUE(cv_status_.ok()) << cv_status_.ToString();              \
  } while (0)
#define CV_EXPECT_CODE(expr, error_code)                                \
  do {                                                                  \
    const ::credvault::Status cv_status_ = ::credvault::StatusOf(expr); \
    EXPECT_EQ(cv_status_.code(), error_code) << cv_status_.ToString();  \
  } while (0)

inline Bytes B(std::string_view text) { return Bytes(text.begin(), text.end()); }

inline AccountRow MakeAccount(const std::string& id, const std::string& email) {
  AccountRow row;
  row.record.account_id = id;
  row.record.email = email;
  row.record.kdf = {3, 64ull << 20};
  row.record.salt = B("salt-" + id);
  row.record.keys_version = 1;
  row.record.box_public_key = B("box-" + id);
  row.record.sign_public_key = B("sign-" + id);
  row.record.wrapped_private_keys = B("wrapped-" + id);
  row.record.recovery_wrapped_private_keys = B("recovery-" + id);
  row.auth_hash = "$argon2id$auth-" + id;
  row.recovery_auth_hash = "$argon2id$recovery-" + id;
  row.created_at = 1000;
  row.updated_at = 1000;
  return row;
}

inline WorkspaceRow MakeWorkspace(const std::string& id, const std::string& created_by) {
  WorkspaceRow row;
  row.id = id;
  row.name = "Workspace " + id;
  row.created_at = 2000;
  row.updated_at = 2000;
  row.created_by = created_by;
  return row;
}

inline MemberRow MakeMember(const std::string& workspace_id, const std::string& account_id,
                            Role role) {
  return MemberRow{workspace_id, account_id, role, 1, 3000};
}

inline KeyGrant MakeKeyGrant(const std::string& workspace_id, const std::string& recipient_id,
                             uint32_t generation, bool secrets) {
  KeyGrant grant;
  grant.workspace_id = workspace_id;
  grant.recipient_id = recipient_id;
  grant.granter_id = "granter";
  grant.generation = generation;
  grant.includes_secrets = secrets;
  grant.sealed = B("sealed-" + recipient_id + "-" + std::to_string(generation));
  grant.signature = B("sig");
  return grant;
}

inline CredentialGrant MakeCredentialGrant(const std::string& workspace_id,
                                           uint32_t generation = 1) {
  return CredentialGrant{workspace_id, generation, B("wrapped-" + workspace_id),
                         B("name-" + workspace_id)};
}

inline SealedCredential MakeCredential(const std::string& id, const std::string& workspace_id,
                                       ServiceKind kind = ServiceKind::kKubernetes) {
  SealedCredential row;
  row.id = id;
  row.owner_id = "owner";
  row.workspace_id = workspace_id;
  row.kind = kind;
  row.method = AuthMethod::kBearerToken;
  row.created_at = 4000;
  row.updated_at = 4000;
  row.sealed_secret = B("secret-" + id);
  row.grants.push_back(MakeCredentialGrant(workspace_id));
  return row;
}

inline SealedConnection MakeConnection(const std::string& id, const std::string& workspace_id,
                                       ServiceKind kind = ServiceKind::kKubernetes,
                                       ConnectionState state = ConnectionState::kDiscovered) {
  SealedConnection row;
  row.id = id;
  row.workspace_id = workspace_id;
  row.kind = kind;
  row.state = state;
  row.created_at = 5000;
  row.updated_at = 5000;
  row.sealed_details = B("details-" + id);
  return row;
}

inline EnvironmentRow MakeEnvironment(const std::string& id, const std::string& workspace_id,
                                      const std::string& name) {
  return EnvironmentRow{id, workspace_id, name, 1, 6000, 6000};
}

class StoreConformance : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credvault-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Closes the store (if open) and opens it again on the same data.
  void Reopen() {
    store_.reset();
    auto opened = GetParam().open(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  Status Write(const std::function<Status(Tx&)>& fn) { return store_->Transact(fn); }

  // An account and a workspace it owns: the base most tests need.
  void SeedOwner(const std::string& account_id, const std::string& workspace_id) {
    CV_ASSERT_OK(Write([&](Tx& tx) -> Status {
      Status account = tx.InsertAccount(MakeAccount(account_id, account_id + "@example.com"));
      if (!account.ok() && account.code() != ErrorCode::kConflict) return account;
      CV_RETURN_IF_ERROR(tx.InsertWorkspace(MakeWorkspace(workspace_id, account_id)));
      return tx.InsertMember(MakeMember(workspace_id, account_id, Role::kOwner));
    }));
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

std::string EngineName(const ::testing::TestParamInfo<StoreEngine>& info);

}  // namespace credvault::server::testing

#endif  // CREDVAULT_TESTS_SERVER_STORE_STORE_TEST_FIXTURE_H_
