#include "handlers/members_rotation.h"

#include <limits>
#include <set>

#include "api/json_body.h"
#include "credvault/crypto.h"
#include "credvault/model_json.h"
#include "credvault/permissions.h"
#include "handlers/members_grants.h"

namespace credvault::server {
namespace {

using nlohmann::json;

std::string Entry(std::string_view list, size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

Status Invalid(std::string_view where, std::string_view why) {
  return Status(ErrorCode::kValidation, std::string(where) + ": " + std::string(why));
}

Result<const json*> ReadArray(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_array()) return Invalid(name, "must be an array");
  return &*it;
}

// The generation an envelope was sealed at, which must be the new one.
Status CheckGeneration(const Bytes& envelope, uint32_t generation, const std::string& where) {
  const Result<EnvelopeHeader> header = InspectEnvelope(envelope);
  if (!header.ok()) return Status(header.code(), where + ": " + header.status().message());
  if (header->key_generation != generation) {
    return Invalid(where, "sealed at generation " + std::to_string(header->key_generation) +
                              ", not " + std::to_string(generation));
  }
  return Status::Ok();
}

Result<CredentialKeyUpdate> ReadCredentialKey(const json& value, const std::string& where) {
  if (!value.is_object()) return Invalid(where, "must be an object");
  const Status fields =
      api::CheckFields(value, {"credential_id", "wrapped_data_key", "sealed_name"});
  if (!fields.ok()) return Invalid(where, fields.message());
  CredentialKeyUpdate update;
  std::string wrapped;
  std::string name;
  for (const Status& status : {api::ReadObjectId(value, "credential_id", &update.credential_id),
                               api::ReadEnvelope(value, "wrapped_data_key", &wrapped),
                               api::ReadEnvelope(value, "sealed_name", &name)}) {
    if (!status.ok()) return Status(status.code(), where + "." + status.message());
  }
  Base64UrlDecode(wrapped, &update.wrapped_data_key);
  Base64UrlDecode(name, &update.sealed_name);
  return update;
}

Result<SealedConnection> ReadConnection(const json& value, const std::string& where) {
  Result<SealedConnection> parsed = SealedConnectionFromJson(value);
  if (!parsed.ok()) return Status(parsed.code(), where + ": " + parsed.status().message());
  const json canonical = SealedConnectionToJson(*parsed);
  for (const auto& item : value.items()) {
    if (!canonical.contains(item.key())) return Invalid(where + "." + item.key(), "unknown field");
  }
  return parsed;
}

}  // namespace

Result<RotationBody> ReadRotationBody(const json& body) {
  CV_RETURN_IF_ERROR(
      api::CheckFields(body, {"new_generation", "grants", "credential_keys", "connections"}));
  RotationBody rotation;
  uint64_t generation = 0;
  CV_RETURN_IF_ERROR(api::ReadUint(body, "new_generation", &generation));
  if (generation == 0 || generation > std::numeric_limits<uint32_t>::max()) {
    return Invalid("new_generation", "out of range");
  }
  rotation.new_generation = static_cast<uint32_t>(generation);
  CV_ASSIGN_OR_RETURN(const json* grants, ReadArray(body, "grants"));
  for (const json& grant : *grants) rotation.grants.push_back(grant);
  CV_ASSIGN_OR_RETURN(const json* keys, ReadArray(body, "credential_keys"));
  for (size_t i = 0; i < keys->size(); ++i) {
    CV_ASSIGN_OR_RETURN(CredentialKeyUpdate update,
                        ReadCredentialKey((*keys)[i], Entry("credential_keys", i)));
    rotation.credential_keys.push_back(std::move(update));
  }
  CV_ASSIGN_OR_RETURN(const json* connections, ReadArray(body, "connections"));
  for (size_t i = 0; i < connections->size(); ++i) {
    CV_ASSIGN_OR_RETURN(SealedConnection connection,
                        ReadConnection((*connections)[i], Entry("connections", i)));
    rotation.connections.push_back(std::move(connection));
  }
  return rotation;
}

Result<RotationPlan> PlanRotation(const RotationBody& body, const RotationState& state,
                                  const AccountRecord& granter, int64_t now) {
  RotationPlan plan;
  plan.new_generation = state.workspace.key_generation + 1;
  if (body.new_generation != plan.new_generation) {
    return Invalid("new_generation", "must be " + std::to_string(plan.new_generation));
  }

  std::set<std::string> granted;
  for (size_t i = 0; i < body.grants.size(); ++i) {
    const std::string where = Entry("grants", i);
    const json& value = body.grants[i];
    const auto recipient = value.is_object() ? value.find("recipient_id") : value.end();
    if (recipient == value.end() || !recipient->is_string()) {
      return Invalid(where, "must be a key grant with a recipient_id");
    }
    const std::string recipient_id = recipient->get<std::string>();
    const MemberRow* member = nullptr;
    for (const MemberRow& row : state.remaining) {
      if (row.account_id == recipient_id) member = &row;
    }
    bool runner = false;
    for (const std::string& id : state.granted_runners) runner = runner || id == recipient_id;
    if (member == nullptr && !runner) {
      return Invalid(where, "recipient is not a remaining member or granted runner");
    }
    if (!granted.insert(recipient_id).second)
      return Invalid(where, "a second grant for one member");
    const Role role = member != nullptr ? member->role : kRunnerRole;
    CV_ASSIGN_OR_RETURN(
        KeyGrant grant,
        ReadGrant(value, where, {state.workspace.id, recipient_id, plan.new_generation, role},
                  granter));
    plan.grants.push_back(std::move(grant));
  }
  for (const MemberRow& row : state.remaining) {
    if (!granted.count(row.account_id)) {
      return Invalid("grants", "no grant for the member " + row.account_id);
    }
  }

  std::set<std::string> rewrapped;
  for (size_t i = 0; i < body.credential_keys.size(); ++i) {
    const std::string where = Entry("credential_keys", i);
    const CredentialKeyUpdate& update = body.credential_keys[i];
    bool known = false;
    for (const CredentialGrantRow& row : state.credential_grants) {
      known = known || row.credential_id == update.credential_id;
    }
    if (!known) return Invalid(where, "the credential is not granted to this workspace");
    if (!rewrapped.insert(update.credential_id).second) {
      return Invalid(where, "a second key for one credential");
    }
    CV_RETURN_IF_ERROR(
        CheckGeneration(update.wrapped_data_key, plan.new_generation, where + ".wrapped_data_key"));
    CV_RETURN_IF_ERROR(
        CheckGeneration(update.sealed_name, plan.new_generation, where + ".sealed_name"));
    CredentialGrant grant;
    grant.workspace_id = state.workspace.id;
    grant.key_generation = plan.new_generation;
    grant.wrapped_data_key = update.wrapped_data_key;
    grant.sealed_name = update.sealed_name;
    plan.credential_grants.emplace_back(update.credential_id, std::move(grant));
  }
  for (const CredentialGrantRow& row : state.credential_grants) {
    if (!rewrapped.count(row.credential_id)) {
      return Invalid("credential_keys", "no key for the credential " + row.credential_id);
    }
  }

  std::set<std::string> resealed;
  for (size_t i = 0; i < body.connections.size(); ++i) {
    const std::string where = Entry("connections", i);
    const SealedConnection& sent = body.connections[i];
    const SealedConnection* stored = nullptr;
    for (const SealedConnection& row : state.connections) {
      if (row.id == sent.id) stored = &row;
    }
    if (stored == nullptr || sent.workspace_id != state.workspace.id) {
      return Invalid(where, "not a connection of this workspace");
    }
    if (!resealed.insert(sent.id).second) return Invalid(where, "a second copy of one connection");
    if (sent.version != stored->version + 1) {
      return Invalid(where + ".version", "must be " + std::to_string(stored->version + 1));
    }
    CV_RETURN_IF_ERROR(
        CheckGeneration(sent.sealed_details, plan.new_generation, where + ".sealed_details"));
    // Only the envelope changes; every plaintext field stays as stored.
    SealedConnection next = *stored;
    next.sealed_details = sent.sealed_details;
    next.version = sent.version;
    next.updated_at = now;
    plan.connections.push_back(std::move(next));
  }
  for (const SealedConnection& row : state.connections) {
    if (!resealed.count(row.id)) return Invalid("connections", "missing the connection " + row.id);
  }

  if (ReceivesSecretsKey(state.removed.role)) {
    for (const CredentialGrantRow& row : state.credential_grants) {
      plan.rotate_recommended.push_back(row.credential_id);
    }
  }
  return plan;
}

Status ApplyRotation(Tx& tx, const WorkspaceRow& workspace, const RotationPlan& plan,
                     int64_t now) {
  WorkspaceRow next = workspace;
  next.key_generation = plan.new_generation;
  next.updated_at = now;
  CV_RETURN_IF_ERROR(tx.UpdateWorkspace(next, workspace.version).status());
  for (const KeyGrant& grant : plan.grants) CV_RETURN_IF_ERROR(tx.PutKeyGrant(grant));
  for (const auto& [credential_id, grant] : plan.credential_grants) {
    CV_RETURN_IF_ERROR(tx.PutCredentialGrant(credential_id, grant));
  }
  for (const SealedConnection& connection : plan.connections) {
    CV_RETURN_IF_ERROR(tx.UpdateConnection(connection, connection.version - 1).status());
  }
  for (const std::string& credential_id : plan.rotate_recommended) {
    CV_RETURN_IF_ERROR(tx.SetRotateRecommended(credential_id, true));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> GrantedRunners(ReadTx& tx, std::string_view workspace_id) {
  std::vector<std::string> ids;
  PageRequest page;
  page.limit = kMaxPageLimit;
  while (true) {
    CV_ASSIGN_OR_RETURN(Page<RunnerRow> runners, tx.ListRunners(workspace_id, page));
    for (const RunnerRow& runner : runners.items) {
      CV_ASSIGN_OR_RETURN(std::vector<KeyGrant> grants, tx.ListKeyGrants(workspace_id, runner.id));
      if (!grants.empty()) ids.push_back(runner.id);
    }
    if (runners.next_cursor.empty()) return ids;
    page.cursor = runners.next_cursor;
  }
}

}  // namespace credvault::server
