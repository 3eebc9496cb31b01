#include "credvault/identity.h"

#include <sodium.h>

#include <cstring>

namespace credvault {
namespace {

static_assert(crypto_box_PUBLICKEYBYTES == kBoxPublicKeyBytes);
static_assert(crypto_sign_PUBLICKEYBYTES == kSignPublicKeyBytes);
static_assert(crypto_sign_BYTES == kSignatureBytes);
constexpr size_t kSerializedBytes = crypto_box_SECRETKEYBYTES + crypto_sign_SECRETKEYBYTES;

}  // namespace

Identity::Identity(std::string id, SecretBytes box_secret, Bytes box_public,
                   SecretBytes sign_secret, Bytes sign_public)
    : id_(std::move(id)),
      box_secret_key_(std::move(box_secret)),
      box_public_key_(std::move(box_public)),
      sign_secret_key_(std::move(sign_secret)),
      sign_public_key_(std::move(sign_public)) {}

std::unique_ptr<Identity> Identity::Generate(std::string id) {
  SecretBytes box_secret = SecretBytes::Guarded(crypto_box_SECRETKEYBYTES);
  Bytes box_public(crypto_box_PUBLICKEYBYTES);
  crypto_box_keypair(box_public.data(), box_secret.data());
  SecretBytes sign_secret = SecretBytes::Guarded(crypto_sign_SECRETKEYBYTES);
  Bytes sign_public(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_keypair(sign_public.data(), sign_secret.data());
  return std::unique_ptr<Identity>(new Identity(std::move(id), std::move(box_secret),
                                                std::move(box_public), std::move(sign_secret),
                                                std::move(sign_public)));
}

Result<std::unique_ptr<Identity>> Identity::FromSecrets(std::string id, ByteView box_secret,
                                                        ByteView sign_secret) {
  if (box_secret.size() != crypto_box_SECRETKEYBYTES ||
      sign_secret.size() != crypto_sign_SECRETKEYBYTES) {
    return Result<std::unique_ptr<Identity>>(ErrorCode::kMalformed, "private keys of wrong size");
  }
  Bytes box_public(crypto_box_PUBLICKEYBYTES);
  crypto_scalarmult_base(box_public.data(), box_secret.data());
  Bytes sign_public(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_ed25519_sk_to_pk(sign_public.data(), sign_secret.data());
  return std::unique_ptr<Identity>(new Identity(std::move(id), SecretBytes::GuardedCopyFrom(box_secret),
                                                std::move(box_public),
                                                SecretBytes::GuardedCopyFrom(sign_secret),
                                                std::move(sign_public)));
}

Result<std::unique_ptr<Identity>> Identity::Deserialize(std::string id, ByteView serialized) {
  if (serialized.size() != kSerializedBytes) {
    return Result<std::unique_ptr<Identity>>(ErrorCode::kMalformed,
                                             "serialized identity has the wrong size");
  }
  return FromSecrets(std::move(id), serialized.first(crypto_box_SECRETKEYBYTES),
                     serialized.subspan(crypto_box_SECRETKEYBYTES));
}

SecretBytes Identity::InsecureSerialize() const {
  SecretBytes out(kSerializedBytes);
  std::memcpy(out.data(), box_secret_key_.data(), crypto_box_SECRETKEYBYTES);
  std::memcpy(out.data() + crypto_box_SECRETKEYBYTES, sign_secret_key_.data(),
              crypto_sign_SECRETKEYBYTES);
  return out;
}

Bytes Identity::Sign(ByteView message) const {
  Bytes sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                       sign_secret_key_.data());
  return sig;
}

Result<SecretBytes> Identity::OpenSealed(ByteView sealed) const {
  if (sealed.size() < crypto_box_SEALBYTES) {
    return Result<SecretBytes>(ErrorCode::kMalformed, "sealed box too short");
  }
  SecretBytes plain(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), box_public_key_.data(),
                           box_secret_key_.data()) != 0) {
    return Result<SecretBytes>(ErrorCode::kDecryptFailed,
                               "sealed box did not open: not for this key, or tampered");
  }
  return plain;
}

Status VerifySignature(ByteView sign_public_key, ByteView message, ByteView signature) {
  if (sign_public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return Status(ErrorCode::kMalformed, "signing public key has the wrong size");
  }
  if (signature.size() != crypto_sign_BYTES) {
    return Status(ErrorCode::kBadSignature, "signature has the wrong size");
  }
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                  sign_public_key.data()) != 0) {
    return Status(ErrorCode::kBadSignature, "signature does not verify");
  }
  return Status::Ok();
}

Result<Bytes> SealTo(ByteView box_public_key, ByteView plaintext) {
  if (box_public_key.size() != crypto_box_PUBLICKEYBYTES) {
    return Result<Bytes>(ErrorCode::kMalformed, "box public key has the wrong size");
  }
  Bytes out(plaintext.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), box_public_key.data()) != 0) {
    return Result<Bytes>(ErrorCode::kInternal, "crypto_box_seal failed");
  }
  return out;
}

std::string KeyFingerprint(ByteView public_key) {
  uint8_t hash[16];
  crypto_generichash(hash, sizeof hash, public_key.data(), public_key.size(), nullptr, 0);
  std::string hex = HexEncode(ByteView(hash, sizeof hash));
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 4) {
    if (!out.empty()) out += ' ';
    out += hex.substr(i, 4);
  }
  return out;
}

}  // namespace credvault
