// Probe planning: the requests that prove a credential, per kind.
//
// Kubernetes: GET /version first (optional: reports the version, also when a permission is
// missing; proves nothing since it answers anonymously; a token the API server does not
// recognise gets 401 here too, as it authenticates every path), then
// POST /apis/authentication.k8s.io/v1/selfsubjectreviews (GA in 1.28): every authenticated
// identity may create one (system:basic-user), so 201 proves authentication without needing
// any RBAC grant, and the answer names the user. Older servers answer 404, and those before
// 1.26 (or with custom RBAC) refuse it to a valid non-admin user with a 403 that names the
// user; either way the plan falls back to
// POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews (v1 since 1.6), allowed to the
// same group (NextProbeStep decides; an anonymous 403 gets no fallback). A namespace list would confuse "no permission" with "bad credential"
// for a namespace-scoped service account, so it is not used.
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "credvault/probe.h"
#include "probe/text.h"
#include "probe/url.h"

namespace credvault {
namespace {

using probe_internal::Endpoint;
using probe_internal::JoinUrl;
using probe_internal::TrimAscii;

Status Invalid(std::string_view field, std::string_view problem) {
  return Status(ErrorCode::kValidation, std::string(field) + ": " + std::string(problem));
}

SecretBytes Concat(std::string_view prefix, std::string_view value) {
  SecretBytes out(prefix.size() + value.size());
  if (!prefix.empty()) std::memcpy(out.data(), prefix.data(), prefix.size());
  if (!value.empty()) std::memcpy(out.data() + prefix.size(), value.data(), value.size());
  return out;
}

// A token pasted from a terminal often ends with a newline: surrounding whitespace is
// trimmed; inside, only visible ASCII is allowed (a CR or LF would inject a header).
Result<std::string_view> CheckToken(const SecretBytes& token, std::string_view field) {
  std::string_view t = TrimAscii(token.chars());
  if (t.empty()) return Invalid(field, "is empty");
  for (char c : t) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return Invalid(field, "contains a space, line break or non-ASCII character");
    }
  }
  return t;
}

Status CheckHeaderValue(std::string_view value, std::string_view field) {
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u == '\r' || u == '\n' || u == 0 || (u < 0x20 && u != '\t') || u == 0x7f) {
      return Invalid(field, "contains a line break or control character");
    }
  }
  return Status::Ok();
}

Status CheckHeaderName(std::string_view name) {
  constexpr std::string_view kField = "auth.header_name";
  if (name.empty()) return Invalid(kField, "is empty");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return Invalid(kField, "is not a valid HTTP header name");
  }
  // Headers that frame the request or that the runner sets itself.
  for (std::string_view reserved : {"host", "content-length", "transfer-encoding", "connection",
                                    "upgrade", "te", "trailer", "user-agent"}) {
    if (probe_internal::EqualsIgnoreCase(name, reserved)) {
      return Invalid(kField, "names a header the runner sets itself");
    }
  }
  return Status::Ok();
}

bool AuthAllowed(ProbeKind kind, ProbeAuthKind auth) {
  using A = ProbeAuthKind;
  switch (kind) {
    case ProbeKind::kKubernetes:
      return auth == A::kBearer || auth == A::kBasic || auth == A::kClientCertificate;
    case ProbeKind::kPrometheus:
      return auth == A::kNone || auth == A::kBearer || auth == A::kBasic ||
             auth == A::kClientCertificate || auth == A::kHeader;
    case ProbeKind::kGrafana:
      return auth == A::kApiKey || auth == A::kBearer || auth == A::kBasic;
    case ProbeKind::kGithub:
      return auth == A::kGithubPat || auth == A::kGithubApp || auth == A::kBearer;
    case ProbeKind::kHttp:
      return auth != A::kGithubPat && auth != A::kGithubApp;
  }
  return false;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status CheckPem(std::string_view pem, std::string_view marker, std::string_view field) {
  if (TrimAscii(pem).empty()) return Invalid(field, "is empty");
  if (pem.find("-----BEGIN ") == std::string_view::npos ||
      pem.find(marker) == std::string_view::npos) {
    return Invalid(field, "is not PEM (expected -----BEGIN ..." + std::string(marker) + ")");
  }
  return Status::Ok();
}

// The credential as request headers (none for a GitHub App, whose proof happens in later
// steps, nor for a client certificate, proved in TLS — unless a token rides along, as
// kubectl sends a kubeconfig user's token beside its certificate).
Result<std::vector<ProbeHeader>> AuthHeaders(const ProbeAuth& auth) {
  std::vector<ProbeHeader> out;
  switch (auth.kind) {
    case ProbeAuthKind::kNone:
    case ProbeAuthKind::kGithubApp:
      break;
    case ProbeAuthKind::kClientCertificate:
      if (!auth.token.empty()) {
        CV_ASSIGN_OR_RETURN(std::string_view token, CheckToken(auth.token, "auth.token"));
        out.push_back(ProbeHeader{"Authorization", "", Concat("Bearer ", token)});
      }
      break;
    case ProbeAuthKind::kBearer:
    case ProbeAuthKind::kApiKey:
    case ProbeAuthKind::kGithubPat: {
      // GitHub takes "Bearer" for classic and fine-grained PATs; Grafana API keys and
      // service-account tokens are bearer tokens too.
      CV_ASSIGN_OR_RETURN(std::string_view token, CheckToken(auth.token, "auth.token"));
      out.push_back(ProbeHeader{"Authorization", "", Concat("Bearer ", token)});
      break;
    }
    case ProbeAuthKind::kBasic: {
      if (auth.username.find(':') != std::string::npos) {
        return Invalid("auth.username", "must not contain ':' (Basic auth cannot carry it)");
      }
      if (auth.username.empty() && auth.password.empty()) {
        return Invalid("auth.username", "and auth.password are both empty");
      }
      CV_RETURN_IF_ERROR(CheckHeaderValue(auth.username, "auth.username"));
      CV_RETURN_IF_ERROR(CheckHeaderValue(auth.password.chars(), "auth.password"));
      SecretBytes pair = Concat(auth.username + ":", auth.password.chars());
      std::string encoded = Base64Encode(pair.view());
      out.push_back(ProbeHeader{"Authorization", "", Concat("Basic ", encoded)});
      Wipe(encoded);
      break;
    }
    case ProbeAuthKind::kHeader: {
      CV_RETURN_IF_ERROR(CheckHeaderName(auth.header_name));
      std::string_view value = TrimAscii(auth.header_value.chars());
      if (value.empty()) return Invalid("auth.header_value", "is empty");
      CV_RETURN_IF_ERROR(CheckHeaderValue(value, "auth.header_value"));
      out.push_back(ProbeHeader{auth.header_name, "", Concat("", value)});
      break;
    }
  }
  return out;
}

Status CheckAuthMaterial(const ProbeTarget& target, const Endpoint& endpoint) {
  const ProbeAuth& auth = target.auth;
  if (auth.kind == ProbeAuthKind::kClientCertificate) {
    CV_RETURN_IF_ERROR(
        CheckPem(auth.client_certificate_pem, "CERTIFICATE-----", "auth.client_certificate_pem"));
    CV_RETURN_IF_ERROR(
        CheckPem(auth.client_key_pem.chars(), "PRIVATE KEY-----", "auth.client_key_pem"));
    if (!endpoint.https()) {
      return Invalid("endpoint", "must be https:// to present a client certificate");
    }
  }
  if (auth.kind == ProbeAuthKind::kGithubApp) {
    if (auth.app_id.empty()) return Invalid("auth.app_id", "is empty");
    for (char c : auth.app_id) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
      if (!ok) return Invalid("auth.app_id", "must be the App's numeric id or client id");
    }
    if (!AllDigits(auth.installation_id)) {
      return Invalid("auth.installation_id", "must be the installation's numeric id");
    }
    CV_RETURN_IF_ERROR(
        CheckPem(auth.app_private_key_pem.chars(), "PRIVATE KEY-----", "auth.app_private_key_pem"));
  }
  if (!target.tls.ca_pem.empty()) {
    CV_RETURN_IF_ERROR(CheckPem(target.tls.ca_pem, "CERTIFICATE-----", "tls.ca_pem"));
  }
  for (char c : target.tls.server_name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ':';
    if (!ok) return Invalid("tls.server_name", "is not a host name");
  }
  return Status::Ok();
}

std::vector<ProbeHeader> CloneHeaders(const std::vector<ProbeHeader>& headers) {
  std::vector<ProbeHeader> out;
  for (const ProbeHeader& h : headers) out.push_back({h.name, h.value, h.secret_value.Clone()});
  return out;
}

struct StepSpec {
  std::string id;
  ProbeStepRole role;
  std::string method;
  std::string url;
  std::vector<int> success;
  bool with_credential;
  std::string body;
};

StepSpec Spec(std::string id, ProbeStepRole role, std::string method, std::string url,
              std::vector<int> success, bool with_credential = true, std::string body = "") {
  return StepSpec{
      std::move(id),   role,           std::move(method), std::move(url), std::move(success),
      with_credential, std::move(body)};
}

class PlanBuilder {
 public:
  PlanBuilder(ProbePlan* plan, const std::vector<ProbeHeader>& auth_headers,
              std::vector<ProbeHeader> common)
      : plan_(plan), auth_headers_(auth_headers), common_(std::move(common)) {}

  ProbeStep& Add(StepSpec spec) {
    ProbeStep step;
    step.id = std::move(spec.id);
    step.kind = ProbeStepKind::kHttp;
    step.role = spec.role;
    step.method = std::move(spec.method);
    step.url = std::move(spec.url);
    step.success_statuses = std::move(spec.success);
    step.headers = CloneHeaders(common_);
    step.body = std::move(spec.body);
    if (!step.body.empty()) step.headers.push_back({"Content-Type", "application/json", {}});
    if (spec.with_credential) {
      for (ProbeHeader& h : CloneHeaders(auth_headers_)) step.headers.push_back(std::move(h));
      step.sends_credential = !auth_headers_.empty() || plan_->uses_client_certificate;
    }
    plan_->steps.push_back(std::move(step));
    return plan_->steps.back();
  }

  // The same request as step `index`, without the credential: if it succeeds too, the
  // server never checked the credential.
  void AddAnonymousControl(size_t index) {
    if (auth_headers_.empty()) return;  // nothing to withhold (none, client certificate)
    const ProbeStep& s = plan_->steps[index];
    StepSpec spec{"anonymous_control",
                  ProbeStepRole::kAnonymousControl,
                  s.method,
                  s.url,
                  s.success_statuses,
                  false,
                  s.body};
    Add(std::move(spec));
  }

 private:
  ProbePlan* plan_;
  const std::vector<ProbeHeader>& auth_headers_;
  std::vector<ProbeHeader> common_;
};

std::vector<ProbeHeader> JsonHeaders() {
  std::vector<ProbeHeader> h;
  h.push_back({"User-Agent", std::string(kProbeUserAgent), {}});
  h.push_back({"Accept", "application/json", {}});
  return h;
}

std::vector<ProbeHeader> GithubHeaders() {
  std::vector<ProbeHeader> h;
  h.push_back({"User-Agent", std::string(kProbeUserAgent), {}});
  h.push_back({"Accept", "application/vnd.github+json", {}});
  h.push_back({"X-GitHub-Api-Version", std::string(kGithubApiVersion), {}});
  return h;
}

void PlanKubernetes(const Endpoint& ep, const std::vector<ProbeHeader>& auth, ProbePlan* plan) {
  PlanBuilder b(plan, auth, JsonHeaders());
  b.Add(Spec("version", ProbeStepRole::kServerVersion, "GET", JoinUrl(ep, "/version"), {200}));
  b.Add(Spec("self_subject_review", ProbeStepRole::kAuthenticate, "POST",
             JoinUrl(ep, "/apis/authentication.k8s.io/v1/selfsubjectreviews"), {200, 201}, true,
             R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})"));
  ProbeStep& fallback = b.Add(
      Spec("self_subject_access_review", ProbeStepRole::kAuthenticate, "POST",
           JoinUrl(ep, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"), {200, 201}, true,
           R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",)"
           R"("spec":{"nonResourceAttributes":{"path":"/api","verb":"get"}}})"));
  fallback.only_if_not_found_step = 1;
}

void PlanPrometheus(const Endpoint& ep, const std::vector<ProbeHeader>& auth, ProbePlan* plan) {
  PlanBuilder b(plan, auth, JsonHeaders());
  b.Add(Spec("buildinfo", ProbeStepRole::kAuthenticate, "GET",
             JoinUrl(ep, "/api/v1/status/buildinfo"), {200}));
  b.AddAnonymousControl(plan->steps.size() - 1);
}

void PlanGrafana(const Endpoint& ep, const std::vector<ProbeHeader>& auth, ProbePlan* plan) {
  PlanBuilder b(plan, auth, JsonHeaders());
  // /api/health answers anyone: it only reports the version, so it gets no credential.
  b.Add(Spec("health", ProbeStepRole::kServerVersion, "GET", JoinUrl(ep, "/api/health"), {200},
             false));
  // The current organization needs a key: API keys and service-account tokens (which, unlike
  // a user, have no /api/user) both may read their own org.
  b.Add(Spec("current_org", ProbeStepRole::kAuthenticate, "GET", JoinUrl(ep, "/api/org"), {200}));
  b.AddAnonymousControl(plan->steps.size() - 1);
}

// github.com itself is not the API; an Enterprise host without a path serves it at /api/v3.
Result<Endpoint> GithubApiEndpoint(std::string_view endpoint) {
  if (TrimAscii(endpoint).empty()) endpoint = "https://api.github.com";
  CV_ASSIGN_OR_RETURN(Endpoint ep, probe_internal::ParseEndpoint(endpoint, "endpoint"));
  if (ep.host == "github.com" || ep.host == "www.github.com") {
    ep.host = "api.github.com";
    ep.path.clear();
  } else if (ep.host != "api.github.com" && ep.path.empty()) {
    ep.path = "/api/v3";
  }
  return ep;
}

std::string JwtSigningInput(const ProbeAuth& auth, int64_t now) {
  nlohmann::json claims = nlohmann::json::object();
  claims["iat"] = now - kGithubJwtBackdateSeconds;
  claims["exp"] = now + kGithubJwtLifetimeSeconds;
  // GitHub takes the numeric App id as a number, or the App's client id as a string.
  int64_t numeric_id = 0;
  const bool numeric =
      AllDigits(auth.app_id) &&
      std::from_chars(auth.app_id.data(), auth.app_id.data() + auth.app_id.size(), numeric_id).ec ==
          std::errc();
  if (numeric) {
    claims["iss"] = numeric_id;
  } else {
    claims["iss"] = auth.app_id;
  }
  const std::string header = R"({"alg":"RS256","typ":"JWT"})";
  const std::string body = claims.dump();
  return Base64UrlEncode(AsBytes(header)) + "." + Base64UrlEncode(AsBytes(body));
}

void PlanGithub(const Endpoint& ep, const ProbeAuth& auth, const std::vector<ProbeHeader>& headers,
                int64_t now, ProbePlan* plan) {
  PlanBuilder b(plan, headers, GithubHeaders());
  if (auth.kind != ProbeAuthKind::kGithubApp) {
    b.Add(Spec("user", ProbeStepRole::kAuthenticate, "GET", JoinUrl(ep, "/user"), {200}));
    return;
  }
  ProbeStep sign;
  sign.id = "app_jwt";
  sign.kind = ProbeStepKind::kSignAppJwt;
  sign.role = ProbeStepRole::kSignJwt;
  sign.signing_input = JwtSigningInput(auth, now);
  plan->steps.push_back(std::move(sign));
  ProbeStep& exchange = b.Add(
      Spec("access_token", ProbeStepRole::kTokenExchange, "POST",
           JoinUrl(ep, "/app/installations/" + auth.installation_id + "/access_tokens"), {201}));
  exchange.bearer_from_step = 0;
  exchange.output_json_field = "token";
  exchange.sends_credential = true;
  ProbeStep& list = b.Add(Spec("installation_repositories", ProbeStepRole::kAuthenticate, "GET",
                               JoinUrl(ep, "/installation/repositories?per_page=1"), {200}));
  list.bearer_from_step = 1;
  list.sends_credential = true;
}

Status PlanHttp(const ProbeTarget& target, const Endpoint& ep, const std::vector<ProbeHeader>& auth,
                ProbePlan* plan) {
  if (target.http_expected_status < 100 || target.http_expected_status > 599) {
    return Invalid("http_expected_status", "must be an HTTP status from 100 to 599");
  }
  // A connection carries its path in the endpoint (https://host/healthz) and no separate
  // path: an empty http_path requests the endpoint itself, not a directory below it.
  std::string url;
  if (TrimAscii(target.http_path).empty()) {
    Endpoint origin = ep;
    origin.path.clear();
    url = JoinUrl(origin, ep.path.empty() ? "/" : ep.path);
  } else {
    CV_ASSIGN_OR_RETURN(std::string path,
                        probe_internal::NormalizeRelativePath(target.http_path, "http_path"));
    url = JoinUrl(ep, path);
  }
  PlanBuilder b(plan, auth, JsonHeaders());
  b.Add(Spec("request", ProbeStepRole::kAuthenticate, "GET", std::move(url),
             {target.http_expected_status}));
  // A 2xx expectation is the "it works" check, which a control can contradict; expecting,
  // say, 401 is a deliberate check that the endpoint demands a credential.
  if (target.http_expected_status >= 200 && target.http_expected_status < 300) {
    b.AddAnonymousControl(plan->steps.size() - 1);
  }
  return Status::Ok();
}

}  // namespace

Result<ProbePlan> PlanProbe(const ProbeTarget& target, int64_t now) {
  if (!AuthAllowed(target.kind, target.auth.kind)) {
    return Invalid("auth.kind", "a " + std::string(ProbeKindName(target.kind)) +
                                    " connection cannot use " +
                                    std::string(ProbeAuthKindName(target.auth.kind)) + " auth");
  }
  Result<Endpoint> endpoint = target.kind == ProbeKind::kGithub
                                  ? GithubApiEndpoint(target.endpoint)
                                  : probe_internal::ParseEndpoint(target.endpoint, "endpoint");
  if (!endpoint.ok()) return endpoint.status();
  const Endpoint& ep = *endpoint;
  CV_RETURN_IF_ERROR(CheckAuthMaterial(target, ep));
  CV_ASSIGN_OR_RETURN(std::vector<ProbeHeader> auth, AuthHeaders(target.auth));

  ProbePlan plan;
  plan.kind = target.kind;
  plan.auth_kind = target.auth.kind;
  plan.uses_client_certificate = target.auth.kind == ProbeAuthKind::kClientCertificate;
  plan.proves_credential = target.auth.kind != ProbeAuthKind::kNone;
  plan.tls_verification_skipped = ep.https() && target.tls.insecure_skip_verify;
  // A client certificate needs TLS (refused above); any other credential over http is sent
  // in the clear.
  plan.credential_in_clear = !ep.https() && plan.proves_credential;
  switch (target.kind) {
    case ProbeKind::kKubernetes:
      PlanKubernetes(ep, auth, &plan);
      break;
    case ProbeKind::kPrometheus:
      PlanPrometheus(ep, auth, &plan);
      break;
    case ProbeKind::kGrafana:
      PlanGrafana(ep, auth, &plan);
      break;
    case ProbeKind::kGithub:
      PlanGithub(ep, target.auth, auth, now, &plan);
      break;
    case ProbeKind::kHttp:
      CV_RETURN_IF_ERROR(PlanHttp(target, ep, auth, &plan));
      break;
  }
  return plan;
}

}  // namespace credvault
