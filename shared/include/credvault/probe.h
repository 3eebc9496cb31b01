// Connectivity-test planning (DESIGN §5): which requests prove that a connection's credential
// works, built as data that a runner executes step by step. Pure: no sockets, no clock (the
// caller passes `now`), no RSA (a GitHub App JWT is a step the runner signs).
//
// A ProbeTarget is this module's own input: the model's credential and connection types map
// onto it, so the probe depends on nothing but status.h and secret.h. It owns its secret
// fields in SecretBytes (wiped on destruction, never printed) and is move-only; so are plans,
// whose credential-bearing header values are SecretBytes too.
//
// Every request a plan holds is authenticated and chosen so that success means the
// credential was accepted: Kubernetes' /version and Grafana's /api/health answer anyone, so
// they appear only as optional version steps, never as the proof.
//
// Errors: PlanProbe returns kValidation with a message naming the field and the problem (an
// endpoint that is not http(s), userinfo in the URL, a header value with a line break, an
// auth kind the target kind does not take, ...). Not thread-safe per object; functions are
// reentrant.
#ifndef CREDVAULT_PROBE_H_
#define CREDVAULT_PROBE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

enum class ProbeKind { kKubernetes, kPrometheus, kGrafana, kGithub, kHttp };

enum class ProbeAuthKind {
  kNone,
  kBearer,             // Authorization: Bearer <token>
  kBasic,              // Authorization: Basic base64(user:password)
  kClientCertificate,  // TLS client certificate + key (PEM); no header
  kHeader,             // a custom header name + value (e.g. X-Api-Key)
  kApiKey,             // Grafana API key / service-account token: sent as a bearer token
  kGithubPat,          // GitHub personal access token (classic or fine-grained)
  kGithubApp,          // GitHub App: app id, installation id, App private key (PEM)
};

// TLS settings of the connection. Applied by the runner to every step of the plan.
struct ProbeTls {
  std::string ca_pem;                 // trust these CAs instead of the system store; empty = system
  std::string server_name;            // SNI and hostname verification name; empty = the URL's host
  bool insecure_skip_verify = false;  // an explicit, visible choice; results say so
};

struct ProbeAuth {
  ProbeAuthKind kind = ProbeAuthKind::kNone;
  SecretBytes token;  // kBearer, kApiKey, kGithubPat
  std::string username;
  SecretBytes password;  // kBasic
  std::string client_certificate_pem;
  SecretBytes client_key_pem;  // kClientCertificate
  std::string header_name;
  SecretBytes header_value;  // kHeader
  std::string app_id;        // kGithubApp: numeric App id (or the App's client id)
  std::string installation_id;
  SecretBytes app_private_key_pem;
};

struct ProbeTarget {
  ProbeKind kind = ProbeKind::kHttp;
  // Base URL. Kubernetes: the API server (may carry a proxy prefix such as Rancher's
  // /k8s/clusters/c-x). GitHub: empty means https://api.github.com; a GitHub Enterprise
  // host without a path gets /api/v3.
  std::string endpoint;
  ProbeTls tls;
  ProbeAuth auth;
  std::string http_path;           // kHttp only: joined to the endpoint; empty = "/"
  int http_expected_status = 200;  // kHttp only: 100..599
};

// A header a step sends. A credential-bearing value lives in `secret_value` and is redacted
// from every JSON or text form of the plan.
struct ProbeHeader {
  std::string name;
  std::string value;
  SecretBytes secret_value;
  bool sensitive() const { return !secret_value.empty(); }
  std::string_view Value() const { return sensitive() ? secret_value.chars() : value; }
};

enum class ProbeStepKind {
  kHttp,        // send the request below
  kSignAppJwt,  // RS256-sign `signing_input` with the target's App private key; the core has
                // no RSA, so the runner signs (PKCS#1 v1.5, SHA-256) and appends
                // "." + base64url(signature): the step's output is the JWT
};

// What a step is for, which decides how its response is read.
enum class ProbeStepRole {
  kAuthenticate,      // success proves the credential
  kServerVersion,     // optional: reports the version; failure never fails the probe
  kAnonymousControl,  // the auth request sent WITHOUT the credential: if it also succeeds,
                      // the server does not check credentials and the result says so
  kSignJwt,           // GitHub App: build the App JWT
  kTokenExchange,     // GitHub App: JWT -> installation token
};

struct ProbeStep {
  std::string id;  // stable: "version", "self_subject_review", "access_token", ...
  ProbeStepKind kind = ProbeStepKind::kHttp;
  ProbeStepRole role = ProbeStepRole::kAuthenticate;
  std::string method;  // "GET", "POST"
  std::string url;
  std::vector<ProbeHeader> headers;
  std::string body;  // JSON text for POSTs; empty for GETs
  // Statuses that count as success for this step.
  std::vector<int> success_statuses;
  // kSignAppJwt: base64url(header) "." base64url(claims); algorithm is always RS256.
  std::string signing_input;
  // The runner adds "Authorization: Bearer <output of that step>" (a JWT or an installation
  // token). -1: none.
  int bearer_from_step = -1;
  // The JSON string field of this step's response body that later steps consume ("token"
  // for the installation-token exchange); empty: the step has no output (or, for
  // kSignAppJwt, the JWT itself is the output). Outputs are secrets.
  std::string output_json_field;
  // Run only if that step was refused in a way a fallback can answer: HTTP 404 (an API the
  // server does not serve), or for Kubernetes a 403 that names a user (clusters before 1.26,
  // or RBAC without the self-review). -1: always run (subject to NextProbeStep's stop rule).
  int only_if_not_found_step = -1;
  // True if the request carries the credential (used for the plaintext warning).
  bool sends_credential = false;
};

struct ProbePlan {
  ProbeKind kind = ProbeKind::kHttp;
  ProbeAuthKind auth_kind = ProbeAuthKind::kNone;
  std::vector<ProbeStep> steps;
  // The credential goes over plain http: it crosses the network unencrypted.
  bool credential_in_clear = false;
  bool tls_verification_skipped = false;
  // TLS client certificate and key from the target are presented on every step.
  bool uses_client_certificate = false;
  // False when the target has no credential (auth none): the plan proves reachability only.
  bool proves_credential = true;
};

// The User-Agent every probe request carries (GitHub refuses requests without one).
inline constexpr std::string_view kProbeUserAgent = "credvault-runner/1";
// GitHub REST API version pinned by every GitHub step.
inline constexpr std::string_view kGithubApiVersion = "2022-11-28";
// GitHub App JWT window: issued 60 s in the past (clock drift), valid 9 minutes (GitHub's
// limit is 10).
inline constexpr int64_t kGithubJwtBackdateSeconds = 60;
inline constexpr int64_t kGithubJwtLifetimeSeconds = 540;

// Builds the plan for `target` at unix time `now`. See the header comment for errors.
Result<ProbePlan> PlanProbe(const ProbeTarget& target, int64_t now);

// The one sequencing rule, so every runner walks a plan the same way. `observed[i]` is what
// step i saw (see probe_outcome.h); pass what was observed so far. Returns the index of the
// next step to run, or nullopt when the probe is over. The runner resizes `observed` to that
// index (steps in between were skipped: not run) and appends the step's observation. A step
// is skipped when its only_if_not_found_step did not get such a refusal; the probe stops after
// a kSignJwt, kTokenExchange or kAuthenticate step that failed, unless the failure is one a
// fallback step waits for (a failed version or control step never stops it).
struct ProbeObservation;
std::optional<size_t> NextProbeStep(const ProbePlan& plan,
                                    std::span<const ProbeObservation> observed);

// Reads a step's output from its response body (output_json_field). kMalformed if the body
// is not a JSON object holding that string field.
Result<SecretBytes> ExtractStepOutput(const ProbeStep& step, std::string_view body);

// Stable names: "kubernetes", ...; "bearer", "basic", "client_certificate", "header",
// "api_key", "github_pat", "github_app", "none"; step kinds "http", "sign_app_jwt"; roles
// "authenticate", "server_version", "anonymous_control", "sign_jwt", "token_exchange".
std::string_view ProbeKindName(ProbeKind kind);
std::optional<ProbeKind> ProbeKindFromName(std::string_view name);
std::string_view ProbeAuthKindName(ProbeAuthKind kind);
std::optional<ProbeAuthKind> ProbeAuthKindFromName(std::string_view name);
std::string_view ProbeStepKindName(ProbeStepKind kind);
std::string_view ProbeStepRoleName(ProbeStepRole role);

}  // namespace credvault

#endif  // CREDVAULT_PROBE_H_
