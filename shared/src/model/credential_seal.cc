// Sealing and opening credentials: one secret envelope under a data key, and per workspace
// a wrapped data key (secrets key) and a sealed name (metadata key).
#include <set>

#include "credvault/credential.h"
#include "json/model_payload.h"

namespace credvault {
namespace {

constexpr std::string_view kPurposeCredential = "credential";
constexpr std::string_view kPurposeCredentialName = "credential-name";
// A grant (wrapped data key, sealed name) is bound to the credential and the workspace,
// not to the credential's version: updating the secret re-seals it under the same data key
// with version + 1, and the grants in workspaces whose keys the editor does not hold stay
// valid. The secret envelope itself is bound to the version, so an old one cannot be
// replayed as the current one.
constexpr uint64_t kGrantVersion = 0;

Result<CredentialGrant> MakeCredentialGrant(std::string_view id, std::string_view name,
                                            const SymmetricKey& data_key,
                                            const WorkspaceKeys& keys) {
  if (!keys.secrets) {
    return Status(ErrorCode::kPermissionDenied,
                  "sharing a credential needs the workspace secrets key");
  }
  CredentialGrant grant;
  grant.workspace_id = keys.workspace_id;
  grant.key_generation = keys.generation;
  CV_ASSIGN_OR_RETURN(grant.wrapped_data_key, WrapDataKey(keys, id, kGrantVersion, data_key));
  CV_ASSIGN_OR_RETURN(
      grant.sealed_name,
      SealEnvelope(keys.metadata, CredentialNameContext(keys.workspace_id, id, kGrantVersion),
                   AsBytes(name)));
  return grant;
}

Result<std::string> OpenName(const SealedCredential& sealed, const CredentialGrant& grant,
                             const WorkspaceKeys& keys) {
  CV_ASSIGN_OR_RETURN(
      SecretBytes name,
      OpenEnvelope(keys.metadata,
                   CredentialNameContext(keys.workspace_id, sealed.id, kGrantVersion),
                   grant.sealed_name));
  return std::string(name.chars());
}

const CredentialGrant* GrantFor(const SealedCredential& sealed, const WorkspaceKeys& keys,
                                Status* status) {
  const CredentialGrant* grant = sealed.FindGrant(keys.workspace_id);
  if (grant == nullptr) {
    *status = Status(ErrorCode::kNotFound, "the credential is not shared with this workspace");
  }
  return grant;
}

}  // namespace

EnvelopeContext CredentialSecretContext(std::string_view credential_id, uint64_t version) {
  // A credential is shared across workspaces: its secret is bound to no workspace.
  return EnvelopeContext{std::string(kPurposeCredential), "", std::string(credential_id), version};
}

EnvelopeContext CredentialNameContext(std::string_view workspace_id, std::string_view credential_id,
                                      uint64_t version) {
  return EnvelopeContext{std::string(kPurposeCredentialName), std::string(workspace_id),
                         std::string(credential_id), version};
}

Result<SealedCredential> SealCredential(const CredentialView& view, const CredentialRecord& record,
                                        const SymmetricKey& data_key,
                                        std::span<const WorkspaceKeys* const> workspaces) {
  if (record.id.empty() || record.version == 0) {
    return Status(ErrorCode::kInvalidArgument, "a credential needs an id and a version");
  }
  std::set<std::string_view> seen;
  bool has_home = false;
  for (const WorkspaceKeys* keys : workspaces) {
    if (keys == nullptr || !seen.insert(keys->workspace_id).second) {
      return Status(ErrorCode::kInvalidArgument, "each workspace must be given once");
    }
    has_home = has_home || keys->workspace_id == record.workspace_id;
  }
  if (!has_home) {
    return Status(ErrorCode::kInvalidArgument, "the home workspace must be among the grants");
  }
  CV_RETURN_IF_ERROR(ValidateCredential(view));

  SealedCredential sealed;
  sealed.id = record.id;
  sealed.owner_id = record.owner_id;
  sealed.workspace_id = record.workspace_id;
  sealed.kind = view.kind;
  sealed.method = view.method;
  sealed.version = record.version;
  sealed.created_at = record.created_at;
  sealed.updated_at = record.updated_at;
  SecretBytes plaintext = internal::CredentialSecretPlaintext(view);
  CV_ASSIGN_OR_RETURN(
      sealed.sealed_secret,
      SealEnvelope(data_key, CredentialSecretContext(record.id, record.version), plaintext.view()));
  for (const WorkspaceKeys* keys : workspaces) {
    CV_ASSIGN_OR_RETURN(CredentialGrant grant,
                        MakeCredentialGrant(record.id, view.name, data_key, *keys));
    sealed.grants.push_back(std::move(grant));
  }
  return sealed;
}

Result<SymmetricKey> OpenDataKey(const SealedCredential& sealed, const WorkspaceKeys& keys) {
  Status status;
  const CredentialGrant* grant = GrantFor(sealed, keys, &status);
  if (grant == nullptr) return status;
  return UnwrapDataKey(keys, sealed.id, kGrantVersion, grant->wrapped_data_key);
}

Result<CredentialView> OpenCredential(const SealedCredential& sealed, const WorkspaceKeys& keys) {
  Status status;
  const CredentialGrant* grant = GrantFor(sealed, keys, &status);
  if (grant == nullptr) return status;
  CV_ASSIGN_OR_RETURN(SymmetricKey data_key, OpenDataKey(sealed, keys));
  CV_ASSIGN_OR_RETURN(SecretBytes plaintext,
                      OpenEnvelope(data_key, CredentialSecretContext(sealed.id, sealed.version),
                                   sealed.sealed_secret));
  CV_ASSIGN_OR_RETURN(CredentialView view,
                      internal::CredentialFromSecretPlaintext(plaintext.chars()));
  if (view.kind != sealed.kind || view.method != sealed.method) {
    return Status(ErrorCode::kConflict,
                  "the record's kind or auth method differs from the sealed one");
  }
  CV_ASSIGN_OR_RETURN(view.name, OpenName(sealed, *grant, keys));
  return view;
}

CredentialSummary SummarizeCredentialView(const CredentialView& view,
                                          const SealedCredential& sealed) {
  CredentialSummary s;
  s.id = sealed.id;
  s.name = view.name;
  s.kind = sealed.kind;
  s.method = sealed.method;
  s.version = sealed.version;
  s.created_at = sealed.created_at;
  s.updated_at = sealed.updated_at;
  s.rotate_recommended = sealed.rotate_recommended;
  s.shared_workspaces = sealed.grants.size();
  return s;
}

Result<CredentialSummary> SummarizeCredential(const SealedCredential& sealed,
                                              const WorkspaceKeys& keys) {
  Status status;
  const CredentialGrant* grant = GrantFor(sealed, keys, &status);
  if (grant == nullptr) return status;
  CredentialView names_only;
  CV_ASSIGN_OR_RETURN(names_only.name, OpenName(sealed, *grant, keys));
  return SummarizeCredentialView(names_only, sealed);
}

Result<CredentialGrant> GrantCredential(const SealedCredential& sealed, std::string_view name,
                                        const SymmetricKey& data_key, const WorkspaceKeys& target) {
  if (!target.secrets) {
    return Status(ErrorCode::kPermissionDenied,
                  "sharing a credential needs the workspace secrets key");
  }
  if (sealed.FindGrant(target.workspace_id) != nullptr) {
    return Status(ErrorCode::kConflict, "the credential is already shared with this workspace");
  }
  if (auto issue = CheckDisplayName("name", name)) return IssuesToStatus({*issue});
  return MakeCredentialGrant(sealed.id, name, data_key, target);
}

}  // namespace credvault
