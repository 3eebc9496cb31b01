// Identity: an X25519 key pair (to receive sealed boxes) and an Ed25519 key pair (to sign),
// under an id. People (an unlocked account) and runners are identities.
//
// Move-only; the private keys live in guarded memory and are wiped when it is dropped.
// Never exposes a private key, except Serialize, which exists for the runner's own 0600
// key file and is named so that nobody calls it by accident.
#ifndef CREDVAULT_IDENTITY_H_
#define CREDVAULT_IDENTITY_H_

#include <memory>
#include <string>

#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

inline constexpr size_t kBoxPublicKeyBytes = 32;
inline constexpr size_t kSignPublicKeyBytes = 32;
inline constexpr size_t kSignatureBytes = 64;

class Identity {
 public:
  static std::unique_ptr<Identity> Generate(std::string id);
  // Rebuilds from InsecureSerialize's output. kMalformed if it is not one.
  static Result<std::unique_ptr<Identity>> Deserialize(std::string id, ByteView serialized);
  // From the two private keys (32-byte X25519 secret, 64-byte Ed25519 secret).
  static Result<std::unique_ptr<Identity>> FromSecrets(std::string id, ByteView box_secret,
                                                       ByteView sign_secret);

  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;

  const std::string& id() const { return id_; }
  const Bytes& box_public_key() const { return box_public_key_; }
  const Bytes& sign_public_key() const { return sign_public_key_; }

  // Ed25519 detached signature over `message`.
  Bytes Sign(ByteView message) const;
  // Opens a crypto_box_seal addressed to this identity. kDecryptFailed otherwise.
  Result<SecretBytes> OpenSealed(ByteView sealed) const;
  // Both private keys, in guarded memory: for wrapping under the account key or writing
  // the runner's key file.
  SecretBytes InsecureSerialize() const;

 private:
  Identity(std::string id, SecretBytes box_secret, Bytes box_public, SecretBytes sign_secret,
           Bytes sign_public);
  std::string id_;
  SecretBytes box_secret_key_;
  Bytes box_public_key_;
  SecretBytes sign_secret_key_;
  Bytes sign_public_key_;
};

// Verifies an Ed25519 detached signature. kBadSignature or kMalformed.
Status VerifySignature(ByteView sign_public_key, ByteView message, ByteView signature);
// crypto_box_seal to an X25519 public key. kMalformed for a key of the wrong size.
Result<Bytes> SealTo(ByteView box_public_key, ByteView plaintext);
// A short, comparable fingerprint of a public key: 8 groups of 4 hex digits.
std::string KeyFingerprint(ByteView public_key);

}  // namespace credvault

#endif  // CREDVAULT_IDENTITY_H_
