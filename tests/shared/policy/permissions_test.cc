#include "credvault/permissions.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace credvault {
namespace {

// The intended table, restated here: role → actions it may take.
const std::map<std::string, std::set<std::string>> kExpected = {
    {"viewer", {"read_credentials", "read_connections"}},
    {"operator",
     {"read_credentials", "create_credential", "edit_credential", "open_credential_secrets",
      "read_connections", "create_connection", "edit_connection", "change_connection_state",
      "run_test", "read_audit"}},
    {"admin",
     {"read_credentials", "create_credential", "edit_credential", "delete_credential",
      "share_credential", "open_credential_secrets", "read_connections", "create_connection",
      "edit_connection", "delete_connection", "change_connection_state", "run_test",
      "manage_members", "manage_runners", "manage_environments", "read_audit", "edit_workspace"}},
    {"owner",
     {"read_credentials", "create_credential", "edit_credential", "delete_credential",
      "share_credential", "open_credential_secrets", "read_connections", "create_connection",
      "edit_connection", "delete_connection", "change_connection_state", "run_test",
      "manage_members", "manage_runners", "manage_environments", "read_audit", "edit_workspace",
      "delete_workspace"}},
};

TEST(PermissionsTest, EveryRoleActionCell) {
  int cells = 0;
  for (Role role : kAllRoles) {
    for (size_t i = 0; i < kActionCount; ++i) {
      auto action = static_cast<Action>(i);
      std::string name(ActionName(action));
      ASSERT_NE(name, "unknown");
      EXPECT_EQ(Allows(role, action), kExpected.at(std::string(RoleName(role))).count(name) == 1)
          << RoleName(role) << " " << name;
      ++cells;
    }
    EXPECT_EQ(AllowedActions(role).size(), kExpected.at(std::string(RoleName(role))).size());
  }
  EXPECT_EQ(cells, 4 * 18);
}

TEST(PermissionsTest, KeysFollowTheRole) {
  EXPECT_TRUE(ReceivesSecretsKey(Role::kOwner));
  EXPECT_TRUE(ReceivesSecretsKey(Role::kAdmin));
  EXPECT_TRUE(ReceivesSecretsKey(Role::kOperator));
  EXPECT_FALSE(ReceivesSecretsKey(Role::kViewer));
  for (Role role : kAllRoles) {
    EXPECT_TRUE(ReceivesMetadataKey(role));
    EXPECT_EQ(ReceivesSecretsKey(role), Allows(role, Action::kOpenCredentialSecrets));
  }
  // An out-of-range value gets the least power, not the most.
  auto bogus = static_cast<Role>(42);
  EXPECT_FALSE(ReceivesSecretsKey(bogus));
  EXPECT_FALSE(Allows(bogus, Action::kDeleteWorkspace));
}

TEST(PermissionsTest, NamesParseAndFormat) {
  for (Role role : kAllRoles) EXPECT_EQ(ParseRole(RoleName(role)), role);
  for (size_t i = 0; i < kActionCount; ++i) {
    auto action = static_cast<Action>(i);
    EXPECT_EQ(ParseAction(ActionName(action)), action);
  }
  EXPECT_EQ(ParseRole("Owner"), std::nullopt);
  EXPECT_EQ(ParseRole("superuser"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
  EXPECT_EQ(ParseAction("read"), std::nullopt);
}

}  // namespace
}  // namespace credvault
