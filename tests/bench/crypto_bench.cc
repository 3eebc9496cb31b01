// Crypto benchmarks, one program compiled natively and to WASM (run by Node), so the same
// loops are compared: Argon2id at the default login cost, XChaCha20-Poly1305 on 1 KiB and
// 1 MiB, and opening 10,000 small envelopes. Prints one JSON object per line.
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "credvault/account.h"
#include "credvault/crypto.h"

namespace credvault {
namespace {

double NowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

void Report(const char* name, double value, const char* unit) {
  std::printf("{\"target\":\"%s\",\"name\":\"%s\",\"value\":%.3f,\"unit\":\"%s\"}\n",
              CryptoTarget().c_str(), name, value, unit);
  std::fflush(stdout);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void BenchArgon2id(int runs) {
  uint8_t out[32];
  uint8_t salt[16] = {0};
  std::vector<double> times;
  for (int i = 0; i < runs + 1; ++i) {
    double t = NowMs();
    if (crypto_pwhash(out, sizeof out, "password", 8, salt, kMinKdf.ops_limit,
                      kMinKdf.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
      Report("argon2id_64mib_ops2_failed", 0, "ms");
      return;
    }
    if (i > 0) times.push_back(NowMs() - t);  // the first run also grows the heap
  }
  Report("argon2id_64mib_ops2", Median(times), "ms");
}

void BenchAead(size_t size, const char* enc_name, const char* dec_name) {
  std::vector<uint8_t> key(32, 7), nonce(24, 1), msg(size, 0x5a), ct(size + 16), pt(size);
  double budget_bytes = 256.0 * 1024 * 1024;
  int iters = static_cast<int>(budget_bytes / static_cast<double>(size));
  unsigned long long len = 0;
  double t = NowMs();
  for (int i = 0; i < iters; ++i) {
    randombytes_buf(nonce.data(), nonce.size());  // as a real seal does
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), &len, msg.data(), size, nullptr, 0,
                                               nullptr, nonce.data(), key.data());
  }
  double enc = NowMs() - t;
  t = NowMs();
  for (int i = 0; i < iters; ++i) {
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt.data(), &len, nullptr, ct.data(), ct.size(),
                                                   nullptr, 0, nonce.data(), key.data()) != 0) {
      return;
    }
  }
  double dec = NowMs() - t;
  Report(enc_name, budget_bytes / (1024 * 1024) / (enc / 1000), "MiB/s");
  Report(dec_name, budget_bytes / (1024 * 1024) / (dec / 1000), "MiB/s");
}

void BenchEnvelopes(int count) {
  SymmetricKey key = SymmetricKey::Generate(1);
  EnvelopeContext ctx{"credential", "workspace-id-0000000000", "credential-id-000000000", 3};
  std::vector<Bytes> sealed;
  for (int i = 0; i < count; ++i) {
    auto s = SealEnvelope(key, ctx, AsBytes(R"({"token":"ghp_0123456789abcdef0123456789"})"));
    if (!s.ok()) return;
    sealed.push_back(std::move(s).value());
  }
  double t = NowMs();
  for (const Bytes& s : sealed) {
    if (!OpenEnvelope(key, ctx, s).ok()) return;
  }
  Report("open_10000_envelopes", NowMs() - t, "ms");
}

}  // namespace
}  // namespace credvault

int main() {
  if (!credvault::InitCrypto().ok()) return 1;
  credvault::BenchArgon2id(5);
  credvault::BenchAead(1024, "xchacha_1kib_encrypt", "xchacha_1kib_decrypt");
  credvault::BenchAead(1 << 20, "xchacha_1mib_encrypt", "xchacha_1mib_decrypt");
  credvault::BenchEnvelopes(10000);
  return 0;
}
