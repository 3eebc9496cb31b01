// Bytes and SecretBytes: plain byte strings, and byte strings that hold key material.
//
// SecretBytes is wiped on destruction, cannot be copied by accident (copies are explicit
// via Clone), is never printed (no operator<<, no conversion to string), and compares in
// constant time. Long-lived key material lives in libsodium-guarded memory (Guarded():
// sodium_malloc, with guard pages, a canary, and locked where the platform allows); short-
// lived plaintexts use the ordinary heap, wiped on free, because a guarded allocation
// costs several system calls (tens of microseconds) and would dominate opening an
// envelope. Not thread-safe; a SecretBytes is owned by one object at a time.
#ifndef CREDVAULT_SECRET_H_
#define CREDVAULT_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace credvault {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsChars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

class SecretBytes {
 public:
  SecretBytes() = default;
  // Zero-filled secret of `size` bytes on the heap. Aborts if memory cannot be had.
  explicit SecretBytes(size_t size);
  // Zero-filled secret of `size` bytes in guarded memory, for keys.
  static SecretBytes Guarded(size_t size);
  // Copies `bytes` (the caller wipes its own copy).
  static SecretBytes CopyFrom(ByteView bytes);
  static SecretBytes GuardedCopyFrom(ByteView bytes);
  // Random secret of `size` bytes, in guarded memory.
  static SecretBytes Random(size_t size);

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  SecretBytes Clone() const;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return ByteView(data_, size_); }
  std::string_view chars() const { return AsChars(view()); }

  // Constant-time comparison of contents (and of sizes, which are not secret).
  bool Equals(const SecretBytes& other) const;
  bool guarded() const { return guarded_; }
  // Shrinks the visible size (used after unpadding). Precondition: n <= size().
  void Truncate(size_t n);

 private:
  SecretBytes(size_t size, bool guarded);
  void Release();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool guarded_ = false;
};

// Fills `out` with cryptographically secure random bytes.
void RandomFill(std::span<uint8_t> out);
Bytes RandomBytes(size_t n);

// Wipes a buffer that held secret material.
void Wipe(void* data, size_t size);
inline void Wipe(std::string& s) {
  Wipe(s.data(), s.size());
  s.clear();
}
inline void Wipe(Bytes& b) {
  Wipe(b.data(), b.size());
  b.clear();
}

// base64url without padding (the envelope's text form), and standard base64 with padding
// (PEM bodies, kubeconfig *-data fields). Decoding reports a bad character or length.
std::string Base64UrlEncode(ByteView bytes);
bool Base64UrlDecode(std::string_view text, Bytes* out);
std::string Base64Encode(ByteView bytes);
bool Base64Decode(std::string_view text, Bytes* out);  // ignores whitespace
std::string HexEncode(ByteView bytes);
// The same text as Base64UrlEncode, by a table lookup per character instead of libsodium's
// constant-time arithmetic: several times faster, and its timing depends on the bytes. Only
// for what is public anyway — ciphertext, public keys, signatures — such as the envelopes
// the server returns on every read; a key or a password goes through Base64UrlEncode.
std::string Base64UrlEncodePublic(ByteView bytes);

}  // namespace credvault

#endif  // CREDVAULT_SECRET_H_
