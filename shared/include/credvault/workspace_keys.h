// Workspace keys, key grants and credential data keys (DESIGN §3).
//
// A workspace has, per generation, a metadata key (connection details; every member) and a
// secrets key (credential data keys; roles that may use secrets). A grant seals the keys a
// member may hold to that member's X25519 key and is signed by the granter's Ed25519 key;
// the recipient checks the signature against a key it pinned. A credential's secret fields
// are sealed once under a random data key, which is wrapped per workspace it is granted to.
#ifndef CREDVAULT_WORKSPACE_KEYS_H_
#define CREDVAULT_WORKSPACE_KEYS_H_

#include <map>
#include <optional>
#include <string>

#include "credvault/account.h"
#include "credvault/crypto.h"

namespace credvault {

struct WorkspaceKeys {
  std::string workspace_id;
  uint32_t generation = 0;
  SymmetricKey metadata;
  std::optional<SymmetricKey> secrets;  // absent for roles that may not open secrets

  static WorkspaceKeys Generate(std::string workspace_id, uint32_t generation);
  WorkspaceKeys Clone() const;
};

// A grant as stored by the server.
struct KeyGrant {
  std::string workspace_id;
  std::string recipient_id;   // an account id or a runner id
  std::string granter_id;
  uint32_t generation = 0;
  bool includes_secrets = false;
  Bytes sealed;     // crypto_box_seal of the keys, to the recipient
  Bytes signature;  // Ed25519 by the granter over SignedBytes()

  // What the signature covers: every field above but the signature.
  Bytes SignedBytes() const;
};

// Identity id → Ed25519 public key the verifier trusts.
using PinnedKeys = std::map<std::string, Bytes>;

Result<KeyGrant> MakeGrant(const Identity& granter, const WorkspaceKeys& keys,
                           bool include_secrets, std::string_view recipient_id,
                           ByteView recipient_box_public_key);
// Errors: kUntrustedSigner (granter not pinned), kBadSignature, kDecryptFailed (not for
// this key), kWrongRecipient (sealed for another workspace, member or generation),
// kMalformed.
Result<WorkspaceKeys> OpenGrant(const Identity& recipient, const KeyGrant& grant,
                                const PinnedKeys& pinned);

// Credential data keys: a random key per credential, wrapped under a workspace secrets key.
SymmetricKey NewDataKey();
EnvelopeContext DataKeyContext(std::string_view workspace_id, std::string_view credential_id,
                               uint64_t credential_version);
Result<Bytes> WrapDataKey(const WorkspaceKeys& keys, std::string_view credential_id,
                          uint64_t credential_version, const SymmetricKey& data_key);
// kPermissionDenied when `keys` carry no secrets key.
Result<SymmetricKey> UnwrapDataKey(const WorkspaceKeys& keys, std::string_view credential_id,
                                   uint64_t credential_version, ByteView wrapped);

// The key that makes kubeconfig import ids unguessable by the server (the id_key of
// kubeconfig.h): a KDF subkey of the metadata key (context "kubeconf"), so every member
// derives the same one and the server, which never holds the metadata key, cannot. It
// follows the metadata key: after a key rotation the same file imports under new ids.
SecretBytes DeriveKubeconfigIdKey(const WorkspaceKeys& keys);

}  // namespace credvault

#endif  // CREDVAULT_WORKSPACE_KEYS_H_
