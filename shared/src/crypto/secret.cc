#include "credvault/secret.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <utility>

namespace credvault {

SecretBytes::SecretBytes(size_t size) : SecretBytes(size, false) {}

SecretBytes::SecretBytes(size_t size, bool guarded) : guarded_(guarded) {
  // Keep at least one byte so data() is always valid.
  capacity_ = size == 0 ? 1 : size;
  data_ = static_cast<uint8_t*>(guarded ? sodium_malloc(capacity_) : std::malloc(capacity_));
  if (data_ == nullptr) std::abort();  // as libsodium does when it cannot allocate
  std::memset(data_, 0, capacity_);
  size_ = size;
}

SecretBytes SecretBytes::Guarded(size_t size) { return SecretBytes(size, true); }

SecretBytes SecretBytes::CopyFrom(ByteView bytes) {
  SecretBytes s(bytes.size());
  if (!bytes.empty()) std::memcpy(s.data_, bytes.data(), bytes.size());
  return s;
}

SecretBytes SecretBytes::GuardedCopyFrom(ByteView bytes) {
  SecretBytes s = Guarded(bytes.size());
  if (!bytes.empty()) std::memcpy(s.data_, bytes.data(), bytes.size());
  return s;
}

SecretBytes SecretBytes::Random(size_t size) {
  SecretBytes s = Guarded(size);
  RandomFill(std::span<uint8_t>(s.data_, size));
  return s;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      guarded_(std::exchange(other.guarded_, false)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    guarded_ = std::exchange(other.guarded_, false);
  }
  return *this;
}

SecretBytes::~SecretBytes() { Release(); }

void SecretBytes::Release() {
  if (data_ != nullptr) {
    sodium_memzero(data_, capacity_);
    if (guarded_) {
      sodium_free(data_);
    } else {
      std::free(data_);
    }
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
  guarded_ = false;
}

SecretBytes SecretBytes::Clone() const {
  return guarded_ ? GuardedCopyFrom(view()) : CopyFrom(view());
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

void SecretBytes::Truncate(size_t n) {
  if (n >= size_) return;
  sodium_memzero(data_ + n, size_ - n);
  size_ = n;
}

void RandomFill(std::span<uint8_t> out) {
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

Bytes RandomBytes(size_t n) {
  Bytes b(n);
  RandomFill(b);
  return b;
}

void Wipe(void* data, size_t size) {
  if (data != nullptr && size > 0) sodium_memzero(data, size);
}

namespace {

std::string Encode(ByteView bytes, int variant) {
  if (bytes.empty()) return {};
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool Decode(std::string_view text, Bytes* out, int variant, const char* ignore) {
  out->assign(text.size() * 3 / 4 + 3, 0);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out->data(), out->size(), text.data(), text.size(), ignore, &len, &end,
                        variant) != 0 ||
      end != text.data() + text.size()) {
    Wipe(*out);
    return false;
  }
  out->resize(len);
  return true;
}

}  // namespace

std::string Base64UrlEncode(ByteView bytes) {
  return Encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
bool Base64UrlDecode(std::string_view text, Bytes* out) {
  return Decode(text, out, sodium_base64_VARIANT_URLSAFE_NO_PADDING, nullptr);
}
std::string Base64Encode(ByteView bytes) { return Encode(bytes, sodium_base64_VARIANT_ORIGINAL); }
bool Base64Decode(std::string_view text, Bytes* out) {
  return Decode(text, out, sodium_base64_VARIANT_ORIGINAL, " \t\r\n");
}

std::string Base64UrlEncodePublic(ByteView bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out((bytes.size() * 4 + 2) / 3, '\0');
  char* o = out.data();
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;  // 0, 1 or 2 bytes: 0, 2 or 3 characters, no padding
  if (rest > 0) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (rest == 2 ? uint32_t{bytes[i + 1]} << 8 : 0);
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    if (rest == 2) *o++ = kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string HexEncode(ByteView bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

}  // namespace credvault
