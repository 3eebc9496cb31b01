// JSON forms of the crypto records (accounts, grants, envelopes' contexts, test jobs): the
// one place their field names are written. Binary fields are base64url without padding.
// Parsing never throws: a bad document gives kValidation naming the field (read with the
// same reader as the model's mappings, shared/src/json/model_reader.h).
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

}  // namespace credvault

#endif  // CREDVAULT_CRYPTO_JSON_H_
