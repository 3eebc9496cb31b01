#include <sodium.h>

#include <algorithm>
#include <string>

#include "credvault/crypto.h"
#include "crypto/internal.h"

namespace credvault {
namespace {

constexpr std::string_view kAdLabel = "credvault/v1";
constexpr size_t kMinEnvelopeBytes =
    kEnvelopeHeaderBytes + kEnvelopeNonceBytes + kEnvelopePadBlock + kEnvelopeTagBytes;

static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kEnvelopeNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kEnvelopeTagBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kSymmetricKeyBytes);

}  // namespace

SymmetricKey SymmetricKey::Generate(uint32_t generation) {
  return SymmetricKey(SecretBytes::Random(kSymmetricKeyBytes), generation);
}

Result<SymmetricKey> SymmetricKey::FromBytes(SecretBytes bytes, uint32_t generation) {
  if (bytes.size() != kSymmetricKeyBytes) {
    return Result<SymmetricKey>(ErrorCode::kMalformed, "a symmetric key is 32 bytes");
  }
  if (!bytes.guarded()) bytes = SecretBytes::GuardedCopyFrom(bytes.view());
  return SymmetricKey(std::move(bytes), generation);
}

Bytes EnvelopeAssociatedData(ByteView header, const EnvelopeContext& context,
                             uint32_t key_generation) {
  Bytes ad(header.begin(), header.end());
  ad.reserve(ad.size() + 12 + kAdLabel.size() + context.purpose.size() +
             context.workspace_id.size() + context.object_id.size() + 40);
  internal::AppendField(&ad, kAdLabel);
  internal::AppendField(&ad, context.purpose);
  internal::AppendField(&ad, context.workspace_id);
  internal::AppendField(&ad, context.object_id);
  internal::AppendField(&ad, std::to_string(context.object_version));
  internal::AppendField(&ad, std::to_string(key_generation));
  return ad;
}

Result<EnvelopeHeader> InspectEnvelope(ByteView envelope) {
  if (envelope.size() < kEnvelopeHeaderBytes) {
    return Result<EnvelopeHeader>(ErrorCode::kMalformed, "envelope shorter than its header");
  }
  if (envelope[0] != kEnvelopeVersion) {
    return Result<EnvelopeHeader>(ErrorCode::kUnsupportedVersion,
                                  "envelope format version " + std::to_string(envelope[0]) +
                                      " is not supported");
  }
  if (envelope[1] != kAlgXChaCha20Poly1305) {
    return Result<EnvelopeHeader>(ErrorCode::kUnsupportedAlgorithm,
                                  "envelope algorithm " + std::to_string(envelope[1]) +
                                      " is not supported");
  }
  if (envelope.size() > kEnvelopeMaxBytes) {
    return Result<EnvelopeHeader>(ErrorCode::kMalformed, "envelope larger than 1 MiB");
  }
  if (envelope.size() < kMinEnvelopeBytes) {
    return Result<EnvelopeHeader>(ErrorCode::kMalformed, "envelope truncated");
  }
  size_t padded = envelope.size() - kEnvelopeHeaderBytes - kEnvelopeNonceBytes - kEnvelopeTagBytes;
  if (padded % kEnvelopePadBlock != 0) {
    return Result<EnvelopeHeader>(ErrorCode::kMalformed,
                                  "envelope length is not a whole number of padding blocks");
  }
  EnvelopeHeader h;
  h.version = envelope[0];
  h.algorithm = envelope[1];
  h.key_generation = internal::ReadU32(envelope.data() + 2);
  h.padded_plaintext_bytes = padded;
  return h;
}

Result<EnvelopeHeader> InspectEnvelopeText(std::string_view text) {
  Bytes raw;
  if (!Base64UrlDecode(text, &raw)) {
    return Result<EnvelopeHeader>(ErrorCode::kMalformed, "envelope is not base64url");
  }
  return InspectEnvelope(raw);
}

Result<Bytes> SealEnvelope(const SymmetricKey& key, const EnvelopeContext& context,
                           ByteView plaintext) {
  if (plaintext.size() > kEnvelopeMaxBytes - kMinEnvelopeBytes) {
    return Result<Bytes>(ErrorCode::kInvalidArgument, "plaintext too large for an envelope");
  }
  // Pad in guarded memory: the plaintext is secret.
  size_t padded_max = plaintext.size() + kEnvelopePadBlock;
  SecretBytes padded(padded_max);
  std::copy(plaintext.begin(), plaintext.end(), padded.data());
  size_t padded_len = 0;
  if (sodium_pad(&padded_len, padded.data(), plaintext.size(), kEnvelopePadBlock, padded_max) != 0) {
    return Result<Bytes>(ErrorCode::kInternal, "padding failed");
  }

  Bytes out;
  out.reserve(kEnvelopeHeaderBytes + kEnvelopeNonceBytes + padded_len + kEnvelopeTagBytes);
  out.push_back(kEnvelopeVersion);
  out.push_back(kAlgXChaCha20Poly1305);
  internal::AppendU32(&out, key.generation());
  out.resize(kEnvelopeHeaderBytes + kEnvelopeNonceBytes);
  RandomFill(std::span<uint8_t>(out.data() + kEnvelopeHeaderBytes, kEnvelopeNonceBytes));

  Bytes ad = EnvelopeAssociatedData(ByteView(out.data(), kEnvelopeHeaderBytes), context,
                                    key.generation());
  size_t ct_offset = out.size();
  out.resize(ct_offset + padded_len + kEnvelopeTagBytes);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + ct_offset, &ct_len, padded.data(), padded_len, ad.data(), ad.size(), nullptr,
      out.data() + kEnvelopeHeaderBytes, key.InsecureBytes().data());
  out.resize(ct_offset + ct_len);
  return out;
}

Result<SecretBytes> OpenEnvelope(const SymmetricKey& key, const EnvelopeContext& context,
                                 ByteView envelope) {
  auto header = InspectEnvelope(envelope);
  if (!header.ok()) return header.status();
  if (header->key_generation != key.generation()) {
    return Result<SecretBytes>(ErrorCode::kDecryptFailed,
                               "envelope was sealed under key generation " +
                                   std::to_string(header->key_generation) + ", not " +
                                   std::to_string(key.generation()));
  }
  Bytes ad = EnvelopeAssociatedData(envelope.first(kEnvelopeHeaderBytes), context,
                                    key.generation());
  const uint8_t* nonce = envelope.data() + kEnvelopeHeaderBytes;
  const uint8_t* ct = nonce + kEnvelopeNonceBytes;
  size_t ct_len = envelope.size() - kEnvelopeHeaderBytes - kEnvelopeNonceBytes;
  SecretBytes plain(ct_len - kEnvelopeTagBytes);
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, ct, ct_len,
                                                 ad.data(), ad.size(), nonce,
                                                 key.InsecureBytes().data()) != 0) {
    return Result<SecretBytes>(ErrorCode::kDecryptFailed,
                               "envelope did not open: wrong key, wrong context or tampered");
  }
  size_t unpadded = 0;
  if (sodium_unpad(&unpadded, plain.data(), plain_len, kEnvelopePadBlock) != 0) {
    return Result<SecretBytes>(ErrorCode::kMalformed, "envelope padding is invalid");
  }
  plain.Truncate(unpadded);
  return plain;
}

}  // namespace credvault
