// The credential table (kinds × auth methods × fields) and credential validation.
#include "credvault/credential.h"

#include "model/enum_table.h"
#include "model/text_checks.h"

namespace credvault {
namespace {

using F = CredentialField;
using Fmt = FieldFormat;

constexpr internal::EnumName<AuthMethod> kAuthMethodNames[] = {
    {AuthMethod::kBearerToken, "bearer_token"},
    {AuthMethod::kClientCertificate, "client_certificate"},
    {AuthMethod::kBasic, "basic"},
    {AuthMethod::kApiKey, "api_key"},
    {AuthMethod::kServiceAccountToken, "service_account_token"},
    {AuthMethod::kPersonalAccessToken, "personal_access_token"},
    {AuthMethod::kGitHubApp, "github_app"},
    {AuthMethod::kCustomHeader, "custom_header"},
};

constexpr internal::EnumName<CredentialField> kFieldNames[] = {
    {F::kToken, "token"},
    {F::kUsername, "username"},
    {F::kPassword, "password"},
    {F::kClientCertificate, "client_certificate"},
    {F::kClientKey, "client_key"},
    {F::kCaData, "ca_data"},
    {F::kApiKey, "api_key"},
    {F::kAppId, "app_id"},
    {F::kInstallationId, "installation_id"},
    {F::kPrivateKey, "private_key"},
    {F::kHeaderName, "header_name"},
    {F::kHeaderValue, "header_value"},
};
static_assert(std::size(kFieldNames) == kCredentialFieldCount);

// Field specs, reused by every method that has the same field.
constexpr FieldSpec kToken{F::kToken, true, Fmt::kToken, true, "Token"};
constexpr FieldSpec kUsername{F::kUsername, true, Fmt::kUsername, false, "Username"};
constexpr FieldSpec kPassword{F::kPassword, true, Fmt::kPassword, true, "Password"};
constexpr FieldSpec kClientCert{F::kClientCertificate, true, Fmt::kCertificates, false,
                                "Client certificate (PEM)"};
constexpr FieldSpec kClientKey{F::kClientKey, true, Fmt::kPrivateKey, true, "Client key (PEM)"};
constexpr FieldSpec kClusterCa{F::kCaData, false, Fmt::kCertificates, false,
                               "Cluster CA certificate (PEM)"};
constexpr FieldSpec kApiKey{F::kApiKey, true, Fmt::kToken, true, "API key"};
constexpr FieldSpec kServiceAccountToken{F::kToken, true, Fmt::kToken, true,
                                         "Service account token"};
constexpr FieldSpec kPersonalAccessToken{F::kToken, true, Fmt::kToken, true,
                                         "Personal access token"};
constexpr FieldSpec kAppId{F::kAppId, true, Fmt::kGitHubAppId, false, "App ID or client ID"};
constexpr FieldSpec kInstallationId{F::kInstallationId, true, Fmt::kNumericId, false,
                                    "Installation ID"};
constexpr FieldSpec kAppKey{F::kPrivateKey, true, Fmt::kRsaPrivateKey, true,
                            "App private key (PEM)"};
constexpr FieldSpec kHeaderName{F::kHeaderName, true, Fmt::kHeaderName, false, "Header name"};
constexpr FieldSpec kHeaderValue{F::kHeaderValue, true, Fmt::kHeaderValue, true, "Header value"};

constexpr FieldSpec kKubeToken[] = {kToken, kClusterCa};
// kubectl sends a user entry's token beside its client certificate when it has both.
constexpr FieldSpec kTokenWithCertificate{F::kToken, false, Fmt::kToken, true,
                                          "Bearer token (sent with the certificate)"};
constexpr FieldSpec kKubeCert[] = {kClientCert, kClientKey, kTokenWithCertificate, kClusterCa};
constexpr FieldSpec kKubeBasic[] = {kUsername, kPassword, kClusterCa};
constexpr FieldSpec kBearer[] = {kToken};
// Prometheus behind `client_auth_type: RequireAndVerifyClientCert` (its web config): mutual
// TLS alone; the server's CA belongs to the connection.
constexpr FieldSpec kClientCertOnly[] = {kClientCert, kClientKey};
constexpr FieldSpec kBasic[] = {kUsername, kPassword};
constexpr FieldSpec kGrafanaKey[] = {kApiKey};
constexpr FieldSpec kGrafanaSa[] = {kServiceAccountToken};
constexpr FieldSpec kGitHubPat[] = {kPersonalAccessToken};
constexpr FieldSpec kGitHubApp[] = {kAppId, kInstallationId, kAppKey};
constexpr FieldSpec kHeader[] = {kHeaderName, kHeaderValue};

using K = ServiceKind;
using M = AuthMethod;
constexpr AuthMethodSpec kMethods[] = {
    {K::kKubernetes, M::kBearerToken, "Bearer token", kKubeToken},
    {K::kKubernetes, M::kClientCertificate, "Client certificate", kKubeCert},
    {K::kKubernetes, M::kBasic, "Username and password", kKubeBasic},
    {K::kPrometheus, M::kBasic, "Username and password", kBasic},
    {K::kPrometheus, M::kBearerToken, "Bearer token", kBearer},
    {K::kPrometheus, M::kClientCertificate, "Client certificate (mutual TLS)", kClientCertOnly},
    {K::kGrafana, M::kServiceAccountToken, "Service account token", kGrafanaSa},
    {K::kGrafana, M::kApiKey, "API key", kGrafanaKey},
    {K::kGitHub, M::kPersonalAccessToken, "Personal access token", kGitHubPat},
    {K::kGitHub, M::kGitHubApp, "GitHub App installation", kGitHubApp},
    {K::kHttp, M::kBasic, "Username and password", kBasic},
    {K::kHttp, M::kBearerToken, "Bearer token", kBearer},
    {K::kHttp, M::kCustomHeader, "Custom header", kHeader},
};

// Headers the HTTP transport owns: letting a credential set them would break framing or
// smuggle requests.
constexpr std::string_view kReservedHeaders[] = {
    "host", "content-length", "transfer-encoding", "connection",       "upgrade",
    "te",   "trailer",        "keep-alive",        "proxy-connection", "expect"};

// Characters RFC 9110 allows in a header name (a token).
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

FieldIssue Issue(std::string_view field, std::string code, std::string message) {
  return FieldIssue{std::string(field), std::move(code), std::move(message)};
}

bool IsPositiveDecimal(std::string_view text) {
  if (!internal::IsAllDigits(text) || text.size() > 19) return false;
  return text.find_first_not_of('0') != std::string_view::npos;
}

// GitHub App client ids ("Iv1.0123abcd…", "Iv23li…") are accepted as the JWT issuer
// alongside numeric App ids.
bool IsGitHubClientId(std::string_view text) {
  if (!text.starts_with("Iv") || text.size() < 4 || text.size() > 64) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.')) {
      return false;
    }
  }
  return true;
}

std::optional<FieldIssue> CheckFormat(std::string_view f, FieldFormat format,
                                      std::string_view value) {
  switch (format) {
    case Fmt::kToken:
      if (internal::HasWhitespace(value)) {
        return Issue(f, "whitespace", "must not contain spaces or line breaks");
      }
      if (internal::HasControlChars(value)) {
        return Issue(f, "control_chars", "must not contain control characters");
      }
      return std::nullopt;
    case Fmt::kUsername:
      if (internal::HasControlChars(value)) {
        return Issue(f, "control_chars", "must not contain control characters");
      }
      if (value.find(':') != std::string_view::npos) {
        return Issue(f, "colon_in_username", "must not contain ':' (basic auth splits on it)");
      }
      return std::nullopt;
    case Fmt::kPassword:
    case Fmt::kHeaderValue:
      if (internal::HasControlChars(value, /*allow_tab=*/true)) {
        return Issue(f, "control_chars", "must not contain line breaks or control characters");
      }
      return std::nullopt;
    case Fmt::kCertificates:
      return CheckPem(f, value, PemExpect::kCertificates);
    case Fmt::kPrivateKey:
      return CheckPem(f, value, PemExpect::kPrivateKey);
    case Fmt::kRsaPrivateKey:
      return CheckPem(f, value, PemExpect::kRsaPrivateKey);
    case Fmt::kGitHubAppId:
      if (IsPositiveDecimal(value) || IsGitHubClientId(value)) return std::nullopt;
      return Issue(f, "not_numeric", "must be the App's numeric ID or its client ID (Iv…)");
    case Fmt::kNumericId:
      if (IsPositiveDecimal(value)) return std::nullopt;
      return Issue(f, "not_numeric", "must be a positive decimal number");
    case Fmt::kHeaderName:
      for (char c : value) {
        if (!IsTokenChar(c)) {
          return Issue(f, "bad_header_name",
                       "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)");
        }
      }
      for (std::string_view reserved : kReservedHeaders) {
        if (internal::EqualsIgnoreCase(value, reserved)) {
          return Issue(f, "reserved_header", "names a header the HTTP transport sets itself");
        }
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view AuthMethodName(AuthMethod method) {
  return internal::NameOf(kAuthMethodNames, method);
}
std::optional<AuthMethod> ParseAuthMethod(std::string_view name) {
  return internal::ValueOf(kAuthMethodNames, name);
}
std::string_view CredentialFieldName(CredentialField field) {
  return internal::NameOf(kFieldNames, field);
}
std::optional<CredentialField> ParseCredentialField(std::string_view name) {
  return internal::ValueOf(kFieldNames, name);
}

std::span<const AuthMethodSpec> AuthMethodSpecs() { return kMethods; }

const AuthMethodSpec* FindAuthMethod(ServiceKind kind, AuthMethod method) {
  for (const AuthMethodSpec& spec : kMethods) {
    if (spec.kind == kind && spec.method == method) return &spec;
  }
  return nullptr;
}

std::vector<AuthMethod> AuthMethodsFor(ServiceKind kind) {
  std::vector<AuthMethod> out;
  for (const AuthMethodSpec& spec : kMethods) {
    if (spec.kind == kind) out.push_back(spec.method);
  }
  return out;
}

SecretFields SecretFields::Clone() const {
  SecretFields copy;
  // Guarded pages are costly: absent fields stay unallocated.
  for (size_t i = 0; i < kCredentialFieldCount; ++i) {
    if (!values_[i].empty()) copy.values_[i] = values_[i].Clone();
  }
  return copy;
}

void SecretFields::Set(CredentialField field, std::string_view value) {
  if (value.empty()) return Clear(field);
  values_[static_cast<size_t>(field)] = SecretBytes::CopyFrom(AsBytes(value));
}

void SecretFields::Clear(CredentialField field) {
  values_[static_cast<size_t>(field)] = SecretBytes();
}

std::string_view SecretFields::Get(CredentialField field) const {
  return values_[static_cast<size_t>(field)].chars();
}

CredentialView CredentialView::Clone() const {
  return CredentialView{name, kind, method, fields.Clone()};
}

std::optional<FieldIssue> CheckDisplayName(std::string_view field, std::string_view name) {
  if (internal::TrimWhitespace(name).empty()) return Issue(field, "required", "is required");
  if (!internal::IsValidUtf8(name)) return Issue(field, "bad_utf8", "is not valid UTF-8 text");
  if (internal::HasControlChars(name)) {
    return Issue(field, "control_chars", "must not contain control characters");
  }
  if (internal::CodePointCount(name) > kMaxNameChars) {
    return Issue(field, "too_long",
                 "must be at most " + std::to_string(kMaxNameChars) + " characters");
  }
  return std::nullopt;
}

std::optional<FieldIssue> CheckCredentialField(const FieldSpec& spec, std::string_view value) {
  std::string_view f = CredentialFieldName(spec.field);
  if (value.empty()) {
    if (spec.required) return Issue(f, "required", "is required");
    return std::nullopt;
  }
  if (value.size() > kMaxSecretFieldBytes) {
    return Issue(f, "too_long",
                 "must be at most " + std::to_string(kMaxSecretFieldBytes / 1024) + " KiB");
  }
  return CheckFormat(f, spec.format, value);
}

FieldIssues CheckCredential(const CredentialView& view) {
  FieldIssues issues;
  if (auto issue = CheckDisplayName("name", view.name)) issues.push_back(std::move(*issue));
  const AuthMethodSpec* spec = FindAuthMethod(view.kind, view.method);
  if (spec == nullptr) {
    issues.push_back(Issue("auth_method", "unsupported_method",
                           std::string(AuthMethodName(view.method)) +
                               " is not a way to sign in to " +
                               std::string(ServiceKindName(view.kind))));
    return issues;
  }
  std::array<bool, kCredentialFieldCount> used{};
  for (const FieldSpec& field : spec->fields) {
    used[static_cast<size_t>(field.field)] = true;
    if (auto issue = CheckCredentialField(field, view.fields.Get(field.field))) {
      issues.push_back(std::move(*issue));
    }
  }
  for (const auto& entry : kFieldNames) {
    if (!used[static_cast<size_t>(entry.value)] && view.fields.Has(entry.value)) {
      issues.push_back(
          Issue(entry.name, "not_used", "is not used by " + std::string(spec->label) + " sign-in"));
    }
  }
  return issues;
}

Status ValidateCredential(const CredentialView& view) {
  return IssuesToStatus(CheckCredential(view));
}

const CredentialGrant* SealedCredential::FindGrant(std::string_view workspace) const {
  for (const CredentialGrant& grant : grants) {
    if (grant.workspace_id == workspace) return &grant;
  }
  return nullptr;
}

}  // namespace credvault
