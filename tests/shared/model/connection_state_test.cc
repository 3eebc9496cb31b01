// Every (state, event, role) cell of the connection state machine, checked against a table
// written here independently of shared/src/model/connection_state.cc.
#include "credvault/connection_state.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace credvault {
namespace {

// Who may do what, restated from the intended policy rather than read from the core.
bool MayChangeState(const std::string& role) { return role != "viewer"; }
bool MayDelete(const std::string& role) { return role == "owner" || role == "admin"; }
bool MayTest(const std::string& role) { return role != "viewer"; }
bool MayImport(const std::string& role) { return role != "viewer"; }

// from → targets a user may pick.
const std::map<std::string, std::set<std::string>> kPicks = {
    {"discovered", {"registered", "ignored", "deleted"}},
    {"registered", {"maintenance", "ignored", "deleted"}},
    {"connected", {"disconnected", "maintenance", "ignored", "deleted"}},
    {"ignored", {"registered", "deleted"}},
    {"maintenance", {"registered", "deleted"}},
    {"disconnected", {"maintenance", "ignored", "deleted"}},
    {"deleted", {}},
    {"not_found", {"discovered", "ignored", "deleted"}},
};

// from → outcome → to ("" = refused).
const std::map<std::string, std::map<std::string, std::string>> kTests = [] {
  std::map<std::string, std::map<std::string, std::string>> t;
  auto row = [&](const std::string& from, const std::string& ok, const std::string& auth,
                 const std::string& other) {
    std::string same = from == "deleted" ? "" : from;
    t[from] = {{"ok", ok},
               {"unauthorized", auth},
               {"forbidden", auth},
               {"tls_client_cert_refused", auth},
               {"unreachable", other},
               {"tls_untrusted", other},
               {"tls_hostname_mismatch", other},
               {"tls_expired", other},
               {"not_found", other},
               {"unexpected", other},
               {"rate_limited", same},
               {"blocked_by_policy", same}};
  };
  row("discovered", "connected", "disconnected", "not_found");
  row("registered", "connected", "disconnected", "not_found");
  row("connected", "connected", "disconnected", "disconnected");
  row("ignored", "ignored", "ignored", "ignored");
  row("maintenance", "maintenance", "maintenance", "maintenance");
  row("disconnected", "connected", "disconnected", "disconnected");
  row("deleted", "", "", "");
  row("not_found", "connected", "disconnected", "not_found");
  return t;
}();

// from → to on re-import ("" = refused).
const std::map<std::string, std::string> kImports = {
    {"discovered", "discovered"},
    {"registered", "registered"},
    {"connected", "connected"},
    {"ignored", "ignored"},
    {"maintenance", "maintenance"},
    {"disconnected", "disconnected"},
    {"deleted", ""},
    {"not_found", "discovered"},
};

void ExpectCell(const Result<ConnectionState>& got, bool role_ok, const std::string& want,
                const std::string& where) {
  if (!role_ok) {
    EXPECT_EQ(got.code(), ErrorCode::kPermissionDenied) << where;
  } else if (want.empty()) {
    EXPECT_EQ(got.code(), ErrorCode::kInvalidTransition) << where;
  } else {
    ASSERT_TRUE(got.ok()) << where << ": " << got.status().ToString();
    EXPECT_EQ(ConnectionStateName(*got), want) << where;
  }
}

TEST(ConnectionStateTest, EveryUserPickCell) {
  int cells = 0;
  for (ConnectionState from : kAllConnectionStates) {
    std::string f(ConnectionStateName(from));
    for (Role role : kAllRoles) {
      std::string r(RoleName(role));
      for (ConnectionState to : kAllConnectionStates) {
        std::string t(ConnectionStateName(to));
        bool role_ok = t == "deleted" ? MayDelete(r) : MayChangeState(r);
        std::string want = kPicks.at(f).count(t) ? t : "";
        ExpectCell(ApplyEvent(from, ConnectionEvent::UserPick(to), role), role_ok, want,
                   f + " -pick " + t + "- as " + r);
        ++cells;
      }
    }
  }
  EXPECT_EQ(cells, 8 * 4 * 8);
}

TEST(ConnectionStateTest, EveryTestOutcomeCell) {
  int cells = 0;
  for (ConnectionState from : kAllConnectionStates) {
    std::string f(ConnectionStateName(from));
    for (Role role : kAllRoles) {
      std::string r(RoleName(role));
      for (TestOutcome outcome : kAllTestOutcomes) {
        std::string o(TestOutcomeName(outcome));
        ExpectCell(ApplyEvent(from, ConnectionEvent::Test(outcome), role), MayTest(r),
                   kTests.at(f).at(o), f + " -test " + o + "- as " + r);
        ++cells;
      }
    }
  }
  EXPECT_EQ(cells, 8 * 4 * 12);
}

TEST(ConnectionStateTest, EveryImportCell) {
  for (ConnectionState from : kAllConnectionStates) {
    std::string f(ConnectionStateName(from));
    for (Role role : kAllRoles) {
      std::string r(RoleName(role));
      ExpectCell(ApplyEvent(from, ConnectionEvent::Import(), role), MayImport(r), kImports.at(f),
                 f + " -import- as " + r);
    }
  }
}

TEST(ConnectionStateTest, AllowedUserTransitionsMatchApplyEventAndCarryText) {
  for (ConnectionState from : kAllConnectionStates) {
    for (Role role : kAllRoles) {
      std::set<ConnectionState> listed;
      for (const UserTransition& t : AllowedUserTransitions(from, role)) {
        EXPECT_TRUE(listed.insert(t.to).second) << "listed twice";
        EXPECT_FALSE(t.label.empty());
        EXPECT_GT(t.confirmation.size(), 20u);
        EXPECT_TRUE(t.confirmation.ends_with("?") || t.confirmation.find('?') != std::string::npos);
        EXPECT_EQ(t.destructive, t.to == ConnectionState::kDeleted);
      }
      for (ConnectionState to : kAllConnectionStates) {
        bool applies = ApplyEvent(from, ConnectionEvent::UserPick(to), role).ok();
        EXPECT_EQ(listed.count(to) == 1, applies)
            << ConnectionStateName(from) << "→" << ConnectionStateName(to) << " as "
            << RoleName(role);
      }
    }
  }
}

TEST(ConnectionStateTest, RulesStatedInTheIssueHold) {
  for (ConnectionState from : kAllConnectionStates) {
    // not_found is never chosen by a user.
    EXPECT_FALSE(FindUserTransition(from, ConnectionState::kNotFound));
    // Nothing leaves deleted.
    if (from != ConnectionState::kDeleted) continue;
    for (ConnectionState to : kAllConnectionStates) EXPECT_FALSE(FindUserTransition(from, to));
  }
  // Authentication failures never give not_found.
  for (ConnectionState from : kAllConnectionStates) {
    for (TestOutcome o : {TestOutcome::kUnauthorized, TestOutcome::kForbidden,
                          TestOutcome::kTlsClientCertRefused}) {
      auto got = ApplyEvent(from, ConnectionEvent::Test(o), Role::kOwner);
      if (got.ok()) {
        EXPECT_NE(*got, ConnectionState::kNotFound);
      }
    }
  }
  // Re-import keeps the user's ignored and maintenance.
  EXPECT_EQ(*ApplyEvent(ConnectionState::kIgnored, ConnectionEvent::Import(), Role::kOperator),
            ConnectionState::kIgnored);
  EXPECT_EQ(*ApplyEvent(ConnectionState::kMaintenance, ConnectionEvent::Import(), Role::kOwner),
            ConnectionState::kMaintenance);
}

TEST(ConnectionStateTest, NamesRoundTripAndUnknownsAreRefused) {
  for (ConnectionState s : kAllConnectionStates) {
    EXPECT_EQ(ParseConnectionState(ConnectionStateName(s)), s);
  }
  for (TestOutcome o : kAllTestOutcomes) EXPECT_EQ(ParseTestOutcome(TestOutcomeName(o)), o);
  EXPECT_EQ(ParseConnectionState("not found"), std::nullopt);  // Meshery's spelling
  EXPECT_EQ(ParseConnectionState("Connected"), std::nullopt);
  EXPECT_EQ(ParseTestOutcome(""), std::nullopt);
  EXPECT_EQ(ApplyEvent(ConnectionState::kConnected,
                       ConnectionEvent::Test(static_cast<TestOutcome>(77)), Role::kOwner)
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      ApplyEvent(static_cast<ConnectionState>(99), ConnectionEvent::Import(), Role::kOwner).code(),
      ErrorCode::kInvalidArgument);
  EXPECT_TRUE(IsManagedState(ConnectionState::kNotFound));
  EXPECT_FALSE(IsManagedState(ConnectionState::kIgnored));
  EXPECT_FALSE(IsManagedState(ConnectionState::kMaintenance));
}

}  // namespace
}  // namespace credvault
