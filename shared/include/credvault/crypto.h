// Library initialisation, symmetric keys and the envelope (DESIGN §4).
//
// Every ciphertext the core produces is an envelope: a versioned, self-describing byte
// string whose associated data is rebuilt by the reader from what the record claims to be
// (EnvelopeContext), so a ciphertext swapped, moved or replayed by the server fails to
// open. Plaintexts are padded to 64-byte blocks. Thread-safe once InitCrypto() returned ok.
#ifndef CREDVAULT_CRYPTO_H_
#define CREDVAULT_CRYPTO_H_

#include <cstdint>
#include <string>

#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

// Initialises libsodium (and, in WASM, installs the bulk crypto.getRandomValues random
// source). Idempotent. Must succeed before any other call of the core.
Status InitCrypto();
// "native" or "wasm32"; and which random source libsodium uses.
std::string CryptoTarget();
std::string RandomSourceName();

// A new random object id: 16 bytes, base64url (22 characters). Ids are made by clients
// so that they can be bound into an envelope's associated data before the server sees it.
std::string NewObjectId();
// True for a string that NewObjectId could have produced (the server's structural check).
bool IsObjectId(std::string_view id);

inline constexpr size_t kSymmetricKeyBytes = 32;

// A 32-byte XChaCha20-Poly1305 key and its generation. Move-only; wiped when dropped.
class SymmetricKey {
 public:
  static SymmetricKey Generate(uint32_t generation);
  static Result<SymmetricKey> FromBytes(SecretBytes bytes, uint32_t generation);

  SymmetricKey(SymmetricKey&&) = default;
  SymmetricKey& operator=(SymmetricKey&&) = default;
  SymmetricKey Clone() const { return SymmetricKey(bytes_.Clone(), generation_); }

  uint32_t generation() const { return generation_; }
  // The raw key, for the crypto code that wraps or seals it. Never hand it to JavaScript.
  const SecretBytes& InsecureBytes() const { return bytes_; }

 private:
  SymmetricKey(SecretBytes bytes, uint32_t generation)
      : bytes_(std::move(bytes)), generation_(generation) {}
  SecretBytes bytes_;
  uint32_t generation_ = 0;
};

// What a sealed record claims to be. Bound into the associated data; not stored.
struct EnvelopeContext {
  std::string purpose;       // "credential", "credential-key", "connection", ...
  std::string workspace_id;  // empty where it does not apply
  std::string object_id;
  uint64_t object_version = 0;
};

inline constexpr uint8_t kEnvelopeVersion = 1;
inline constexpr uint8_t kAlgXChaCha20Poly1305 = 1;
inline constexpr size_t kEnvelopeHeaderBytes = 6;
inline constexpr size_t kEnvelopeNonceBytes = 24;
inline constexpr size_t kEnvelopeTagBytes = 16;
inline constexpr size_t kEnvelopePadBlock = 64;
// Envelopes above this size are refused (a sealed kubeconfig is far smaller).
inline constexpr size_t kEnvelopeMaxBytes = 1 << 20;

struct EnvelopeHeader {
  uint8_t version = 0;
  uint8_t algorithm = 0;
  uint32_t key_generation = 0;
  size_t padded_plaintext_bytes = 0;
};

// Seals `plaintext` under `key` for `context`.
Result<Bytes> SealEnvelope(const SymmetricKey& key, const EnvelopeContext& context,
                           ByteView plaintext);
// Opens an envelope. Errors: kMalformed (too short, bad length), kUnsupportedVersion,
// kUnsupportedAlgorithm, kDecryptFailed (wrong key or generation, wrong context, tampered).
Result<SecretBytes> OpenEnvelope(const SymmetricKey& key, const EnvelopeContext& context,
                                 ByteView envelope);
// Structural check without a key: what the server may verify. Same errors as above,
// except kDecryptFailed.
Result<EnvelopeHeader> InspectEnvelope(ByteView envelope);
// The same, on the base64url text form.
Result<EnvelopeHeader> InspectEnvelopeText(std::string_view text);

// The associated data of DESIGN §4 (exposed for the format test and for documentation).
Bytes EnvelopeAssociatedData(ByteView header, const EnvelopeContext& context,
                             uint32_t key_generation);

}  // namespace credvault

#endif  // CREDVAULT_CRYPTO_H_
