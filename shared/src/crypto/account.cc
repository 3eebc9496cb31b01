#include "credvault/account.h"

#include <sodium.h>

#include <cctype>

namespace credvault {
namespace {

constexpr std::string_view kPurposeAccountKeys = "account-keys";
constexpr std::string_view kPurposeRecoveryKeys = "account-keys-recovery";
constexpr uint32_t kAccountKeyGeneration = 1;
constexpr size_t kRecoveryKeyBytes = 32;
// The recovery key derives a login proof (subkey 1) and the key that wraps the private
// keys (subkey 2), as the master key does.
constexpr char kRecoveryKdfContext[] = "credrecv";
// Argon2id for the server's hash of a 32-byte proof: the proof has full entropy, so this
// only has to make a stolen database useless for replay, not slow down guessing.
constexpr unsigned long long kProofHashOps = 2;
constexpr size_t kProofHashMem = 8u << 20;

static_assert(crypto_pwhash_SALTBYTES == kSaltBytes);

EnvelopeContext AccountKeysContext(const AccountRecord& record) {
  return {std::string(kPurposeAccountKeys), "", record.account_id, record.keys_version};
}

EnvelopeContext RecoveryContext(const AccountRecord& record) {
  return {std::string(kPurposeRecoveryKeys), "", record.account_id, 0};
}

SecretBytes DeriveSubkey(const SecretBytes& master, uint64_t id, const char context[8]) {
  SecretBytes out = SecretBytes::Guarded(32);
  crypto_kdf_derive_from_key(out.data(), out.size(), id, context, master.data());
  return out;
}

// 32 bytes as 16 groups of 4 hex digits, "1a2b-3c4d-…".
std::string FormatRecoveryCode(const SecretBytes& key) {
  std::string hex(key.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  hex.pop_back();
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 4) {
    if (!out.empty()) out += '-';
    out.append(hex, i, 4);
  }
  Wipe(hex);
  return out;
}

Result<SecretBytes> ParseRecoveryCode(std::string_view code) {
  std::string hex;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  SecretBytes key(kRecoveryKeyBytes);
  size_t len = 0;
  const char* end = nullptr;
  bool ok = hex.size() == kRecoveryKeyBytes * 2 &&
            sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, &end) == 0 &&
            len == kRecoveryKeyBytes && end == hex.data() + hex.size();
  Wipe(hex);
  if (!ok) {
    return Result<SecretBytes>(ErrorCode::kInvalidArgument,
                               "a recovery code is 64 hexadecimal digits, dashes allowed");
  }
  return key;
}

Result<SymmetricKey> RecoveryWrapKey(const SecretBytes& recovery_key) {
  return SymmetricKey::FromBytes(DeriveSubkey(recovery_key, 2, kRecoveryKdfContext),
                                 kAccountKeyGeneration);
}

Result<std::unique_ptr<UnlockedAccount>> UnwrapIdentity(const SymmetricKey& key,
                                                        const EnvelopeContext& context,
                                                        const AccountRecord& record,
                                                        ByteView wrapped) {
  auto secrets = OpenEnvelope(key, context, wrapped);
  if (!secrets.ok()) return secrets.status();
  auto identity = Identity::Deserialize(record.account_id, secrets->view());
  if (!identity.ok()) return identity.status();
  if ((*identity)->box_public_key() != record.box_public_key ||
      (*identity)->sign_public_key() != record.sign_public_key) {
    return Result<std::unique_ptr<UnlockedAccount>>(
        ErrorCode::kMalformed, "the account's public keys do not match its private keys");
  }
  return identity;
}

}  // namespace

Status CheckKdfParams(const KdfParams& params) {
  if (params.ops_limit < kMinKdf.ops_limit || params.mem_limit_bytes < kMinKdf.mem_limit_bytes) {
    return Status(ErrorCode::kKdfTooWeak,
                  "KDF parameters below the minimum (ops 2, 64 MiB): refusing to derive keys");
  }
  if (params.ops_limit > kMaxKdf.ops_limit || params.mem_limit_bytes > kMaxKdf.mem_limit_bytes) {
    return Status(ErrorCode::kInvalidArgument, "KDF parameters above the maximum (ops 16, 1 GiB)");
  }
  return Status::Ok();
}

Result<LoginKeys> DeriveLoginKeys(std::string_view password, ByteView salt, const KdfParams& kdf) {
  CV_RETURN_IF_ERROR(CheckKdfParams(kdf));
  if (salt.size() != kSaltBytes) {
    return Result<LoginKeys>(ErrorCode::kInvalidArgument, "salt must be 16 bytes");
  }
  if (password.empty()) {
    return Result<LoginKeys>(ErrorCode::kInvalidArgument, "password is empty");
  }
  SecretBytes master = SecretBytes::Guarded(32);
  if (crypto_pwhash(master.data(), master.size(), password.data(), password.size(), salt.data(),
                    kdf.ops_limit, kdf.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Result<LoginKeys>(ErrorCode::kInternal, "Argon2id failed (out of memory?)");
  }
  SecretBytes auth = DeriveSubkey(master, 1, "credauth");
  auto account = SymmetricKey::FromBytes(DeriveSubkey(master, 2, "credacct"), kAccountKeyGeneration);
  if (!account.ok()) return account.status();
  return LoginKeys{std::move(auth), std::move(account).value()};
}

Result<NewAccount> CreateAccount(std::string_view email, std::string_view password,
                                 const KdfParams& kdf) {
  if (email.empty() || email.find('@') == std::string_view::npos) {
    return Result<NewAccount>(ErrorCode::kValidation, "email: not an email address");
  }
  AccountRecord record;
  record.account_id = NewObjectId();
  record.email = std::string(email);
  record.kdf = kdf;
  record.salt = RandomBytes(kSaltBytes);
  record.keys_version = 1;
  CV_ASSIGN_OR_RETURN(LoginKeys keys, DeriveLoginKeys(password, record.salt, kdf));

  std::unique_ptr<UnlockedAccount> identity = Identity::Generate(record.account_id);
  record.box_public_key = identity->box_public_key();
  record.sign_public_key = identity->sign_public_key();
  SecretBytes secrets = identity->InsecureSerialize();
  CV_ASSIGN_OR_RETURN(record.wrapped_private_keys,
                      SealEnvelope(keys.account_key, AccountKeysContext(record), secrets.view()));

  SecretBytes recovery_key = SecretBytes::Random(kRecoveryKeyBytes);
  CV_ASSIGN_OR_RETURN(SymmetricKey wrap_key, RecoveryWrapKey(recovery_key));
  CV_ASSIGN_OR_RETURN(record.recovery_wrapped_private_keys,
                      SealEnvelope(wrap_key, RecoveryContext(record), secrets.view()));

  NewAccount out{std::move(record), std::move(keys.auth_key),
                 DeriveSubkey(recovery_key, 1, kRecoveryKdfContext),
                 FormatRecoveryCode(recovery_key), std::move(identity)};
  return out;
}

Result<UnlockResult> UnlockAccount(std::string_view password, const AccountRecord& record) {
  CV_ASSIGN_OR_RETURN(LoginKeys keys, DeriveLoginKeys(password, record.salt, record.kdf));
  CV_ASSIGN_OR_RETURN(auto identity, UnwrapIdentity(keys.account_key, AccountKeysContext(record),
                                                    record, record.wrapped_private_keys));
  return UnlockResult{std::move(keys.auth_key), std::move(identity)};
}

Result<std::unique_ptr<UnlockedAccount>> RecoverAccount(std::string_view recovery_code,
                                                        const AccountRecord& record) {
  CV_ASSIGN_OR_RETURN(SecretBytes raw, ParseRecoveryCode(recovery_code));
  CV_ASSIGN_OR_RETURN(SymmetricKey key, RecoveryWrapKey(raw));
  return UnwrapIdentity(key, RecoveryContext(record), record, record.recovery_wrapped_private_keys);
}

Result<SecretBytes> DeriveRecoveryAuthKey(std::string_view recovery_code) {
  CV_ASSIGN_OR_RETURN(SecretBytes raw, ParseRecoveryCode(recovery_code));
  return DeriveSubkey(raw, 1, kRecoveryKdfContext);
}

Result<std::string> HashLoginProof(ByteView proof) {
  if (proof.size() != 32) {
    return Result<std::string>(ErrorCode::kInvalidArgument, "a login proof is 32 bytes");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, reinterpret_cast<const char*>(proof.data()), proof.size(),
                            kProofHashOps, kProofHashMem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Result<std::string>(ErrorCode::kInternal, "hashing the login proof failed");
  }
  return std::string(out);
}

bool VerifyLoginProof(std::string_view stored_hash, ByteView proof) {
  // crypto_pwhash_str_verify compares in constant time; it needs a NUL-terminated string.
  std::string hash(stored_hash);
  if (proof.size() != 32 || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), reinterpret_cast<const char*>(proof.data()),
                                  proof.size()) == 0;
}

Result<PasswordChange> ChangePassword(const UnlockedAccount& account, const AccountRecord& record,
                                      std::string_view new_password, const KdfParams& kdf) {
  if (account.id() != record.account_id) {
    return Result<PasswordChange>(ErrorCode::kWrongRecipient, "record of another account");
  }
  AccountRecord next = record;
  next.kdf = kdf;
  next.salt = RandomBytes(kSaltBytes);
  next.keys_version = record.keys_version + 1;
  CV_ASSIGN_OR_RETURN(LoginKeys keys, DeriveLoginKeys(new_password, next.salt, kdf));
  SecretBytes secrets = account.InsecureSerialize();
  CV_ASSIGN_OR_RETURN(next.wrapped_private_keys,
                      SealEnvelope(keys.account_key, AccountKeysContext(next), secrets.view()));
  return PasswordChange{std::move(next), std::move(keys.auth_key)};
}

}  // namespace credvault
