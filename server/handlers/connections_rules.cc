#include "handlers/connections_rules.h"

#include <set>
#include <string>
#include <utility>

#include "api/json_body.h"
#include "credvault/crypto.h"
#include "credvault/model_json.h"
#include "handlers/credentials_rules.h"
#include "store/store.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// The transition body's own fields (the test object inside is the core's last_test JSON).
constexpr const char* kVersionField = "version";
constexpr const char* kToField = "to";
constexpr const char* kTestField = "test";
// Where the core's SealedConnection JSON keeps the last test.
constexpr std::string_view kLastTestField = "last_test";

Status Invalid(std::string message) { return Status(ErrorCode::kValidation, std::move(message)); }

// Re-labels the core's "last_test.x" errors as the request's "test.x".
Status AsTestField(const Status& status) {
  std::string message = status.message();
  if (message.rfind(kLastTestField, 0) == 0) {
    message.replace(0, kLastTestField.size(), kTestField);
  }
  return Status(status.code(), std::move(message));
}

}  // namespace

Result<SealedConnection> ParseConnectionBody(const json& body) {
  CV_ASSIGN_OR_RETURN(SealedConnection connection, SealedConnectionFromJson(body));
  CV_RETURN_IF_ERROR(CheckNoUnknownFields(body, SealedConnectionToJson(connection)));
  if (!IsObjectId(connection.id)) return Invalid("id: not an object id");
  if (!IsObjectId(connection.workspace_id)) return Invalid("workspace_id: not an object id");
  if (!connection.credential_id.empty() && !IsObjectId(connection.credential_id)) {
    return Invalid("credential_id: not an object id");
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < connection.environment_ids.size(); ++i) {
    const std::string& id = connection.environment_ids[i];
    const std::string field = "environment_ids[" + std::to_string(i) + "]";
    if (!IsObjectId(id)) return Invalid(field + ": not an object id");
    if (!seen.insert(id).second) return Invalid(field + ": listed twice");
  }
  return connection;
}

Result<SealedConnection> CheckNewConnection(SealedConnection connection,
                                            std::string_view workspace_id, Role role, int64_t now) {
  if (connection.workspace_id != workspace_id) {
    return Invalid("workspace_id: must be the workspace of the request");
  }
  if (connection.version != 1) return Invalid("version: a new connection has version 1");
  if (connection.state == ConnectionState::kDeleted) {
    return Invalid("state: a new connection cannot start deleted");
  }
  if (connection.state != kInitialConnectionState) {
    // Starting elsewhere is the pick the caller could make right after creating it.
    Result<ConnectionState> reached =
        ApplyEvent(kInitialConnectionState, ConnectionEvent::UserPick(connection.state), role);
    if (!reached.ok()) {
      return Status(reached.code(), "state: " + reached.status().message());
    }
  }
  connection.created_at = now;
  connection.updated_at = now;
  return connection;
}

Result<SealedConnection> CheckConnectionUpdate(SealedConnection incoming,
                                               const SealedConnection& current, int64_t now) {
  if (incoming.id != current.id) return Invalid("id: must be the id in the path");
  if (incoming.workspace_id != current.workspace_id) {
    return Invalid("workspace_id: a connection cannot move to another workspace");
  }
  if (incoming.kind != current.kind) {
    return Invalid("kind: cannot change; create a new connection");
  }
  if (current.state == ConnectionState::kDeleted) {
    return Status(ErrorCode::kInvalidTransition, "a deleted connection cannot be changed");
  }
  incoming.state = current.state;
  incoming.last_test = current.last_test;
  incoming.created_at = current.created_at;
  incoming.updated_at = now;
  return incoming;
}

Result<TransitionRequest> ParseTransitionBody(const json& body) {
  CV_RETURN_IF_ERROR(api::CheckFields(body, {kVersionField}, {kToField, kTestField}));
  TransitionRequest request;
  CV_RETURN_IF_ERROR(api::ReadUint(body, kVersionField, &request.version));
  const bool has_to = body.contains(kToField);
  if (has_to == body.contains(kTestField)) {
    return Invalid("give either \"to\" (a state to move to) or \"test\" (a test result)");
  }
  if (has_to) {
    std::string name;
    CV_RETURN_IF_ERROR(api::ReadString(body, kToField, &name, 64));
    std::optional<ConnectionState> to = ParseConnectionState(name);
    if (!to) return Invalid(std::string(kToField) + ": not a connection state");
    request.to = *to;
  } else {
    const json& test = body[kTestField];
    if (!test.is_object()) return Invalid(std::string(kTestField) + ": must be an object");
    request.test = test;
  }
  return request;
}

Result<TransitionOutcome> DecideTransition(const SealedConnection& current,
                                           const TransitionRequest& request, Role role) {
  if (request.version != current.version) return StaleVersion("connection", current.version);
  TransitionOutcome outcome;
  if (request.to) {
    CV_ASSIGN_OR_RETURN(outcome.state,
                        ApplyEvent(current.state, ConnectionEvent::UserPick(*request.to), role));
    outcome.last_test = current.last_test;
    return outcome;
  }
  // The test object is read by the core, as the last_test of the stored connection.
  json document = SealedConnectionToJson(current);
  document[std::string(kLastTestField)] = *request.test;
  Result<SealedConnection> parsed = SealedConnectionFromJson(document);
  if (!parsed.ok()) return AsTestField(parsed.status());
  if (!parsed->last_test) return Invalid(std::string(kTestField) + ": must be an object");
  const json canonical = SealedConnectionToJson(*parsed)[std::string(kLastTestField)];
  CV_RETURN_IF_ERROR(
      CheckNoUnknownFields(json{{kTestField, *request.test}}, json{{kTestField, canonical}}));
  if (!parsed->last_test->runner_id.empty() && !IsObjectId(parsed->last_test->runner_id)) {
    return Invalid(std::string(kTestField) + ".runner_id: not an object id");
  }
  CV_ASSIGN_OR_RETURN(
      outcome.state,
      ApplyEvent(current.state, ConnectionEvent::Test(parsed->last_test->outcome), role));
  outcome.last_test = parsed->last_test;
  return outcome;
}

Result<std::optional<ServiceKind>> ParseKindFilter(std::string_view value) {
  if (value.empty()) return std::optional<ServiceKind>();
  std::optional<ServiceKind> kind = ParseServiceKind(value);
  if (!kind) return Invalid("kind: not a known kind");
  return kind;
}

Result<std::optional<ConnectionState>> ParseStateFilter(std::string_view value) {
  if (value.empty()) return std::optional<ConnectionState>();
  std::optional<ConnectionState> state = ParseConnectionState(value);
  if (!state) return Invalid("state: not a connection state");
  return state;
}

json CountsJson(const std::map<ConnectionState, uint64_t>& counts) {
  json out = json::object();
  for (ConnectionState state : kAllConnectionStates) {
    const auto it = counts.find(state);
    out[std::string(ConnectionStateName(state))] = it == counts.end() ? 0 : it->second;
  }
  return out;
}

}  // namespace credvault::server
