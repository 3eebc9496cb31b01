#include "credvault/workspace_keys.h"

#include <sodium.h>

#include <cstring>

#include "credvault/kubeconfig.h"
#include "crypto/internal.h"

namespace credvault {
namespace {

constexpr std::string_view kGrantLabel = "credvault/v1/grant";
constexpr std::string_view kPurposeDataKey = "credential-key";
constexpr uint32_t kDataKeyGeneration = 1;
constexpr char kKubeconfigIdKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "kubeconf";
constexpr uint64_t kKubeconfigIdSubkey = 1;

// Reads AppendField's format; false when the input ends early.
bool ReadField(ByteView* in, std::string* out) {
  if (in->size() < 2) return false;
  size_t n = (*in)[0] | ((*in)[1] << 8);
  if (in->size() < 2 + n) return false;
  out->assign(reinterpret_cast<const char*>(in->data() + 2), n);
  *in = in->subspan(2 + n);
  return true;
}

}  // namespace

WorkspaceKeys WorkspaceKeys::Generate(std::string workspace_id, uint32_t generation) {
  return WorkspaceKeys{std::move(workspace_id), generation, SymmetricKey::Generate(generation),
                       SymmetricKey::Generate(generation)};
}

WorkspaceKeys WorkspaceKeys::Clone() const {
  WorkspaceKeys copy{workspace_id, generation, metadata.Clone(), std::nullopt};
  if (secrets) copy.secrets = secrets->Clone();
  return copy;
}

Bytes KeyGrant::SignedBytes() const {
  Bytes out;
  internal::AppendField(&out, kGrantLabel);
  internal::AppendField(&out, workspace_id);
  internal::AppendField(&out, recipient_id);
  internal::AppendField(&out, granter_id);
  internal::AppendU32(&out, generation);
  out.push_back(includes_secrets ? 1 : 0);
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<KeyGrant> MakeGrant(const Identity& granter, const WorkspaceKeys& keys, bool include_secrets,
                           std::string_view recipient_id, ByteView recipient_box_public_key) {
  if (include_secrets && !keys.secrets) {
    return Result<KeyGrant>(ErrorCode::kPermissionDenied,
                            "cannot grant the secrets key without holding it");
  }
  SecretBytes payload(2 + keys.workspace_id.size() + 2 + recipient_id.size() + 5 +
                      2 * kSymmetricKeyBytes);
  Bytes head;
  internal::AppendField(&head, keys.workspace_id);
  internal::AppendField(&head, recipient_id);
  internal::AppendU32(&head, keys.generation);
  head.push_back(include_secrets ? 1 : 0);
  std::memcpy(payload.data(), head.data(), head.size());
  std::memcpy(payload.data() + head.size(), keys.metadata.InsecureBytes().data(), kSymmetricKeyBytes);
  size_t len = head.size() + kSymmetricKeyBytes;
  if (include_secrets) {
    std::memcpy(payload.data() + len, keys.secrets->InsecureBytes().data(), kSymmetricKeyBytes);
    len += kSymmetricKeyBytes;
  }
  payload.Truncate(len);

  KeyGrant grant;
  grant.workspace_id = keys.workspace_id;
  grant.recipient_id = std::string(recipient_id);
  grant.granter_id = granter.id();
  grant.generation = keys.generation;
  grant.includes_secrets = include_secrets;
  CV_ASSIGN_OR_RETURN(grant.sealed, SealTo(recipient_box_public_key, payload.view()));
  grant.signature = granter.Sign(grant.SignedBytes());
  return grant;
}

Result<WorkspaceKeys> OpenGrant(const Identity& recipient, const KeyGrant& grant,
                                const PinnedKeys& pinned) {
  auto pin = pinned.find(grant.granter_id);
  if (pin == pinned.end()) {
    return Result<WorkspaceKeys>(ErrorCode::kUntrustedSigner,
                                 "grant signed by a key that is not pinned");
  }
  CV_RETURN_IF_ERROR(VerifySignature(pin->second, grant.SignedBytes(), grant.signature));
  if (grant.recipient_id != recipient.id()) {
    return Result<WorkspaceKeys>(ErrorCode::kWrongRecipient, "grant addressed to another member");
  }
  CV_ASSIGN_OR_RETURN(SecretBytes payload, recipient.OpenSealed(grant.sealed));

  ByteView in = payload.view();
  std::string workspace_id, recipient_id;
  if (!ReadField(&in, &workspace_id) || !ReadField(&in, &recipient_id) || in.size() < 5) {
    return Result<WorkspaceKeys>(ErrorCode::kMalformed, "grant payload truncated");
  }
  uint32_t generation = internal::ReadU32(in.data());
  bool has_secrets = in[4] == 1;
  in = in.subspan(5);
  if (workspace_id != grant.workspace_id || recipient_id != grant.recipient_id ||
      generation != grant.generation || has_secrets != grant.includes_secrets) {
    return Result<WorkspaceKeys>(ErrorCode::kWrongRecipient,
                                 "grant payload does not match what the grant claims");
  }
  size_t expected = kSymmetricKeyBytes * (has_secrets ? 2 : 1);
  if (in.size() != expected) {
    return Result<WorkspaceKeys>(ErrorCode::kMalformed, "grant payload has the wrong size");
  }
  CV_ASSIGN_OR_RETURN(SymmetricKey metadata,
                      SymmetricKey::FromBytes(SecretBytes::CopyFrom(in.first(kSymmetricKeyBytes)),
                                              generation));
  WorkspaceKeys keys{workspace_id, generation, std::move(metadata), std::nullopt};
  if (has_secrets) {
    CV_ASSIGN_OR_RETURN(SymmetricKey secrets,
                        SymmetricKey::FromBytes(SecretBytes::CopyFrom(in.subspan(kSymmetricKeyBytes)),
                                                generation));
    keys.secrets = std::move(secrets);
  }
  return keys;
}

SymmetricKey NewDataKey() { return SymmetricKey::Generate(kDataKeyGeneration); }

EnvelopeContext DataKeyContext(std::string_view workspace_id, std::string_view credential_id,
                               uint64_t credential_version) {
  return {std::string(kPurposeDataKey), std::string(workspace_id), std::string(credential_id),
          credential_version};
}

Result<Bytes> WrapDataKey(const WorkspaceKeys& keys, std::string_view credential_id,
                          uint64_t credential_version, const SymmetricKey& data_key) {
  if (!keys.secrets) {
    return Result<Bytes>(ErrorCode::kPermissionDenied, "this role holds no workspace secrets key");
  }
  return SealEnvelope(*keys.secrets, DataKeyContext(keys.workspace_id, credential_id, credential_version),
                      data_key.InsecureBytes().view());
}

Result<SymmetricKey> UnwrapDataKey(const WorkspaceKeys& keys, std::string_view credential_id,
                                   uint64_t credential_version, ByteView wrapped) {
  if (!keys.secrets) {
    return Result<SymmetricKey>(ErrorCode::kPermissionDenied,
                                "this role holds no workspace secrets key");
  }
  CV_ASSIGN_OR_RETURN(SecretBytes raw,
                      OpenEnvelope(*keys.secrets,
                                   DataKeyContext(keys.workspace_id, credential_id, credential_version),
                                   wrapped));
  return SymmetricKey::FromBytes(std::move(raw), kDataKeyGeneration);
}

SecretBytes DeriveKubeconfigIdKey(const WorkspaceKeys& keys) {
  static_assert(kSymmetricKeyBytes == crypto_kdf_KEYBYTES);
  SecretBytes out = SecretBytes::Guarded(kKubeconfigIdKeyBytes);
  crypto_kdf_derive_from_key(out.data(), out.size(), kKubeconfigIdSubkey, kKubeconfigIdKdfContext,
                             keys.metadata.InsecureBytes().data());
  return out;
}

}  // namespace credvault
