// What each response or transport error means for each kind, and what to do about it.
#include <charconv>
#include <nlohmann/json.hpp>

#include "probe/interpret_internal.h"
#include "probe/text.h"

namespace credvault::probe_internal {
namespace {

using A = RemediationAction;
using O = ProbeOutcome;

std::string_view ServiceName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kKubernetes:
      return "The Kubernetes API server";
    case ProbeKind::kPrometheus:
      return "Prometheus";
    case ProbeKind::kGrafana:
      return "Grafana";
    case ProbeKind::kGithub:
      return "GitHub";
    case ProbeKind::kHttp:
      return "The server";
  }
  return "The server";
}

bool IsKubernetes(const Context& ctx) { return ctx.plan.kind == ProbeKind::kKubernetes; }

// Kubernetes users fix most things by exporting a fresh kubeconfig, and an unreachable
// cluster is registered again once it answers, as in Meshery.
void AddKubeconfig(const Context& ctx, Verdict* v) {
  if (IsKubernetes(ctx)) v->actions.push_back(A::kReuploadKubeconfig);
}

Verdict Make(O outcome, std::string message, std::vector<RemediationAction> actions) {
  Verdict v;
  v.outcome = outcome;
  v.message = std::move(message);
  v.actions = std::move(actions);
  return v;
}

Verdict Unreachable(const Context& ctx, std::string_view why) {
  Verdict v = Make(O::kUnreachable,
                   std::string(why) +
                       " Check the endpoint, or run the test from a runner inside the network "
                       "that can reach it (an in-cluster or private address is only reachable "
                       "from there).",
                   {A::kCheckEndpoint, A::kRunFromInsideNetwork});
  if (IsKubernetes(ctx)) v.actions.push_back(A::kRegisterConnection);
  return v;
}

std::string HttpStatusText(int status) { return "HTTP " + std::to_string(status); }

bool HeaderIs(const ProbeResponse& r, std::string_view name, std::string_view value) {
  auto h = FindHeader(r, name);
  return h && TrimAscii(*h) == value;
}

std::optional<Verdict> RateLimited(const Context& ctx, const ProbeResponse& r) {
  const bool github = ctx.plan.kind == ProbeKind::kGithub;
  const bool primary =
      (r.status == 403 || r.status == 429) && github && HeaderIs(r, "x-ratelimit-remaining", "0");
  const bool secondary = github && (r.status == 403 || r.status == 429) &&
                         ContainsIgnoreCase(r.body, "secondary rate limit");
  if (r.status != 429 && !primary && !secondary) return std::nullopt;
  std::string when;
  if (auto reset = FindHeader(r, "x-ratelimit-reset")) {
    when = " The limit resets at unix time " + SanitizeText(TrimAscii(*reset), 20) + ".";
  } else if (auto retry = FindHeader(r, "retry-after")) {
    when = " Retry after " + SanitizeText(TrimAscii(*retry), 40) + " seconds.";
  }
  return Make(O::kRateLimited,
              std::string(ServiceName(ctx.plan.kind)) + " is rate limiting requests (" +
                  HttpStatusText(r.status) + (secondary ? ", secondary rate limit" : "") +
                  "). This says nothing about the credential, which was not judged." + when,
              {A::kRetryLater});
}

Verdict KubernetesUnauthorized(const Context& ctx) {
  std::string why;
  switch (ctx.target.auth.kind) {
    case ProbeAuthKind::kClientCertificate:
      why = "the client certificate expired, or was not issued by a CA the API server trusts";
      break;
    case ProbeAuthKind::kBasic:
      why =
          "the user or password is wrong, or basic auth is disabled (Kubernetes removed it "
          "in 1.19)";
      break;
    default:
      why =
          "the token expired or was revoked (tokens from `kubectl create token` and from "
          "exec plugins such as `aws eks get-token` are short-lived)";
      break;
  }
  return Make(O::kUnauthorized,
              "The Kubernetes API server rejected the credential (HTTP 401): " + why +
                  ". Re-upload a current kubeconfig or rotate the token.",
              {A::kReuploadKubeconfig, A::kRotateToken, A::kEditCredential});
}

Verdict GithubExchangeFailure(const ProbeResponse& r) {
  if (r.status == 401) {
    if (ContainsIgnoreCase(r.body, "'exp'") || ContainsIgnoreCase(r.body, "'iat'") ||
        ContainsIgnoreCase(r.body, "expiration time") || ContainsIgnoreCase(r.body, "issued at")) {
      return Make(O::kUnauthorized,
                  "GitHub refused the App JWT's time window (HTTP 401): the runner's clock is "
                  "off. Synchronise the runner's clock (NTP) and test again.",
                  {A::kCheckClock});
    }
    return Make(O::kUnauthorized,
                "GitHub rejected the App JWT (HTTP 401): the private key does not belong to "
                "the App id, or it was revoked. Generate a new private key in the App's "
                "settings and update the credential.",
                {A::kEditCredential, A::kRotateToken});
  }
  if (r.status == 404) {
    return Make(O::kUnauthorized,
                "GitHub knows no such installation of this App (HTTP 404): the App was "
                "uninstalled, or the installation id is wrong. Install the App again or correct "
                "the installation id.",
                {A::kEditCredential});
  }
  if (r.status == 403) {
    return Make(O::kForbidden,
                "GitHub refused an installation token (HTTP 403): the installation is "
                "suspended or the App lacks the permission. Check the App's installation.",
                {A::kCheckPermissions});
  }
  return Make(O::kUnexpected,
              "GitHub answered the installation-token exchange with " + HttpStatusText(r.status) +
                  " instead of 201.",
              {A::kShowResponse});
}

Verdict Unauthorized(const Context& ctx, const ProbeResponse& r) {
  switch (ctx.plan.kind) {
    case ProbeKind::kKubernetes:
      return KubernetesUnauthorized(ctx);
    case ProbeKind::kPrometheus: {
      auto challenge = FindHeader(r, "www-authenticate");
      const bool wants_basic = challenge && ContainsIgnoreCase(*challenge, "basic");
      if (wants_basic && ctx.target.auth.kind != ProbeAuthKind::kBasic) {
        return Make(O::kUnauthorized,
                    "Prometheus asks for Basic auth (WWW-Authenticate: Basic) and this credential "
                    "is not a user and password. Edit the credential to use basic auth.",
                    {A::kEditCredential});
      }
      return Make(O::kUnauthorized,
                  "Prometheus rejected the credential (HTTP 401): the user or password (or "
                  "token) is wrong or was changed. Rotate it or edit the credential.",
                  {A::kRotateToken, A::kEditCredential});
    }
    case ProbeKind::kGrafana:
      if (ctx.target.auth.kind == ProbeAuthKind::kBasic) {
        return Make(O::kUnauthorized,
                    "Grafana rejected the user or password (HTTP 401). Rotate the password or "
                    "edit the credential; a service-account token is the better credential.",
                    {A::kRotateToken, A::kEditCredential});
      }
      return Make(O::kUnauthorized,
                  "Grafana rejected the key (HTTP 401): it expired, was revoked, or is a legacy "
                  "API key that Grafana migrated to a service account. Create a service-account "
                  "token (glsa_...) and update the credential.",
                  {A::kRotateToken, A::kEditCredential});
    case ProbeKind::kGithub:
      if (ctx.target.auth.kind == ProbeAuthKind::kGithubApp) {
        return Make(O::kUnauthorized,
                    "GitHub rejected the installation token it had just issued (HTTP 401). Test "
                    "again; if it persists, generate a new App private key.",
                    {A::kRotateToken, A::kEditCredential});
      }
      return Make(
          O::kUnauthorized,
          std::string("GitHub rejected the token (HTTP 401") +
              (ContainsIgnoreCase(r.body, "bad credentials") ? ", \"Bad credentials\"" : "") +
              "): it was revoked, expired, or mistyped. Create a new personal access "
              "token and update the credential.",
          {A::kRotateToken, A::kEditCredential});
    case ProbeKind::kHttp:
      break;
  }
  return Make(O::kUnauthorized,
              "The server rejected the credential (HTTP 401): it is wrong or expired. Rotate it "
              "or edit the credential.",
              {A::kRotateToken, A::kEditCredential});
}

Verdict Forbidden(const Context& ctx, const ProbeResponse& r) {
  if (IsKubernetes(ctx) && r.body.find("system:anonymous") != std::string::npos) {
    // The API server fell back to the anonymous user: the credential never reached it.
    Verdict v = Make(O::kUnauthorized,
                     "The Kubernetes API server treated the request as anonymous "
                     "(system:anonymous): the credential was not presented or not recognised. "
                     "Re-upload the kubeconfig.",
                     {A::kReuploadKubeconfig, A::kEditCredential});
    return v;
  }
  if (ctx.plan.kind == ProbeKind::kGithub && FindHeader(r, "x-github-sso")) {
    return Make(O::kForbidden,
                "GitHub accepted the token but the organization enforces SAML single sign-on "
                "(HTTP 403): authorize the token for the organization in GitHub's token settings.",
                {A::kCheckPermissions});
  }
  std::string what;
  switch (ctx.plan.kind) {
    case ProbeKind::kKubernetes:
      what = "RBAC forbids even a self-review; grant the user the system:basic-user role";
      break;
    case ProbeKind::kGrafana:
      what =
          "the service account's role cannot read its organization; give it at least the "
          "Viewer role";
      break;
    case ProbeKind::kGithub:
      what = "the token lacks the permission this check needs";
      break;
    default:
      what = "grant the identity access";
      break;
  }
  return Make(O::kForbidden,
              std::string(ServiceName(ctx.plan.kind)) +
                  " accepted the credential but refused the request (HTTP 403): the credential "
                  "is valid and a permission is missing — " +
                  what + ".",
              {A::kCheckPermissions});
}

Verdict NotFound(const Context& ctx) {
  std::string hint;
  switch (ctx.plan.kind) {
    case ProbeKind::kKubernetes:
      hint =
          "it does not serve the Kubernetes API there; if the cluster sits behind a proxy, "
          "include the proxy's path prefix in the endpoint";
      break;
    case ProbeKind::kPrometheus:
      hint =
          "the endpoint is not Prometheus' HTTP API; if Prometheus runs under a path "
          "(--web.route-prefix), include it in the endpoint";
      break;
    case ProbeKind::kGrafana:
      hint = "the endpoint is not Grafana's; if Grafana is served from a sub path, include it";
      break;
    case ProbeKind::kGithub:
      hint =
          "the endpoint is not GitHub's API; for GitHub Enterprise Server use "
          "https://<host>/api/v3";
      break;
    case ProbeKind::kHttp:
      hint = "the configured path does not exist";
      break;
  }
  Verdict v = Make(O::kNotFound,
                   std::string(ServiceName(ctx.plan.kind)) + " answered HTTP 404: " + hint + ".",
                   {A::kCheckEndpoint});
  if (IsKubernetes(ctx)) v.actions.push_back(A::kRegisterConnection);
  return v;
}

}  // namespace

Verdict NothingRan() {
  return Make(O::kUnexpected, "The runner reported no request for this test. Run it again.",
              {A::kRetryLater});
}

Verdict ClassifyTransport(const Context& ctx, const ProbeStep& /*step*/, TransportError error) {
  const std::string service(ServiceName(ctx.plan.kind));
  const bool own_ca = !ctx.target.tls.ca_pem.empty();
  switch (error) {
    case TransportError::kDnsFailure:
      return Unreachable(ctx, "The endpoint's host name does not resolve from the runner.");
    case TransportError::kConnectionRefused:
      return Unreachable(ctx, "The connection was refused: nothing listens on that port.");
    case TransportError::kHostUnreachable:
      return Unreachable(ctx, "The runner has no route to the endpoint's network.");
    case TransportError::kConnectionReset:
      return Unreachable(ctx, "The connection was closed before an answer came.");
    case TransportError::kTimeout:
      return Unreachable(ctx,
                         "No answer came in time: a firewall drops the traffic, or the service "
                         "is down.");
    case TransportError::kTlsUntrustedCa: {
      Verdict v =
          Make(O::kTlsUntrusted,
               service + "'s certificate is not signed by " +
                   (own_ca ? "the CA in the connection's TLS settings" : "a CA the runner trusts") +
                   ". Upload the CA certificate that issued it" +
                   (IsKubernetes(ctx) ? " (kubeconfig certificate-authority-data)." : "."),
               {A::kUploadCa});
      AddKubeconfig(ctx, &v);
      return v;
    }
    case TransportError::kTlsHostnameMismatch: {
      Verdict v = Make(O::kTlsHostnameMismatch,
                       service +
                           "'s certificate does not name the host in the endpoint. Use a "
                           "host name the certificate lists, or set the TLS server name to "
                           "one of them.",
                       {A::kSetServerName, A::kCheckEndpoint});
      AddKubeconfig(ctx, &v);
      return v;
    }
    case TransportError::kTlsCertificateExpired:
      return Make(O::kTlsExpired,
                  service +
                      "'s certificate has expired (or is not yet valid). Renew the server "
                      "certificate; if it should be valid, check the runner's clock.",
                  {A::kRenewServerCertificate, A::kCheckClock});
    case TransportError::kTlsClientCertificateRefused: {
      if (ctx.target.auth.kind == ProbeAuthKind::kClientCertificate) {
        Verdict v;
        v.outcome = O::kTlsClientCertRefused;
        v.message = service +
                    " refused the client certificate during the TLS handshake: it "
                    "expired, or was not issued by a CA the server trusts.";
        AddKubeconfig(ctx, &v);
        v.actions.push_back(A::kEditCredential);
        v.actions.push_back(A::kRotateToken);
        return v;
      }
      return Make(O::kTlsClientCertRefused,
                  service +
                      " requires a TLS client certificate and this credential has none. "
                      "Upload a client certificate and key.",
                  {A::kUploadClientCertificate, A::kEditCredential});
    }
    case TransportError::kTlsOther:
      return Make(O::kUnexpected,
                  "The TLS handshake failed: the port may not speak TLS (use http:// if it serves "
                  "plain HTTP), or the server offers no protocol version the runner accepts.",
                  {A::kCheckEndpoint});
    case TransportError::kResponseTooLarge:
      return Make(O::kUnexpected,
                  "The response exceeded the runner's size limit: the endpoint does not look "
                  "like the expected API.",
                  {A::kCheckEndpoint});
    case TransportError::kRedirectToAnotherHost:
      return Make(O::kUnexpected,
                  service +
                      " redirected to another host; the runner does not follow it, so "
                      "the credential never goes there. Set the endpoint to the final "
                      "address.",
                  {A::kCheckEndpoint});
    case TransportError::kAddressRefusedBySsrfPolicy:
      return Make(O::kBlockedByPolicy,
                  "The runner refused to connect: the endpoint resolves to a link-local, "
                  "cloud-metadata or \"this host\" address, which this workspace does not "
                  "allow.",
                  {A::kCheckEndpoint, A::kAllowPrivateTargets});
    case TransportError::kSigningFailed:
      return Make(O::kUnauthorized,
                  "The GitHub App private key could not sign the App JWT: paste the PEM private "
                  "key generated in the App's settings.",
                  {A::kEditCredential});
  }
  return NothingRan();
}

Verdict ClassifyHttp(const Context& ctx, const ProbeStep& step, const ProbeResponse& r) {
  if (std::optional<Verdict> limited = RateLimited(ctx, r)) return *limited;
  if (step.role == ProbeStepRole::kTokenExchange) return GithubExchangeFailure(r);
  if (r.status == 401) return Unauthorized(ctx, r);
  if (r.status == 403) return Forbidden(ctx, r);
  if (r.status == 404) return NotFound(ctx);
  const std::string service(ServiceName(ctx.plan.kind));
  if (r.status >= 300 && r.status < 400) {
    return Make(O::kUnexpected,
                service + " answered with a redirect (" + HttpStatusText(r.status) +
                    "): the endpoint may need https://, or points at a login page rather than "
                    "the API.",
                {A::kCheckEndpoint});
  }
  if (r.status >= 500) {
    return Make(O::kUnexpected,
                service + " failed with " + HttpStatusText(r.status) +
                    ": it is up but unhealthy, or a proxy in front of it cannot reach it.",
                {A::kShowResponse, A::kRetryLater});
  }
  std::string expected;
  for (int s : step.success_statuses)
    expected += (expected.empty() ? "" : " or ") + std::to_string(s);
  return Make(
      O::kUnexpected,
      service + " answered " + HttpStatusText(r.status) + " where " + expected + " was expected.",
      {A::kShowResponse, A::kCheckEndpoint});
}

Verdict ClassifySuccess(const Context& ctx, const ProbeStep& step, const ProbeResponse& r,
                        bool control_succeeded) {
  (void)step;
  if (IsKubernetes(ctx) && r.body.find("\"system:anonymous\"") != std::string::npos) {
    return Make(O::kUnauthorized,
                "The Kubernetes API server answered as the anonymous user (system:anonymous): "
                "the credential was not presented or not recognised. Re-upload the kubeconfig.",
                {A::kReuploadKubeconfig, A::kEditCredential});
  }
  Verdict v;
  v.outcome = O::kOk;
  const std::string service(ServiceName(ctx.plan.kind));
  if (!ctx.plan.proves_credential) {
    v.message = service +
                " answered. No credential is configured, so only reachability was "
                "tested.";
  } else if (control_succeeded) {
    v.message = service +
                " answered, but it answered the same request without the credential "
                "too: it does not check credentials, so this one was not verified.";
  } else {
    v.verified = true;
    v.message = service + " accepted the credential.";
  }
  if (ctx.plan.tls_verification_skipped) {
    v.message +=
        " TLS verification is skipped for this connection: the server's identity "
        "was not checked.";
    v.actions.push_back(A::kUploadCa);
  }
  return v;
}

}  // namespace credvault::probe_internal
