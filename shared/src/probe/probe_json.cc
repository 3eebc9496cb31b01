// JSON of probe plans and results: every field name appears here once.
#include "credvault/probe_json.h"

#include "probe/text.h"

namespace credvault {
namespace {

using nlohmann::json;

constexpr const char* kV = "v";
constexpr const char* kOutcome = "outcome";
constexpr const char* kRemediations = "remediations";
constexpr const char* kCode = "code";
constexpr const char* kLabel = "label";
constexpr const char* kMessage = "message";
constexpr const char* kHttpStatus = "http_status";
constexpr const char* kTransportError = "transport_error";
constexpr const char* kDecidingStep = "deciding_step";
constexpr const char* kServerVersion = "server_version";
constexpr const char* kAuthenticatedAs = "authenticated_as";
constexpr const char* kBodyExcerpt = "body_excerpt";
constexpr const char* kCredentialVerified = "credential_verified";
constexpr const char* kCredentialInClear = "credential_in_clear";
constexpr const char* kTlsVerificationSkipped = "tls_verification_skipped";

Status Malformed(std::string_view what) {
  return Status(ErrorCode::kMalformed, "probe result: " + std::string(what));
}

// Optional string field: absent -> "", present but not a string -> error.
Status ReadString(const json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if (!it->is_string()) return Malformed(std::string(key) + " is not a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ReadBool(const json& j, const char* key, bool* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if (!it->is_boolean()) return Malformed(std::string(key) + " is not a boolean");
  *out = it->get<bool>();
  return Status::Ok();
}

json StepToJson(const ProbeStep& step) {
  json j = json::object();
  j["id"] = step.id;
  j["kind"] = ProbeStepKindName(step.kind);
  j["role"] = ProbeStepRoleName(step.role);
  if (step.kind == ProbeStepKind::kSignAppJwt) {
    j["algorithm"] = "RS256";
    j["signing_input"] = step.signing_input;
  } else {
    j["method"] = step.method;
    j["url"] = probe_internal::SanitizeText(step.url, 4096);
    json headers = json::array();
    for (const ProbeHeader& h : step.headers) {
      headers.push_back(
          json{{"name", h.name},
               {"value", h.sensitive() ? std::string(probe_internal::kRedacted)
                                       : probe_internal::SanitizeText(h.value, 4096)}});
    }
    j["headers"] = std::move(headers);
    if (!step.body.empty()) j["body"] = step.body;
    j["success_statuses"] = step.success_statuses;
  }
  if (step.bearer_from_step >= 0) j["bearer_from_step"] = step.bearer_from_step;
  if (!step.output_json_field.empty()) j["output_json_field"] = step.output_json_field;
  if (step.only_if_not_found_step >= 0) j["only_if_not_found_step"] = step.only_if_not_found_step;
  j["sends_credential"] = step.sends_credential;
  return j;
}

}  // namespace

json ProbePlanToJson(const ProbePlan& plan) {
  json j = json::object();
  j["kind"] = ProbeKindName(plan.kind);
  j["auth_kind"] = ProbeAuthKindName(plan.auth_kind);
  j["credential_in_clear"] = plan.credential_in_clear;
  j["tls_verification_skipped"] = plan.tls_verification_skipped;
  j["uses_client_certificate"] = plan.uses_client_certificate;
  j["proves_credential"] = plan.proves_credential;
  json steps = json::array();
  for (const ProbeStep& s : plan.steps) steps.push_back(StepToJson(s));
  j["steps"] = std::move(steps);
  return j;
}

json ProbeResultToJson(const ProbeResult& r) {
  json j = json::object();
  j[kV] = kProbeResultJsonVersion;
  j[kOutcome] = TestOutcomeName(r.outcome);
  json remediations = json::array();
  for (const Remediation& rem : r.remediations) {
    remediations.push_back(json{{kCode, rem.code}, {kLabel, rem.label}});
  }
  j[kRemediations] = std::move(remediations);
  // Strings that came from the wire were sanitized by the interpreter; sanitizing again
  // keeps dump() from failing on a result built by hand.
  j[kMessage] = probe_internal::SanitizeText(r.message, 4096);
  if (r.http_status) j[kHttpStatus] = *r.http_status;
  if (r.transport_error) j[kTransportError] = TransportErrorName(*r.transport_error);
  j[kDecidingStep] = r.deciding_step;
  j[kServerVersion] = probe_internal::SanitizeText(r.server_version, 256);
  j[kAuthenticatedAs] = probe_internal::SanitizeText(r.authenticated_as, 256);
  j[kBodyExcerpt] = probe_internal::SanitizeText(r.body_excerpt, kProbeBodyExcerptLimit);
  j[kCredentialVerified] = r.credential_verified;
  j[kCredentialInClear] = r.credential_in_clear;
  j[kTlsVerificationSkipped] = r.tls_verification_skipped;
  return j;
}

Result<ProbeResult> ProbeResultFromJson(const json& j) {
  if (!j.is_object()) return Malformed("not a JSON object");
  auto v = j.find(kV);
  if (v == j.end() || !v->is_number_integer() || v->get<int64_t>() != kProbeResultJsonVersion) {
    return Malformed("missing or unsupported version");
  }
  ProbeResult r;
  std::string outcome;
  CV_RETURN_IF_ERROR(ReadString(j, kOutcome, &outcome));
  std::optional<ProbeOutcome> parsed = ParseTestOutcome(outcome);
  if (!parsed) return Malformed("unknown outcome");
  r.outcome = *parsed;
  auto rems = j.find(kRemediations);
  if (rems != j.end()) {
    if (!rems->is_array()) return Malformed("remediations is not an array");
    for (const json& item : *rems) {
      if (!item.is_object()) return Malformed("a remediation is not an object");
      Remediation rem;
      CV_RETURN_IF_ERROR(ReadString(item, kCode, &rem.code));
      CV_RETURN_IF_ERROR(ReadString(item, kLabel, &rem.label));
      if (rem.code.empty()) return Malformed("a remediation has no code");
      r.remediations.push_back(std::move(rem));
    }
  }
  CV_RETURN_IF_ERROR(ReadString(j, kMessage, &r.message));
  auto status = j.find(kHttpStatus);
  if (status != j.end()) {
    if (!status->is_number_integer()) return Malformed("http_status is not an integer");
    const int64_t s = status->get<int64_t>();
    if (s < 100 || s > 599) return Malformed("http_status is out of range");
    r.http_status = static_cast<int>(s);
  }
  std::string transport;
  CV_RETURN_IF_ERROR(ReadString(j, kTransportError, &transport));
  if (!transport.empty()) {
    r.transport_error = TransportErrorFromName(transport);
    if (!r.transport_error) return Malformed("unknown transport_error");
  }
  CV_RETURN_IF_ERROR(ReadString(j, kDecidingStep, &r.deciding_step));
  CV_RETURN_IF_ERROR(ReadString(j, kServerVersion, &r.server_version));
  CV_RETURN_IF_ERROR(ReadString(j, kAuthenticatedAs, &r.authenticated_as));
  CV_RETURN_IF_ERROR(ReadString(j, kBodyExcerpt, &r.body_excerpt));
  CV_RETURN_IF_ERROR(ReadBool(j, kCredentialVerified, &r.credential_verified));
  CV_RETURN_IF_ERROR(ReadBool(j, kCredentialInClear, &r.credential_in_clear));
  CV_RETURN_IF_ERROR(ReadBool(j, kTlsVerificationSkipped, &r.tls_verification_skipped));
  return r;
}

Result<ProbeResult> ProbeResultFromJsonText(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status(ErrorCode::kParseError, "probe result: not JSON");
  return ProbeResultFromJson(j);
}

}  // namespace credvault
