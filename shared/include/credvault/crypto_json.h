// JSON forms of the crypto records (accounts, grants, envelopes' contexts, test jobs): the
// one place their field names are written. Binary fields are base64url without padding.
// Parsing never throws: a bad document gives kValidation naming the field.
#ifndef CREDVAULT_CRYPTO_JSON_H_
#define CREDVAULT_CRYPTO_JSON_H_

#include <nlohmann/json.hpp>

#include "credvault/account.h"
#include "credvault/crypto.h"
#include "credvault/test_job.h"
#include "credvault/workspace_keys.h"

namespace credvault {

nlohmann::json KdfToJson(const KdfParams& kdf);
Result<KdfParams> KdfFromJson(const nlohmann::json& j);

nlohmann::json AccountRecordToJson(const AccountRecord& record);
Result<AccountRecord> AccountRecordFromJson(const nlohmann::json& j);

nlohmann::json KeyGrantToJson(const KeyGrant& grant);
Result<KeyGrant> KeyGrantFromJson(const nlohmann::json& j);

Result<EnvelopeContext> EnvelopeContextFromJson(const nlohmann::json& j);
nlohmann::json EnvelopeHeaderToJson(const EnvelopeHeader& header);

nlohmann::json TestJobHeaderToJson(const TestJobHeader& header);
Result<TestJobHeader> TestJobHeaderFromJson(const nlohmann::json& j);

nlohmann::json SignedTestResultToJson(const SignedTestResult& result);
Result<SignedTestResult> SignedTestResultFromJson(const nlohmann::json& j);

// {"identity id": "base64url Ed25519 public key", ...}
Result<PinnedKeys> PinnedKeysFromJson(const nlohmann::json& j);

// Field readers shared by every JSON mapping of the core: each gives kValidation naming
// the field when it is missing or of the wrong type.
namespace json_field {
Status String(const nlohmann::json& j, const char* name, std::string* out);
Status OptionalString(const nlohmann::json& j, const char* name, std::string* out);
Status Uint(const nlohmann::json& j, const char* name, uint64_t* out);
Status OptionalUint(const nlohmann::json& j, const char* name, uint64_t* out);
Status Int(const nlohmann::json& j, const char* name, int64_t* out);
Status Bool(const nlohmann::json& j, const char* name, bool* out);
// base64url without padding
Status Binary(const nlohmann::json& j, const char* name, Bytes* out);
Status Object(const nlohmann::json& j, const char* name, const nlohmann::json** out);
}  // namespace json_field

}  // namespace credvault

#endif  // CREDVAULT_CRYPTO_JSON_H_
