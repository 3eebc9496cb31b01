// Accounts: the key hierarchy of DESIGN §3 from a password down to the account's key pairs.
//
// The master key is Argon2id(password, salt) and never leaves the client. From it come the
// auth key (the login proof the server hashes again) and the account key (which wraps the
// account's X25519 and Ed25519 private keys). A random recovery key wraps the same private
// keys a second time. The client refuses KDF parameters below kMinKdf, whatever a server
// says.
#ifndef CREDVAULT_ACCOUNT_H_
#define CREDVAULT_ACCOUNT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "credvault/crypto.h"
#include "credvault/identity.h"
#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

struct KdfParams {
  uint64_t ops_limit = 0;
  uint64_t mem_limit_bytes = 0;
  friend bool operator==(const KdfParams&, const KdfParams&) = default;
};
// libsodium's INTERACTIVE level: the least a client accepts.
inline constexpr KdfParams kMinKdf{2, 64ull << 20};
inline constexpr KdfParams kDefaultKdf{3, 64ull << 20};
// Refused as a denial of service on the client (a server asking for 8 GiB of memory).
inline constexpr KdfParams kMaxKdf{16, 1ull << 30};

inline constexpr size_t kSaltBytes = 16;

Status CheckKdfParams(const KdfParams& params);

// What the server stores for an account: nothing in it opens without the password or the
// recovery code.
struct AccountRecord {
  std::string account_id;
  std::string email;
  KdfParams kdf;
  Bytes salt;
  uint64_t keys_version = 1;  // bumped when the private keys are re-wrapped
  Bytes box_public_key;
  Bytes sign_public_key;
  Bytes wrapped_private_keys;           // envelope under the account key
  Bytes recovery_wrapped_private_keys;  // envelope under the recovery key
};

// The login proof (auth key) and the key that unwraps the private keys.
struct LoginKeys {
  SecretBytes auth_key;
  SymmetricKey account_key;
};
// Runs Argon2id once and derives both keys. kKdfTooWeak below kMinKdf.
Result<LoginKeys> DeriveLoginKeys(std::string_view password, ByteView salt,
                                  const KdfParams& kdf);

// An unlocked account is the account's identity: its id and key pairs.
using UnlockedAccount = Identity;

struct NewAccount {
  AccountRecord record;
  SecretBytes auth_key;           // sent to the server at registration
  SecretBytes recovery_auth_key;  // sent too: proves the recovery code in a recovery
  std::string recovery_code;      // shown to the user once
  std::unique_ptr<UnlockedAccount> account;
};

Result<NewAccount> CreateAccount(std::string_view email, std::string_view password,
                                 const KdfParams& kdf);

struct UnlockResult {
  SecretBytes auth_key;
  std::unique_ptr<UnlockedAccount> account;
};
// Unlocks with the password. kDecryptFailed for a wrong password.
Result<UnlockResult> UnlockAccount(std::string_view password, const AccountRecord& record);
// Unlocks with the recovery code. kInvalidArgument for a code of the wrong form,
// kDecryptFailed for a wrong one.
Result<std::unique_ptr<UnlockedAccount>> RecoverAccount(std::string_view recovery_code,
                                                        const AccountRecord& record);

// The proof of holding the recovery code, which the server checks before it hands out
// the recovery-wrapped keys (it stores only a hash, as for the auth key).
// kInvalidArgument for a code of the wrong form.
Result<SecretBytes> DeriveRecoveryAuthKey(std::string_view recovery_code);

// What the server stores of a login proof (auth key or recovery auth key): a
// crypto_pwhash_str string. The proofs are 32 random-looking bytes, so a light Argon2id
// setting suffices and keeps a login cheap for the server.
Result<std::string> HashLoginProof(ByteView proof);
// Constant-time check of `proof` against HashLoginProof's output.
bool VerifyLoginProof(std::string_view stored_hash, ByteView proof);

// A new password (and salt, KDF parameters): returns the record's new fields and auth key.
// The recovery wrap stays as it is.
struct PasswordChange {
  AccountRecord record;
  SecretBytes auth_key;
};
Result<PasswordChange> ChangePassword(const UnlockedAccount& account, const AccountRecord& record,
                                      std::string_view new_password, const KdfParams& kdf);

}  // namespace credvault

#endif  // CREDVAULT_ACCOUNT_H_
