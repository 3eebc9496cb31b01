// Connection rules of the REST API: parsing, new connections and their starting state,
// updates, transitions decided by the core's state machine, list filters and counts.
#include "handlers/connections_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "credvault/crypto.h"
#include "credvault/model_json.h"
#include "credvault/workspace_keys.h"
#include "store/store.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// The core's crypto (ids, keys, envelopes) needs libsodium initialised.
class ConnectionsRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

constexpr int64_t kNow = 1'800'000'000;

SealedConnection Sealed(const std::string& workspace_id, uint64_t version = 1,
                        const std::string& id = NewObjectId()) {
  const WorkspaceKeys keys = WorkspaceKeys::Generate(workspace_id, 1);
  ConnectionView view;
  view.id = id;
  view.workspace_id = workspace_id;
  view.kind = ServiceKind::kPrometheus;
  view.name = "metrics";
  view.endpoint = ParseEndpoint("https://prom.example.com:9090").value();
  view.version = version;
  Result<SealedConnection> sealed = SealConnection(view, keys);
  EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
  return std::move(sealed).value();
}

TEST_F(ConnectionsRulesTest, ParsesWhatTheCoreWrites) {
  const SealedConnection sealed = Sealed(NewObjectId());
  Result<SealedConnection> parsed = ParseConnectionBody(SealedConnectionToJson(sealed));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->id, sealed.id);
}

TEST_F(ConnectionsRulesTest, BadBodies) {
  const json good = SealedConnectionToJson(Sealed(NewObjectId()));
  json body = good;
  body["endpoint"] = "https://leak.example.com";
  EXPECT_EQ(ParseConnectionBody(body).status().message(), "endpoint: unknown field");
  body = good;
  body["credential_id"] = "not-an-id";
  EXPECT_EQ(ParseConnectionBody(body).status().message(), "credential_id: not an object id");
  body = good;
  const std::string env = NewObjectId();
  body["environment_ids"] = {env, env};
  EXPECT_EQ(ParseConnectionBody(body).status().message(), "environment_ids[1]: listed twice");
  body = good;
  body["environment_ids"] = {"x"};
  EXPECT_EQ(ParseConnectionBody(body).status().message(), "environment_ids[0]: not an object id");
  body = good;
  body["state"] = "exploded";
  EXPECT_EQ(ParseConnectionBody(body).code(), ErrorCode::kValidation);
  body = good;
  body["sealed_details"] = "bm90IGFuIGVudmVsb3Bl";
  EXPECT_NE(ParseConnectionBody(body).code(), ErrorCode::kOk);
  body = good;
  body["managed"] = "yes";
  EXPECT_EQ(ParseConnectionBody(body).code(), ErrorCode::kValidation);
  body = good;
  body["last_test"] = {{"outcome", "ok"}, {"tested_at", 1}, {"bogus", 1}};
  EXPECT_EQ(ParseConnectionBody(body).status().message(), "last_test.bogus: unknown field");
}

TEST_F(ConnectionsRulesTest, NewConnectionStartsDiscoveredOrWhereTheRoleCanPick) {
  const std::string ws = NewObjectId();
  SealedConnection connection = Sealed(ws);
  Result<SealedConnection> row = CheckNewConnection(connection, ws, Role::kViewer, kNow);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->created_at, kNow);

  connection.state = ConnectionState::kRegistered;
  EXPECT_TRUE(CheckNewConnection(connection, ws, Role::kOperator, kNow).ok());
  EXPECT_EQ(CheckNewConnection(connection, ws, Role::kViewer, kNow).code(),
            ErrorCode::kPermissionDenied);
  connection.state = ConnectionState::kConnected;  // only a test reaches it
  EXPECT_EQ(CheckNewConnection(connection, ws, Role::kOwner, kNow).code(),
            ErrorCode::kInvalidTransition);
  connection.state = ConnectionState::kNotFound;
  EXPECT_EQ(CheckNewConnection(connection, ws, Role::kOwner, kNow).code(),
            ErrorCode::kInvalidTransition);
  connection.state = ConnectionState::kDeleted;
  EXPECT_EQ(CheckNewConnection(connection, ws, Role::kOwner, kNow).code(), ErrorCode::kValidation);
  connection.state = kInitialConnectionState;
  EXPECT_EQ(CheckNewConnection(connection, NewObjectId(), Role::kOwner, kNow).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(CheckNewConnection(Sealed(ws, 2), ws, Role::kOwner, kNow).status().message(),
            "version: a new connection has version 1");
}

TEST_F(ConnectionsRulesTest, UpdateKeepsStateAndLastTest) {
  const std::string ws = NewObjectId();
  SealedConnection current = Sealed(ws);
  current.state = ConnectionState::kConnected;
  current.last_test = LastTest{TestOutcome::kOk, 100, 12, 200, ""};
  current.created_at = 9;
  SealedConnection next = Sealed(ws, 2, current.id);
  Result<SealedConnection> row = CheckConnectionUpdate(next, current, kNow);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->state, ConnectionState::kConnected);
  EXPECT_EQ(row->last_test, current.last_test);
  EXPECT_EQ(row->created_at, 9);
  EXPECT_EQ(row->updated_at, kNow);

  next.kind = ServiceKind::kGrafana;
  EXPECT_EQ(CheckConnectionUpdate(next, current, kNow).code(), ErrorCode::kValidation);
  EXPECT_EQ(CheckConnectionUpdate(Sealed(ws, 2), current, kNow).code(), ErrorCode::kValidation);
  current.state = ConnectionState::kDeleted;
  EXPECT_EQ(CheckConnectionUpdate(Sealed(ws, 2, current.id), current, kNow).code(),
            ErrorCode::kInvalidTransition);
}

TEST_F(ConnectionsRulesTest, TransitionBodies) {
  Result<TransitionRequest> request = ParseTransitionBody({{"version", 3u}, {"to", "ignored"}});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->version, 3u);
  EXPECT_EQ(request->to, ConnectionState::kIgnored);

  EXPECT_EQ(ParseTransitionBody({{"to", "ignored"}}).status().message(), "version: missing");
  EXPECT_EQ(ParseTransitionBody({{"version", 1u}}).code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseTransitionBody({{"version", 1u}, {"to", "gone"}}).status().message(),
            "to: not a connection state");
  EXPECT_EQ(ParseTransitionBody({{"version", -1}, {"to", "ignored"}}).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(
      ParseTransitionBody({{"version", 1u}, {"to", "ignored"}, {"why", "x"}}).status().message(),
      "why: unknown field");
  EXPECT_EQ(
      ParseTransitionBody({{"version", 1u}, {"to", "ignored"}, {"test", json::object()}}).code(),
      ErrorCode::kValidation);
  EXPECT_EQ(ParseTransitionBody({{"version", 1u}, {"test", "ok"}}).status().message(),
            "test: must be an object");
}

TEST_F(ConnectionsRulesTest, UserPicksGoThroughTheStateMachine) {
  SealedConnection current = Sealed(NewObjectId());
  current.version = 4;
  TransitionRequest pick;
  pick.version = 4;
  pick.to = ConnectionState::kRegistered;
  Result<TransitionOutcome> outcome = DecideTransition(current, pick, Role::kOperator);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->state, ConnectionState::kRegistered);

  EXPECT_EQ(DecideTransition(current, pick, Role::kViewer).code(), ErrorCode::kPermissionDenied);
  pick.to = ConnectionState::kNotFound;
  EXPECT_EQ(DecideTransition(current, pick, Role::kOwner).code(), ErrorCode::kInvalidTransition);
  pick.to = ConnectionState::kConnected;
  EXPECT_EQ(DecideTransition(current, pick, Role::kOwner).code(), ErrorCode::kInvalidTransition);
  pick.to = ConnectionState::kDeleted;
  EXPECT_EQ(DecideTransition(current, pick, Role::kOperator).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(DecideTransition(current, pick, Role::kAdmin)->state, ConnectionState::kDeleted);

  pick.version = 3;
  const Status stale = DecideTransition(current, pick, Role::kAdmin).status();
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  EXPECT_EQ(CurrentVersionOf(stale), 4u);

  current.state = ConnectionState::kDeleted;
  pick.version = 4;
  pick.to = ConnectionState::kRegistered;
  EXPECT_EQ(DecideTransition(current, pick, Role::kOwner).code(), ErrorCode::kInvalidTransition);
}

TEST_F(ConnectionsRulesTest, TestResultsGoThroughTheStateMachine) {
  SealedConnection current = Sealed(NewObjectId());
  const std::string runner = NewObjectId();
  TransitionRequest test;
  test.version = 1;
  test.test = json{{"outcome", "unauthorized"},
                   {"tested_at", 500},
                   {"latency_ms", 40},
                   {"http_status", 401},
                   {"runner_id", runner}};
  Result<TransitionOutcome> outcome = DecideTransition(current, test, Role::kOperator);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->state, ConnectionState::kDisconnected);
  ASSERT_TRUE(outcome->last_test.has_value());
  EXPECT_EQ(outcome->last_test->http_status, 401);
  EXPECT_EQ(outcome->last_test->runner_id, runner);

  EXPECT_EQ(DecideTransition(current, test, Role::kViewer).code(), ErrorCode::kPermissionDenied);
  test.test = json{{"outcome", "ok"}, {"tested_at", 500}};
  EXPECT_EQ(DecideTransition(current, test, Role::kOperator)->state, ConnectionState::kConnected);
  test.test = json{{"outcome", "splendid"}, {"tested_at", 500}};
  const Status bad = DecideTransition(current, test, Role::kOperator).status();
  EXPECT_EQ(bad.code(), ErrorCode::kValidation);
  EXPECT_EQ(bad.message().rfind("test.outcome", 0), 0u) << bad.message();
  test.test = json{{"outcome", "ok"}, {"tested_at", 500}, {"body", "x"}};
  EXPECT_EQ(DecideTransition(current, test, Role::kOperator).status().message(),
            "test.body: unknown field");
  test.test = json{{"outcome", "ok"}, {"tested_at", 500}, {"runner_id", "r1"}};
  EXPECT_EQ(DecideTransition(current, test, Role::kOperator).status().message(),
            "test.runner_id: not an object id");
}

TEST_F(ConnectionsRulesTest, FiltersAndCounts) {
  EXPECT_FALSE(ParseKindFilter("")->has_value());
  EXPECT_EQ(ParseKindFilter("grafana")->value(), ServiceKind::kGrafana);
  EXPECT_EQ(ParseKindFilter("mysql").code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseStateFilter("not_found")->value(), ConnectionState::kNotFound);
  EXPECT_EQ(ParseStateFilter("gone").code(), ErrorCode::kValidation);

  const json counts = CountsJson({{ConnectionState::kConnected, 3}});
  EXPECT_EQ(counts.size(), kConnectionStateCount);
  EXPECT_EQ(counts["connected"], 3);
  EXPECT_EQ(counts["deleted"], 0);
}

}  // namespace
}  // namespace credvault::server
