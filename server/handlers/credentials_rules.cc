#include "handlers/credentials_rules.h"

#include <algorithm>
#include <set>
#include <utility>

#include "api/json_body.h"
#include "credvault/crypto.h"
#include "credvault/model_json.h"
#include "credvault/secret.h"
#include "credvault/workspace.h"
#include "router.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// The grant body of POST .../grants: the fields of one grant in the core's SealedCredential
// JSON (checked against it in credentials_rules_test.cc).
constexpr const char* kGrantWorkspaceId = "workspace_id";
constexpr const char* kGrantKeyGeneration = "key_generation";
constexpr const char* kGrantWrappedDataKey = "wrapped_data_key";
constexpr const char* kGrantSealedName = "sealed_name";
constexpr const char* kGrantsField = "grants";

Status Invalid(std::string message) { return Status(ErrorCode::kValidation, std::move(message)); }

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

Status FindUnknown(const json& input, const json& canonical, const std::string& path) {
  if (input.is_object() && canonical.is_object()) {
    for (const auto& item : input.items()) {
      const std::string key = item.key().substr(0, 64);
      const auto it = canonical.find(item.key());
      if (it == canonical.end()) return Invalid(Join(path, key) + ": unknown field");
      CV_RETURN_IF_ERROR(FindUnknown(item.value(), *it, Join(path, key)));
    }
  } else if (input.is_array() && canonical.is_array()) {
    for (size_t i = 0; i < input.size() && i < canonical.size(); ++i) {
      CV_RETURN_IF_ERROR(FindUnknown(input[i], canonical[i], path + "[" + std::to_string(i) + "]"));
    }
  }
  return Status::Ok();
}

Status CheckEnvelopeGeneration(const Bytes& envelope, uint32_t generation,
                               const std::string& field) {
  Result<EnvelopeHeader> header = InspectEnvelope(envelope);
  if (!header.ok()) {
    return Status(header.code(), field + ": " + header.status().message());
  }
  if (header->key_generation != generation) {
    return Invalid(field + ": sealed at key generation " + std::to_string(header->key_generation) +
                   ", the grant says " + std::to_string(generation));
  }
  return Status::Ok();
}

std::string GrantPath(size_t i) {
  return std::string(kGrantsField) + "[" + std::to_string(i) + "]";
}

}  // namespace

Status CheckNoUnknownFields(const json& input, const json& canonical) {
  return FindUnknown(input, canonical, "");
}

Status CheckGrantGenerations(const CredentialGrant& grant, std::string_view field) {
  const std::string prefix = field.empty() ? "" : std::string(field) + ".";
  CV_RETURN_IF_ERROR(CheckEnvelopeGeneration(grant.wrapped_data_key, grant.key_generation,
                                             prefix + kGrantWrappedDataKey));
  return CheckEnvelopeGeneration(grant.sealed_name, grant.key_generation,
                                 prefix + kGrantSealedName);
}

Result<SealedCredential> ParseCredentialBody(const json& body) {
  CV_ASSIGN_OR_RETURN(SealedCredential credential, SealedCredentialFromJson(body));
  CV_RETURN_IF_ERROR(CheckNoUnknownFields(body, SealedCredentialToJson(credential)));
  if (!IsObjectId(credential.id)) return Invalid("id: not an object id");
  if (!IsObjectId(credential.owner_id)) return Invalid("owner_id: not an object id");
  if (!IsObjectId(credential.workspace_id)) return Invalid("workspace_id: not an object id");
  std::set<std::string_view> seen;
  for (size_t i = 0; i < credential.grants.size(); ++i) {
    const CredentialGrant& grant = credential.grants[i];
    if (!IsObjectId(grant.workspace_id)) {
      return Invalid(GrantPath(i) + ".workspace_id: not an object id");
    }
    if (!seen.insert(grant.workspace_id).second) {
      return Invalid(GrantPath(i) + ".workspace_id: a second grant for the same workspace");
    }
    CV_RETURN_IF_ERROR(CheckGrantGenerations(grant, GrantPath(i)));
  }
  return credential;
}

Result<SealedCredential> CheckNewCredential(SealedCredential credential,
                                            std::string_view workspace_id,
                                            std::string_view actor_id, uint32_t key_generation,
                                            int64_t now) {
  if (credential.workspace_id != workspace_id) {
    return Invalid("workspace_id: must be the workspace of the request");
  }
  if (credential.owner_id != actor_id) return Invalid("owner_id: must be the caller's account");
  if (credential.version != 1) return Invalid("version: a new credential has version 1");
  if (credential.grants.size() != 1 || credential.grants[0].workspace_id != workspace_id) {
    return Invalid(
        "grants: a new credential has exactly one grant, to its own workspace (share it "
        "afterwards)");
  }
  if (credential.grants[0].key_generation != key_generation) {
    return Invalid("grants[0].key_generation: the workspace keys are at generation " +
                   std::to_string(key_generation));
  }
  credential.created_at = now;
  credential.updated_at = now;
  credential.rotate_recommended = false;
  return credential;
}

Result<SealedCredential> CheckCredentialUpdate(SealedCredential incoming,
                                               const SealedCredential& current,
                                               const GenerationOf& generation_of,
                                               bool body_has_rotate_flag, int64_t now) {
  if (incoming.id != current.id) return Invalid("id: must be the id in the path");
  if (incoming.workspace_id != current.workspace_id) {
    return Invalid("workspace_id: a credential cannot move to another workspace");
  }
  if (incoming.owner_id != current.owner_id) return Invalid("owner_id: cannot change");
  if (incoming.kind != current.kind) return Invalid("kind: cannot change; create a new one");
  if (incoming.method != current.method) {
    return Invalid("auth_method: cannot change; create a new credential");
  }
  for (size_t i = 0; i < incoming.grants.size(); ++i) {
    const CredentialGrant& grant = incoming.grants[i];
    if (current.FindGrant(grant.workspace_id) == nullptr) {
      return Invalid(GrantPath(i) +
                     ".workspace_id: the credential is not shared with this workspace (share "
                     "it with POST .../grants)");
    }
    const std::optional<uint32_t> generation = generation_of(grant.workspace_id);
    if (!generation || *generation != grant.key_generation) {
      return Status(ErrorCode::kConflict,
                    GrantPath(i) + ".key_generation: the workspace keys are at generation " +
                        std::to_string(generation.value_or(0)) + "; re-wrap with them");
    }
  }
  for (const CredentialGrant& grant : current.grants) {
    if (incoming.FindGrant(grant.workspace_id) == nullptr) {
      return Status(ErrorCode::kConflict,
                    "grants: missing the grant to workspace " + grant.workspace_id +
                        "; a new version re-wraps the data key for every workspace it is "
                        "shared with");
    }
  }
  incoming.created_at = current.created_at;
  incoming.updated_at = now;
  if (!body_has_rotate_flag) incoming.rotate_recommended = current.rotate_recommended;
  return incoming;
}

Result<CredentialGrant> ParseGrantBody(const json& body) {
  CV_RETURN_IF_ERROR(api::CheckFields(
      body, {kGrantWorkspaceId, kGrantKeyGeneration, kGrantWrappedDataKey, kGrantSealedName}));
  CredentialGrant grant;
  uint64_t generation = 0;
  std::string wrapped, name;
  CV_RETURN_IF_ERROR(api::ReadObjectId(body, kGrantWorkspaceId, &grant.workspace_id));
  CV_RETURN_IF_ERROR(api::ReadUint(body, kGrantKeyGeneration, &generation));
  if (generation == 0 || generation > UINT32_MAX) {
    return Invalid(std::string(kGrantKeyGeneration) + ": out of range");
  }
  grant.key_generation = static_cast<uint32_t>(generation);
  CV_RETURN_IF_ERROR(api::ReadEnvelope(body, kGrantWrappedDataKey, &wrapped));
  CV_RETURN_IF_ERROR(api::ReadEnvelope(body, kGrantSealedName, &name));
  if (!Base64UrlDecode(wrapped, &grant.wrapped_data_key) ||
      !Base64UrlDecode(name, &grant.sealed_name)) {
    return Status(ErrorCode::kMalformed, "an envelope is not base64url");
  }
  CV_RETURN_IF_ERROR(CheckGrantGenerations(grant, ""));
  return grant;
}

Status CheckNewGrant(const SealedCredential& credential, const CredentialGrant& grant,
                     uint32_t target_generation) {
  if (credential.FindGrant(grant.workspace_id) != nullptr) {
    return Status(ErrorCode::kConflict, "the credential is already shared with this workspace");
  }
  if (grant.key_generation != target_generation) {
    return Status(ErrorCode::kConflict, "key_generation: the workspace keys are at generation " +
                                            std::to_string(target_generation));
  }
  return Status::Ok();
}

Status CheckRevokeGrant(const SealedCredential& credential, std::string_view via,
                        std::string_view target) {
  if (credential.FindGrant(target) == nullptr) {
    return Status(ErrorCode::kNotFound, "the credential is not shared with this workspace");
  }
  if (target == credential.workspace_id) {
    return Status(ErrorCode::kConflict,
                  "the credential's own workspace keeps its grant; delete the credential "
                  "instead");
  }
  if (via != credential.workspace_id && via != target) {
    return Status(ErrorCode::kPermissionDenied,
                  "only the credential's own workspace may revoke another workspace's grant");
  }
  return Status::Ok();
}

Status CheckManagedHere(const SealedCredential& credential, std::string_view workspace_id) {
  if (credential.workspace_id == workspace_id) return Status::Ok();
  return Status(ErrorCode::kPermissionDenied,
                "this credential is shared with this workspace; it is edited and deleted in "
                "the workspace that owns it");
}

json CredentialJsonFor(const SealedCredential& credential, std::string_view workspace_id) {
  if (credential.workspace_id == workspace_id) return SealedCredentialToJson(credential);
  SealedCredential shown = credential;
  shown.grants.clear();
  if (const CredentialGrant* own = credential.FindGrant(workspace_id)) {
    shown.grants.push_back(*own);
  }
  return SealedCredentialToJson(shown);
}

CredentialBlockers FindBlockers(std::string_view credential_id,
                                const std::vector<SealedConnection>& connections,
                                const std::function<bool(std::string_view)>& visible) {
  CredentialBlockers blockers;
  const std::vector<CredentialUse> uses = FindCredentialUses(credential_id, connections);
  for (const CredentialUse& use : uses) {
    const auto it =
        std::find_if(connections.begin(), connections.end(),
                     [&](const SealedConnection& c) { return c.id == use.connection_id; });
    if (it == connections.end()) continue;
    if (visible(it->workspace_id)) {
      blockers.listed.push_back(*it);
    } else {
      ++blockers.hidden;
    }
  }
  return blockers;
}

Status BlockersStatus(const CredentialBlockers& blockers) {
  std::vector<CredentialUse> listed;
  for (const SealedConnection& c : blockers.listed) listed.push_back(CredentialUse{c.id, ""});
  if (!listed.empty()) return CheckCredentialDeletable(listed);
  if (blockers.hidden == 0) return Status::Ok();
  return Status(ErrorCode::kConflict, "the credential is used by " +
                                          std::to_string(blockers.hidden) +
                                          " connections in workspaces you are not a member of");
}

HttpResponse InUseResponse(const Status& status, const CredentialBlockers& blockers) {
  HttpResponse response = Router::ErrorResponse(status);
  json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.contains("error")) return response;
  json listed = json::array();
  for (const SealedConnection& c : blockers.listed) {
    listed.push_back(
        {{"id", c.id}, {"kind", ServiceKindName(c.kind)}, {"workspace_id", c.workspace_id}});
  }
  body["error"]["connections"] = std::move(listed);
  body["error"]["hidden_connections"] = blockers.hidden;
  response.body = DumpJson(body);
  return response;
}

}  // namespace credvault::server
