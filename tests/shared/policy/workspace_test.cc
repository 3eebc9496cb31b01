#include "credvault/workspace.h"

#include <gtest/gtest.h>

namespace credvault {
namespace {

Workspace Team() {
  Workspace w;
  w.id = "ws-1";
  w.name = "Platform";
  w.members = {{"owner-1", Role::kOwner, 1},
               {"admin-1", Role::kAdmin, 2},
               {"admin-2", Role::kAdmin, 3},
               {"op-1", Role::kOperator, 4},
               {"viewer-1", Role::kViewer, 5}};
  return w;
}

TEST(WorkspaceTest, AddingMembers) {
  Workspace w = Team();
  EXPECT_TRUE(CheckAddMember(w, "owner-1", "new", Role::kOwner).ok());
  EXPECT_TRUE(CheckAddMember(w, "admin-1", "new", Role::kAdmin).ok());
  EXPECT_EQ(CheckAddMember(w, "admin-1", "new", Role::kOwner).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckAddMember(w, "op-1", "new", Role::kViewer).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckAddMember(w, "viewer-1", "new", Role::kViewer).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckAddMember(w, "stranger", "new", Role::kViewer).code(), ErrorCode::kNotFound);
  EXPECT_EQ(CheckAddMember(w, "owner-1", "op-1", Role::kViewer).code(), ErrorCode::kConflict);
}

TEST(WorkspaceTest, RoleChanges) {
  Workspace w = Team();
  EXPECT_TRUE(CheckRoleChange(w, "admin-1", "op-1", Role::kViewer).ok());
  EXPECT_TRUE(CheckRoleChange(w, "admin-1", "admin-2", Role::kOperator).ok());
  // An admin cannot demote an owner or make one.
  EXPECT_EQ(CheckRoleChange(w, "admin-1", "owner-1", Role::kAdmin).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckRoleChange(w, "admin-1", "op-1", Role::kOwner).code(),
            ErrorCode::kPermissionDenied);
  // Nobody promotes themselves.
  EXPECT_EQ(CheckRoleChange(w, "admin-1", "admin-1", Role::kOwner).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckRoleChange(w, "viewer-1", "viewer-1", Role::kOperator).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckRoleChange(w, "op-1", "viewer-1", Role::kOperator).code(),
            ErrorCode::kPermissionDenied);
  // The last owner cannot step down, nor be demoted by anyone.
  EXPECT_EQ(CheckRoleChange(w, "owner-1", "owner-1", Role::kAdmin).code(), ErrorCode::kConflict);
  EXPECT_TRUE(CheckRoleChange(w, "owner-1", "admin-1", Role::kOwner).ok());
  w.members[1].role = Role::kOwner;
  EXPECT_TRUE(CheckRoleChange(w, "owner-1", "owner-1", Role::kAdmin).ok());
  EXPECT_TRUE(CheckRoleChange(w, "admin-1", "owner-1", Role::kViewer).ok());
  EXPECT_EQ(CheckRoleChange(w, "owner-1", "ghost", Role::kViewer).code(), ErrorCode::kNotFound);
}

TEST(WorkspaceTest, RemovingMembers) {
  Workspace w = Team();
  EXPECT_TRUE(CheckRemoveMember(w, "viewer-1", "viewer-1").ok());  // anyone may leave
  EXPECT_TRUE(CheckRemoveMember(w, "admin-1", "op-1").ok());
  EXPECT_EQ(CheckRemoveMember(w, "op-1", "viewer-1").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckRemoveMember(w, "admin-1", "owner-1").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CheckRemoveMember(w, "owner-1", "owner-1").code(), ErrorCode::kConflict);
  w.members.push_back({"owner-2", Role::kOwner, 6});
  EXPECT_TRUE(CheckRemoveMember(w, "owner-1", "owner-1").ok());
  EXPECT_TRUE(CheckRemoveMember(w, "owner-2", "owner-1").ok());
  EXPECT_EQ(CheckRemoveMember(w, "owner-1", "ghost").code(), ErrorCode::kNotFound);
}

TEST(WorkspaceTest, WorkspaceNameIsChecked) {
  Workspace w = Team();
  EXPECT_TRUE(CheckWorkspace(w).empty());
  w.name = "";
  ASSERT_EQ(CheckWorkspace(w).size(), 1u);
  EXPECT_EQ(CheckWorkspace(w)[0].field, "name");
}

ConnectionSummary Conn(std::string id, std::string name, std::string credential,
                       ConnectionState state = ConnectionState::kConnected) {
  ConnectionSummary s;
  s.id = std::move(id);
  s.name = std::move(name);
  s.credential_id = std::move(credential);
  s.state = state;
  return s;
}

TEST(WorkspaceTest, CredentialInUseCannotBeDeleted) {
  std::vector<ConnectionSummary> conns = {
      Conn("c1", "prod-eu", "cred-a"), Conn("c2", "prod-us", "cred-b"),
      Conn("c3", "staging", "cred-a"), Conn("c4", "old", "cred-a", ConnectionState::kDeleted)};
  auto uses = FindCredentialUses("cred-a", conns);
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0], (CredentialUse{"c1", "prod-eu"}));
  EXPECT_EQ(uses[1], (CredentialUse{"c3", "staging"}));
  Status s = CheckCredentialDeletable(uses);
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_EQ(s.message(),
            "the credential is used by 2 connections: prod-eu (c1), staging (c3); move them to "
            "another credential or delete them first");
  EXPECT_TRUE(CheckCredentialDeletable(FindCredentialUses("cred-z", conns)).ok());
  EXPECT_TRUE(FindCredentialUses("", conns).empty());

  std::vector<SealedConnection> sealed(12);
  for (size_t i = 0; i < sealed.size(); ++i) {
    sealed[i].id = "s" + std::to_string(i);
    sealed[i].credential_id = "cred-a";
  }
  auto server_uses = FindCredentialUses("cred-a", sealed);
  ASSERT_EQ(server_uses.size(), 12u);
  Status many = CheckCredentialDeletable(server_uses);
  EXPECT_EQ(many.code(), ErrorCode::kConflict);
  EXPECT_NE(many.message().find("s0, s1"), std::string::npos);
  EXPECT_NE(many.message().find("and 2 more"), std::string::npos);
}

}  // namespace
}  // namespace credvault
