// JSON of a test job's body: every field name of the job body appears here once.
#include "credvault/probe_target_json.h"

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace credvault {
namespace {

using nlohmann::json;

constexpr const char* kKind = "kind";
constexpr const char* kEndpoint = "endpoint";
constexpr const char* kTls = "tls";
constexpr const char* kCaPem = "ca_pem";
constexpr const char* kServerName = "server_name";
constexpr const char* kInsecureSkipVerify = "insecure_skip_verify";
constexpr const char* kAuth = "auth";
constexpr const char* kToken = "token";
constexpr const char* kUsername = "username";
constexpr const char* kPassword = "password";
constexpr const char* kClientCertificatePem = "client_certificate_pem";
constexpr const char* kClientKeyPem = "client_key_pem";
constexpr const char* kHeaderName = "header_name";
constexpr const char* kHeaderValue = "header_value";
constexpr const char* kAppId = "app_id";
constexpr const char* kInstallationId = "installation_id";
constexpr const char* kAppPrivateKeyPem = "app_private_key_pem";
constexpr const char* kHttp = "http";
constexpr const char* kPath = "path";
constexpr const char* kExpectedStatus = "expected_status";
constexpr const char* kAllowPrivateTargets = "allow_private_targets";

Status Malformed(std::string_view where, std::string_view what) {
  return Status(ErrorCode::kMalformed, "job body: " + std::string(where) + " " + std::string(what));
}

// The parsed document holds the secrets in nlohmann's own strings: wipe them all before it
// is dropped.
void WipeStrings(json& j) {
  if (j.is_string()) {
    Wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (json& child : j) WipeStrings(child);
  }
}

class WipedJson {
 public:
  explicit WipedJson(json j) : j_(std::move(j)) {}
  WipedJson(const WipedJson&) = delete;
  WipedJson& operator=(const WipedJson&) = delete;
  ~WipedJson() { WipeStrings(j_); }
  json& get() { return j_; }

 private:
  json j_;
};

Status OnlyKnownFields(const json& j, std::string_view where,
                       std::initializer_list<const char*> known) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool found = false;
    for (const char* k : known) found = found || it.key() == k;
    if (!found) return Malformed(where, "has an unknown field \"" + it.key() + "\"");
  }
  return Status::Ok();
}

// Optional object: absent -> nullptr.
Result<const json*> ReadObject(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return static_cast<const json*>(nullptr);
  if (!it->is_object()) return Malformed(key, "is not an object");
  return &*it;
}

Status ReadString(const json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if (!it->is_string()) return Malformed(key, "is not a string");
  *out = it->get_ref<const std::string&>();
  return Status::Ok();
}

Status ReadSecret(const json& j, const char* key, SecretBytes* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if (!it->is_string()) return Malformed(key, "is not a string");
  // The runner holds these while it probes: guarded memory, wiped when the spec is dropped.
  *out = SecretBytes::GuardedCopyFrom(AsBytes(it->get_ref<const std::string&>()));
  return Status::Ok();
}

Status ReadBool(const json& j, const char* key, bool* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if (!it->is_boolean()) return Malformed(key, "is not a boolean");
  *out = it->get<bool>();
  return Status::Ok();
}

Status ReadTls(const json& body, ProbeTls* tls) {
  CV_ASSIGN_OR_RETURN(const json* j, ReadObject(body, kTls));
  if (j == nullptr) return Status::Ok();
  CV_RETURN_IF_ERROR(OnlyKnownFields(*j, kTls, {kCaPem, kServerName, kInsecureSkipVerify}));
  CV_RETURN_IF_ERROR(ReadString(*j, kCaPem, &tls->ca_pem));
  CV_RETURN_IF_ERROR(ReadString(*j, kServerName, &tls->server_name));
  return ReadBool(*j, kInsecureSkipVerify, &tls->insecure_skip_verify);
}

Status ReadAuth(const json& body, ProbeAuth* auth) {
  CV_ASSIGN_OR_RETURN(const json* j, ReadObject(body, kAuth));
  if (j == nullptr) return Status::Ok();
  CV_RETURN_IF_ERROR(
      OnlyKnownFields(*j, kAuth,
                      {kKind, kToken, kUsername, kPassword, kClientCertificatePem, kClientKeyPem,
                       kHeaderName, kHeaderValue, kAppId, kInstallationId, kAppPrivateKeyPem}));
  std::string kind;
  CV_RETURN_IF_ERROR(ReadString(*j, kKind, &kind));
  if (!kind.empty()) {
    std::optional<ProbeAuthKind> parsed = ProbeAuthKindFromName(kind);
    if (!parsed) return Malformed("auth.kind", "is not a known auth kind");
    auth->kind = *parsed;
  }
  CV_RETURN_IF_ERROR(ReadSecret(*j, kToken, &auth->token));
  CV_RETURN_IF_ERROR(ReadString(*j, kUsername, &auth->username));
  CV_RETURN_IF_ERROR(ReadSecret(*j, kPassword, &auth->password));
  CV_RETURN_IF_ERROR(ReadString(*j, kClientCertificatePem, &auth->client_certificate_pem));
  CV_RETURN_IF_ERROR(ReadSecret(*j, kClientKeyPem, &auth->client_key_pem));
  CV_RETURN_IF_ERROR(ReadString(*j, kHeaderName, &auth->header_name));
  CV_RETURN_IF_ERROR(ReadSecret(*j, kHeaderValue, &auth->header_value));
  CV_RETURN_IF_ERROR(ReadString(*j, kAppId, &auth->app_id));
  CV_RETURN_IF_ERROR(ReadString(*j, kInstallationId, &auth->installation_id));
  return ReadSecret(*j, kAppPrivateKeyPem, &auth->app_private_key_pem);
}

Status ReadHttp(const json& body, ProbeTarget* target) {
  CV_ASSIGN_OR_RETURN(const json* j, ReadObject(body, kHttp));
  if (j == nullptr) return Status::Ok();
  CV_RETURN_IF_ERROR(OnlyKnownFields(*j, kHttp, {kPath, kExpectedStatus}));
  CV_RETURN_IF_ERROR(ReadString(*j, kPath, &target->http_path));
  auto it = j->find(kExpectedStatus);
  if (it != j->end()) {
    if (!it->is_number_integer()) return Malformed("http.expected_status", "is not an integer");
    const int64_t status = it->get<int64_t>();
    // PlanProbe checks the range; this only keeps the value representable.
    if (status < 0 || status > 999) return Malformed("http.expected_status", "is out of range");
    target->http_expected_status = static_cast<int>(status);
  }
  return Status::Ok();
}

Status ReadSpec(const json& body, ProbeJobSpec* spec) {
  if (!body.is_object()) return Malformed("body", "is not a JSON object");
  CV_RETURN_IF_ERROR(
      OnlyKnownFields(body, "body", {kKind, kEndpoint, kTls, kAuth, kHttp, kAllowPrivateTargets}));
  auto kind = body.find(kKind);
  if (kind == body.end() || !kind->is_string()) return Malformed(kKind, "is missing");
  std::optional<ProbeKind> parsed = ProbeKindFromName(kind->get_ref<const std::string&>());
  if (!parsed) return Malformed(kKind, "is not a known connection kind");
  spec->target.kind = *parsed;
  auto endpoint = body.find(kEndpoint);
  if (endpoint == body.end() || !endpoint->is_string()) return Malformed(kEndpoint, "is missing");
  spec->target.endpoint = endpoint->get_ref<const std::string&>();
  CV_RETURN_IF_ERROR(ReadTls(body, &spec->target.tls));
  CV_RETURN_IF_ERROR(ReadAuth(body, &spec->target.auth));
  CV_RETURN_IF_ERROR(ReadHttp(body, &spec->target));
  return ReadBool(body, kAllowPrivateTargets, &spec->ssrf.allow_private_and_link_local);
}

void PutSecret(json& j, const char* key, const SecretBytes& value) {
  if (!value.empty()) j[key] = std::string(value.chars());
}

void PutString(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

}  // namespace

Result<ProbeJobSpec> ProbeJobSpecFromJsonText(std::string_view text) {
  WipedJson doc(json::parse(text.begin(), text.end(), nullptr, false));
  if (doc.get().is_discarded()) {
    return Status(ErrorCode::kParseError, "job body: not JSON");
  }
  ProbeJobSpec spec;
  CV_RETURN_IF_ERROR(ReadSpec(doc.get(), &spec));
  return spec;
}

SecretBytes ProbeJobSpecToJsonText(const ProbeJobSpec& spec) {
  const ProbeTarget& t = spec.target;
  json tls = json::object();
  PutString(tls, kCaPem, t.tls.ca_pem);
  PutString(tls, kServerName, t.tls.server_name);
  if (t.tls.insecure_skip_verify) tls[kInsecureSkipVerify] = true;
  json auth = json::object();
  auth[kKind] = ProbeAuthKindName(t.auth.kind);
  PutSecret(auth, kToken, t.auth.token);
  PutString(auth, kUsername, t.auth.username);
  PutSecret(auth, kPassword, t.auth.password);
  PutString(auth, kClientCertificatePem, t.auth.client_certificate_pem);
  PutSecret(auth, kClientKeyPem, t.auth.client_key_pem);
  PutString(auth, kHeaderName, t.auth.header_name);
  PutSecret(auth, kHeaderValue, t.auth.header_value);
  PutString(auth, kAppId, t.auth.app_id);
  PutString(auth, kInstallationId, t.auth.installation_id);
  PutSecret(auth, kAppPrivateKeyPem, t.auth.app_private_key_pem);
  WipedJson body(json::object());
  json& j = body.get();
  j[kKind] = ProbeKindName(t.kind);
  j[kEndpoint] = t.endpoint;
  j[kTls] = std::move(tls);
  j[kAuth] = std::move(auth);
  if (t.kind == ProbeKind::kHttp) {
    j[kHttp] = json{{kPath, t.http_path}, {kExpectedStatus, t.http_expected_status}};
  }
  if (spec.ssrf.allow_private_and_link_local) j[kAllowPrivateTargets] = true;
  std::string text = j.dump();
  SecretBytes out = SecretBytes::CopyFrom(AsBytes(text));
  Wipe(text);
  return out;
}

}  // namespace credvault
