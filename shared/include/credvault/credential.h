// Credentials: what authenticates a connection, in the three layers of STYLE.md.
//
//   CredentialView     the decrypted credential (name, kind, auth method, secret fields);
//                      lives only in the client. Move-only: secret fields sit in guarded
//                      memory and are wiped when dropped.
//   SealedCredential   what the server stores: ids, kind, auth method, version, timestamps
//                      (all of which DESIGN §2 lets it know), the secret fields sealed once
//                      under a random data key, and one grant per workspace it is shared
//                      with (the data key wrapped under that workspace's secrets key).
//   CredentialSummary  what a list shows: no secret, no envelope.
//
// The display name is sealed too, but per workspace grant under the workspace METADATA key
// rather than inside the secret envelope: a viewer may list credentials by name (every role
// may read them) yet never holds the secrets key, so the name cannot live with the secrets.
//
// The (kind, auth method) → fields table is data (AuthMethodSpecs); validation reads it and
// reports every problem as a FieldIssue naming the field. Errors: kValidation for a view
// that fails validation, kPermissionDenied for keys without the secrets key, kNotFound when
// the credential is not granted to the workspace, kDecryptFailed / kMalformed from the
// envelope, kConflict when the sealed fields disagree with the plaintext kind or method.
// Functions are pure and thread-safe; a CredentialView is owned by one thread at a time.
#ifndef CREDVAULT_CREDENTIAL_H_
#define CREDVAULT_CREDENTIAL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/kind.h"
#include "credvault/pem.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"

namespace credvault {

enum class AuthMethod {
  kBearerToken,          // "bearer_token"
  kClientCertificate,    // "client_certificate" (mutual TLS)
  kBasic,                // "basic"
  kApiKey,               // "api_key" (Grafana)
  kServiceAccountToken,  // "service_account_token" (Grafana)
  kPersonalAccessToken,  // "personal_access_token" (GitHub)
  kGitHubApp,            // "github_app"
  kCustomHeader,         // "custom_header" (any HTTP API: a header name and value)
};
std::string_view AuthMethodName(AuthMethod method);
std::optional<AuthMethod> ParseAuthMethod(std::string_view name);

enum class CredentialField {
  kToken,
  kUsername,
  kPassword,
  kClientCertificate,
  kClientKey,
  kCaData,
  kApiKey,
  kAppId,
  kInstallationId,
  kPrivateKey,
  kHeaderName,
  kHeaderValue,
};
inline constexpr size_t kCredentialFieldCount = 12;
// The field's JSON and form name: "token", "client_certificate", "ca_data", "app_id", ...
std::string_view CredentialFieldName(CredentialField field);
std::optional<CredentialField> ParseCredentialField(std::string_view name);

enum class FieldFormat {
  kToken,          // no whitespace or control characters
  kUsername,       // no ':' (RFC 7617) and no control characters
  kPassword,       // no control characters
  kCertificates,   // PEM, one or more CERTIFICATE blocks
  kPrivateKey,     // PEM private key (RSA, EC or PKCS#8)
  kRsaPrivateKey,  // PEM RSA or PKCS#8 private key
  kGitHubAppId,    // a numeric App id, or an App client id ("Iv1.…", "Iv23…")
  kNumericId,      // decimal digits, not zero
  kHeaderName,     // an RFC 9110 token, not a header the transport owns
  kHeaderValue,    // no CR, LF or NUL (header injection)
};

struct FieldSpec {
  CredentialField field;
  bool required;
  FieldFormat format;
  bool masked;             // shown as dots in forms
  std::string_view label;  // form label
};

struct AuthMethodSpec {
  ServiceKind kind;
  AuthMethod method;
  std::string_view label;
  std::span<const FieldSpec> fields;
};

// The whole table, in the order forms offer the methods.
std::span<const AuthMethodSpec> AuthMethodSpecs();
// nullptr when `kind` does not support `method`.
const AuthMethodSpec* FindAuthMethod(ServiceKind kind, AuthMethod method);
std::vector<AuthMethod> AuthMethodsFor(ServiceKind kind);

inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxSecretFieldBytes = 64 * 1024;

// A credential's secret fields. An empty field is an absent one.
class SecretFields {
 public:
  SecretFields() = default;
  SecretFields(SecretFields&&) = default;
  SecretFields& operator=(SecretFields&&) = default;
  SecretFields Clone() const;

  // Copies `value` into guarded memory; the caller wipes its own copy.
  void Set(CredentialField field, std::string_view value);
  void Clear(CredentialField field);
  std::string_view Get(CredentialField field) const;
  bool Has(CredentialField field) const { return !Get(field).empty(); }

 private:
  std::array<SecretBytes, kCredentialFieldCount> values_;
};

struct CredentialView {
  std::string name;
  ServiceKind kind = ServiceKind::kHttp;
  AuthMethod method = AuthMethod::kBearerToken;
  SecretFields fields;

  CredentialView Clone() const;
};

// Every problem with `view`, in field order: name first, then the method's fields, then
// fields the method does not use ("not_used"). Codes: required, too_long, control_chars,
// whitespace, colon_in_username, not_numeric, bad_header_name, reserved_header,
// unsupported_method, not_used, and the pem_* codes of pem.h.
FieldIssues CheckCredential(const CredentialView& view);
Status ValidateCredential(const CredentialView& view);
// Checks one field's value alone (for a form that validates as the user types).
std::optional<FieldIssue> CheckCredentialField(const FieldSpec& spec, std::string_view value);
// The display-name rule shared by credentials and connections: 1..kMaxNameChars, no
// control characters, not only whitespace. `field` names the field in the issue.
std::optional<FieldIssue> CheckDisplayName(std::string_view field, std::string_view name);

// One workspace a credential is shared with.
struct CredentialGrant {
  std::string workspace_id;
  uint32_t key_generation = 0;  // of the workspace keys that wrapped it
  Bytes wrapped_data_key;       // envelope "credential-key" under the secrets key
  Bytes sealed_name;            // envelope "credential-name" under the metadata key
};

struct SealedCredential {
  std::string id;
  std::string owner_id;      // the account that created it
  std::string workspace_id;  // the workspace it was created in (its home)
  ServiceKind kind = ServiceKind::kHttp;
  AuthMethod method = AuthMethod::kBearerToken;
  uint64_t version = 1;
  int64_t created_at = 0;  // unix seconds
  int64_t updated_at = 0;
  Bytes sealed_secret;  // envelope "credential" under the data key (workspace id "")
  std::vector<CredentialGrant> grants;
  // Set by the server when a member who could open it left: rotate the secret upstream.
  bool rotate_recommended = false;

  const CredentialGrant* FindGrant(std::string_view workspace_id) const;
};

struct CredentialSummary {
  std::string id;
  std::string name;
  ServiceKind kind = ServiceKind::kHttp;
  AuthMethod method = AuthMethod::kBearerToken;
  uint64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  bool rotate_recommended = false;
  size_t shared_workspaces = 0;
};

// Who and when, for sealing; the server may know all of it.
struct CredentialRecord {
  std::string id;  // NewObjectId()
  std::string owner_id;
  std::string workspace_id;
  uint64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

EnvelopeContext CredentialSecretContext(std::string_view credential_id, uint64_t version);
EnvelopeContext CredentialNameContext(std::string_view workspace_id, std::string_view credential_id,
                                      uint64_t version);

// Validates `view`, seals its fields under `data_key` and grants it to each of
// `workspaces` (each must hold its secrets key: kPermissionDenied otherwise). The home
// workspace must be among them (kInvalidArgument).
Result<SealedCredential> SealCredential(const CredentialView& view, const CredentialRecord& record,
                                        const SymmetricKey& data_key,
                                        std::span<const WorkspaceKeys* const> workspaces);
// The data key through the grant for `keys.workspace_id`.
Result<SymmetricKey> OpenDataKey(const SealedCredential& sealed, const WorkspaceKeys& keys);
// The whole view: needs the secrets key (a viewer gets kPermissionDenied).
Result<CredentialView> OpenCredential(const SealedCredential& sealed, const WorkspaceKeys& keys);
// The list form: needs only the metadata key, so every member can list credentials.
Result<CredentialSummary> SummarizeCredential(const SealedCredential& sealed,
                                              const WorkspaceKeys& keys);
CredentialSummary SummarizeCredentialView(const CredentialView& view,
                                          const SealedCredential& sealed);
// Shares with another workspace: a grant wrapping `data_key` under `target`'s secrets key.
Result<CredentialGrant> GrantCredential(const SealedCredential& sealed, std::string_view name,
                                        const SymmetricKey& data_key, const WorkspaceKeys& target);

}  // namespace credvault

#endif  // CREDVAULT_CREDENTIAL_H_
