// JSON forms of the model (credentials, connections, workspaces): the one place their field
// names are written. snake_case names; every top-level document carries "schema_version"
// (kModelSchemaVersion). Binary fields are base64url without padding.
//
// Parsing never throws. Errors: kParseError for text that is not JSON; kValidation naming
// the field by its path ("grants[1].wrapped_data_key: is missing", "tls.server_name: must
// be a string") for a missing field, a wrong type or a value outside its enum;
// kUnsupportedVersion for a schema_version this build does not read (the client must be
// upgraded, which a form error would not say). Parsing checks structure, enums, envelopes
// (InspectEnvelope) and a view's endpoint URL; the field rules are Check*/Validate*'s.
// Secret fields are copied into guarded memory; the JSON the caller passed is theirs to
// wipe.
#ifndef CREDVAULT_MODEL_JSON_H_
#define CREDVAULT_MODEL_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/workspace.h"

namespace credvault {

inline constexpr uint64_t kModelSchemaVersion = 1;

// Parses `text` into a JSON object. kParseError (with the byte offset) or kValidation when
// the document is not an object.
Result<nlohmann::json> ParseJsonObject(std::string_view text);

nlohmann::json SealedCredentialToJson(const SealedCredential& credential);
// One element of a sealed credential's "grants" (also the body that shares it).
nlohmann::json CredentialGrantToJson(const CredentialGrant& grant);
Result<SealedCredential> SealedCredentialFromJson(const nlohmann::json& j);

nlohmann::json CredentialSummaryToJson(const CredentialSummary& summary);
Result<CredentialSummary> CredentialSummaryFromJson(const nlohmann::json& j);

// The decrypted form as a form or a JS caller hands it over: {"name", "kind",
// "auth_method", "fields": {"token": "…"}}. ToJson exists for the form's round trip; the
// caller wipes the text it dumps.
nlohmann::json CredentialViewToJson(const CredentialView& view);
Result<CredentialView> CredentialViewFromJson(const nlohmann::json& j);

nlohmann::json SealedConnectionToJson(const SealedConnection& connection);
Result<SealedConnection> SealedConnectionFromJson(const nlohmann::json& j);

nlohmann::json ConnectionViewToJson(const ConnectionView& view);
Result<ConnectionView> ConnectionViewFromJson(const nlohmann::json& j);

nlohmann::json ConnectionSummaryToJson(const ConnectionSummary& summary);
// Reads a summary back (the view models' lists take summaries as JSON): what
// ConnectionSummaryToJson wrote, extra fields such as "chips" ignored. "id", "name", "kind"
// and "state" are required; errors name the field under `path` ("summaries[2].state").
Result<ConnectionSummary> ConnectionSummaryFromJson(const nlohmann::json& j, std::string path = "");

nlohmann::json WorkspaceToJson(const Workspace& workspace);
Result<Workspace> WorkspaceFromJson(const nlohmann::json& j);

nlohmann::json FieldIssuesToJson(const FieldIssues& issues);

// Dumps without ever throwing: invalid UTF-8 is replaced, not an abort in WASM.
std::string DumpJson(const nlohmann::json& j);

}  // namespace credvault

#endif  // CREDVAULT_MODEL_JSON_H_
