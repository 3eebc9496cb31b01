#include <gtest/gtest.h>

#include <functional>

#include "credvault/probe_outcome.h"
#include "shared/probe/probe_test_util.h"

namespace credvault {
namespace {

using testing::BasicTarget;
using testing::BearerTarget;
using testing::Failed;
using testing::GithubAppTarget;
using testing::HasRemediation;
using testing::Response;
using testing::Saw;
using testing::Secret;
using testing::Walk;

constexpr int64_t kNow = 1700000000;
using Answer = std::function<ProbeObservation(const ProbeStep&)>;

class ProbeInterpretTest : public testing::ProbeTest {};

ProbeResult RunProbe(const ProbeTarget& target, const Answer& answer) {
  auto plan = PlanProbe(target, kNow);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  if (!plan.ok()) return ProbeResult{};
  auto observed = Walk(*plan, [&](size_t i) { return answer(plan->steps[i]); });
  return InterpretProbe(target, *plan, observed);
}

ProbeObservation SignedOk() {
  ProbeObservation o;
  o.ran = true;
  return o;
}

// ---- Kubernetes --------------------------------------------------------------------------

ProbeTarget Kube() {
  return BearerTarget(ProbeKind::kKubernetes, "https://k8s.internal.example:6443",
                      "tok-secret-123");
}

constexpr char kVersionBody[] = R"({"major":"1","minor":"29","gitVersion":"v1.29.2"})";
constexpr char kReviewBody[] =
    R"({"kind":"SelfSubjectReview","status":{"userInfo":{"username":"system:serviceaccount:ops:probe","groups":["system:authenticated"]}}})";

TEST_F(ProbeInterpretTest, KubernetesOk) {
  ProbeResult r = RunProbe(Kube(), [](const ProbeStep& s) {
    return s.id == "version" ? Saw(Response(200, kVersionBody)) : Saw(Response(201, kReviewBody));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_EQ(r.server_version, "v1.29.2");
  EXPECT_EQ(r.authenticated_as, "system:serviceaccount:ops:probe");
  EXPECT_EQ(r.deciding_step, "self_subject_review");
  EXPECT_EQ(r.http_status, 201);
  EXPECT_TRUE(r.credential_verified);
  EXPECT_FALSE(r.credential_in_clear);
  EXPECT_TRUE(r.remediations.empty());
  EXPECT_TRUE(r.body_excerpt.empty());
}

TEST_F(ProbeInterpretTest, KubernetesOlderThan128UsesAccessReview) {
  ProbeResult r = RunProbe(Kube(), [](const ProbeStep& s) {
    if (s.id == "version") return Saw(Response(200, R"({"gitVersion":"v1.25.16"})"));
    if (s.id == "self_subject_review") return Saw(Response(404, R"({"reason":"NotFound"})"));
    return Saw(Response(201, R"({"status":{"allowed":true}})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_EQ(r.deciding_step, "self_subject_access_review");
  EXPECT_EQ(r.server_version, "v1.25.16");
  EXPECT_TRUE(r.credential_verified);
}

TEST_F(ProbeInterpretTest, KubernetesNotAnApiServer) {
  ProbeResult r = RunProbe(Kube(), [](const ProbeStep&) { return Saw(Response(404, "404 page")); });
  EXPECT_EQ(r.outcome, ProbeOutcome::kNotFound);
  EXPECT_EQ(r.deciding_step, "self_subject_access_review");
  EXPECT_TRUE(HasRemediation(r, "check_endpoint"));
  EXPECT_TRUE(HasRemediation(r, "register_connection"));
}

TEST_F(ProbeInterpretTest, Kubernetes401IsUnauthorizedWithKubeconfigAndRotate) {
  ProbeResult r = RunProbe(Kube(), [](const ProbeStep& s) {
    if (s.id == "version") return Saw(Response(200, kVersionBody));
    return Saw(Response(401, R"({"kind":"Status","status":"Failure","message":"Unauthorized",)"
                             R"("echo":"Bearer tok-secret-123","code":401})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_TRUE(HasRemediation(r, "reupload_kubeconfig"));
  EXPECT_TRUE(HasRemediation(r, "rotate_token"));
  EXPECT_EQ(r.remediations[0].code, "reupload_kubeconfig");
  EXPECT_EQ(r.remediations[0].label, "Re-upload kubeconfig");
  EXPECT_EQ(r.server_version, "v1.29.2");  // reported even when the credential fails
  EXPECT_FALSE(r.credential_verified);
  EXPECT_NE(r.body_excerpt.find("Unauthorized"), std::string::npos);
  EXPECT_EQ(r.body_excerpt.find("tok-secret-123"), std::string::npos);
  EXPECT_NE(r.body_excerpt.find("[redacted]"), std::string::npos);
  EXPECT_EQ(r.message.find("tok-secret-123"), std::string::npos);
  EXPECT_EQ(r.message.find("k8s.internal.example"), std::string::npos);
  EXPECT_NE(r.message.find("expired"), std::string::npos);
}

TEST_F(ProbeInterpretTest, Kubernetes403IsForbiddenCredentialValid) {
  ProbeResult r = RunProbe(Kube(), [](const ProbeStep& s) {
    if (s.id == "version") return Saw(Response(200, kVersionBody));
    return Saw(Response(
        403,
        R"({"message":"selfsubjectreviews.authentication.k8s.io is forbidden: User \"system:serviceaccount:ops:probe\" cannot create resource"})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kForbidden);
  EXPECT_TRUE(HasRemediation(r, "check_permissions"));
  EXPECT_FALSE(HasRemediation(r, "rotate_token"));
  EXPECT_NE(r.message.find("credential is valid"), std::string::npos);
}

// Kubernetes before 1.26: the SelfSubjectReview is refused to a valid non-admin user, the
// SelfSubjectAccessReview proves the credential.
TEST_F(ProbeInterpretTest, KubernetesForbiddenReviewFallsBackToAccessReview) {
  constexpr char kRefused[] =
      R"({"kind":"Status","message":"selfsubjectreviews.authentication.k8s.io is forbidden: )"
      R"(User \"alice\" cannot create resource \"selfsubjectreviews\"","code":403})";
  ProbeResult ok = RunProbe(Kube(), [&](const ProbeStep& s) {
    if (s.id == "version") return Saw(Response(200, kVersionBody));
    if (s.id == "self_subject_review") return Saw(Response(403, kRefused));
    return Saw(Response(201, R"({"status":{"allowed":true}})"));
  });
  EXPECT_EQ(ok.outcome, ProbeOutcome::kOk);
  EXPECT_TRUE(ok.credential_verified);
  EXPECT_EQ(ok.deciding_step, "self_subject_access_review");
  EXPECT_EQ(ok.server_version, "v1.29.2");

  // Refused both: the credential is valid and the permission is missing.
  ProbeResult denied = RunProbe(Kube(), [&](const ProbeStep& s) {
    if (s.id == "version") return Saw(Response(200, kVersionBody));
    return Saw(Response(403, kRefused));
  });
  EXPECT_EQ(denied.outcome, ProbeOutcome::kForbidden);
  EXPECT_EQ(denied.deciding_step, "self_subject_access_review");
  EXPECT_TRUE(HasRemediation(denied, "check_permissions"));
  EXPECT_FALSE(HasRemediation(denied, "rotate_token"));

  // Anonymous: no fallback, unauthorized from the review itself.
  ProbeResult anonymous = RunProbe(Kube(), [&](const ProbeStep& s) {
    if (s.id == "version") return Saw(Response(200, kVersionBody));
    if (s.id == "self_subject_review") {
      return Saw(Response(403, R"({"message":"User \"system:anonymous\" cannot create"})"));
    }
    return Saw(Response(201, R"({"status":{"allowed":true}})"));
  });
  EXPECT_EQ(anonymous.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_EQ(anonymous.deciding_step, "self_subject_review");
  EXPECT_TRUE(HasRemediation(anonymous, "reupload_kubeconfig"));
}

TEST_F(ProbeInterpretTest, KubernetesAnonymousIsUnauthorizedNotForbidden) {
  ProbeResult forbidden = RunProbe(Kube(), [](const ProbeStep&) {
    return Saw(Response(
        403, R"({"message":"forbidden: User \"system:anonymous\" cannot create resource"})"));
  });
  EXPECT_EQ(forbidden.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_TRUE(HasRemediation(forbidden, "reupload_kubeconfig"));

  ProbeResult accepted = RunProbe(Kube(), [](const ProbeStep& s) {
    if (s.id == "version") return Saw(Response(200, kVersionBody));
    return Saw(Response(201, R"({"status":{"userInfo":{"username":"system:anonymous"}}})"));
  });
  EXPECT_EQ(accepted.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_FALSE(accepted.credential_verified);
}

struct TransportCase {
  TransportError error;
  ProbeOutcome outcome;
  std::vector<const char*> remediations;
};

TEST_F(ProbeInterpretTest, KubernetesTransportErrors) {
  const TransportCase cases[] = {
      {TransportError::kDnsFailure,
       ProbeOutcome::kUnreachable,
       {"check_endpoint", "run_from_inside_network", "register_connection"}},
      {TransportError::kConnectionRefused,
       ProbeOutcome::kUnreachable,
       {"check_endpoint", "run_from_inside_network", "register_connection"}},
      {TransportError::kHostUnreachable, ProbeOutcome::kUnreachable, {"run_from_inside_network"}},
      {TransportError::kConnectionReset, ProbeOutcome::kUnreachable, {"check_endpoint"}},
      {TransportError::kTimeout, ProbeOutcome::kUnreachable, {"run_from_inside_network"}},
      {TransportError::kTlsUntrustedCa,
       ProbeOutcome::kTlsUntrusted,
       {"upload_ca", "reupload_kubeconfig"}},
      {TransportError::kTlsHostnameMismatch,
       ProbeOutcome::kTlsHostnameMismatch,
       {"set_server_name", "reupload_kubeconfig"}},
      {TransportError::kTlsCertificateExpired,
       ProbeOutcome::kTlsExpired,
       {"renew_server_certificate", "check_clock"}},
      {TransportError::kTlsClientCertificateRefused,
       ProbeOutcome::kTlsClientCertRefused,
       {"upload_client_certificate"}},
      {TransportError::kTlsOther, ProbeOutcome::kUnexpected, {"check_endpoint"}},
      {TransportError::kResponseTooLarge, ProbeOutcome::kUnexpected, {"check_endpoint"}},
      {TransportError::kRedirectToAnotherHost, ProbeOutcome::kUnexpected, {"check_endpoint"}},
      {TransportError::kAddressRefusedBySsrfPolicy,
       ProbeOutcome::kBlockedByPolicy,
       {"allow_private_targets"}},
  };
  for (const TransportCase& c : cases) {
    ProbeResult r = RunProbe(Kube(), [&](const ProbeStep&) { return Failed(c.error); });
    EXPECT_EQ(r.outcome, c.outcome) << TransportErrorName(c.error);
    EXPECT_EQ(r.transport_error, c.error);
    EXPECT_FALSE(r.http_status.has_value());
    EXPECT_FALSE(r.message.empty());
    EXPECT_EQ(r.message.find("k8s.internal.example"), std::string::npos);
    for (const char* code : c.remediations) {
      EXPECT_TRUE(HasRemediation(r, code)) << TransportErrorName(c.error) << " " << code;
    }
  }
}

TEST_F(ProbeInterpretTest, ClientCertificateRefusedDependsOnCredential) {
  ProbeTarget t;
  t.kind = ProbeKind::kKubernetes;
  t.endpoint = "https://k8s:6443";
  t.auth.kind = ProbeAuthKind::kClientCertificate;
  t.auth.client_certificate_pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----";
  t.auth.client_key_pem = Secret("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----");
  ProbeResult r = RunProbe(
      t, [](const ProbeStep&) { return Failed(TransportError::kTlsClientCertificateRefused); });
  EXPECT_EQ(r.outcome, ProbeOutcome::kTlsClientCertRefused);
  EXPECT_TRUE(HasRemediation(r, "reupload_kubeconfig"));
  EXPECT_FALSE(HasRemediation(r, "upload_client_certificate"));
  EXPECT_NE(r.message.find("refused the client certificate"), std::string::npos);
}

TEST_F(ProbeInterpretTest, UntrustedCaMessageNamesConfiguredCa) {
  ProbeTarget t = Kube();
  t.tls.ca_pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----";
  ProbeResult r =
      RunProbe(t, [](const ProbeStep&) { return Failed(TransportError::kTlsUntrustedCa); });
  EXPECT_NE(r.message.find("CA in the connection's TLS settings"), std::string::npos);
  EXPECT_NE(r.message.find("certificate-authority-data"), std::string::npos);
}

// ---- Prometheus --------------------------------------------------------------------------

constexpr char kBuildinfo[] = R"({"status":"success","data":{"version":"2.45.0","revision":"x"}})";

TEST_F(ProbeInterpretTest, PrometheusOkWithVersion) {
  ProbeResult r = RunProbe(
      BasicTarget(ProbeKind::kPrometheus, "https://prom:9090", "admin", "s3cret"),
      [](const ProbeStep& s) {
        return s.role == ProbeStepRole::kAnonymousControl ? Saw(Response(401, "Unauthorized"))
                                                          : Saw(Response(200, kBuildinfo));
      });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_EQ(r.server_version, "2.45.0");
  EXPECT_TRUE(r.credential_verified);
}

TEST_F(ProbeInterpretTest, PrometheusWithoutAuthDoesNotVerifyCredential) {
  ProbeResult r =
      RunProbe(BasicTarget(ProbeKind::kPrometheus, "https://prom:9090", "admin", "s3cret"),
               [](const ProbeStep&) { return Saw(Response(200, kBuildinfo)); });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_FALSE(r.credential_verified);
  EXPECT_NE(r.message.find("not verified"), std::string::npos);
}

TEST_F(ProbeInterpretTest, Prometheus401AsksForBasic) {
  ProbeResult r = RunProbe(
      BearerTarget(ProbeKind::kPrometheus, "https://prom:9090", "tok"), [](const ProbeStep&) {
        return Saw(
            Response(401, "Unauthorized\n", {{"WWW-Authenticate", "Basic realm=\"prometheus\""}}));
      });
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_TRUE(HasRemediation(r, "edit_credential"));
  EXPECT_NE(r.message.find("Basic"), std::string::npos);

  ProbeResult wrong_password =
      RunProbe(BasicTarget(ProbeKind::kPrometheus, "https://prom:9090", "admin", "wrong"),
               [](const ProbeStep&) {
                 return Saw(Response(401, "Unauthorized", {{"www-authenticate", "Basic"}}));
               });
  EXPECT_EQ(wrong_password.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_TRUE(HasRemediation(wrong_password, "rotate_token"));
}

TEST_F(ProbeInterpretTest, PlainHttpSaysCredentialCrossedUnencrypted) {
  ProbeResult r =
      RunProbe(BasicTarget(ProbeKind::kPrometheus, "http://prom:9090", "admin", "s3cret"),
               [](const ProbeStep& s) {
                 return s.role == ProbeStepRole::kAnonymousControl ? Saw(Response(401))
                                                                   : Saw(Response(200, kBuildinfo));
               });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_TRUE(r.credential_in_clear);
  EXPECT_TRUE(HasRemediation(r, "use_https"));
  EXPECT_NE(r.message.find("unencrypted"), std::string::npos);

  // Nothing left the runner: the credential did not cross the network.
  ProbeResult dns =
      RunProbe(BasicTarget(ProbeKind::kPrometheus, "http://prom:9090", "admin", "s3cret"),
               [](const ProbeStep&) { return Failed(TransportError::kDnsFailure); });
  EXPECT_FALSE(dns.credential_in_clear);
  EXPECT_EQ(dns.outcome, ProbeOutcome::kUnreachable);
  EXPECT_FALSE(HasRemediation(dns, "register_connection"));  // Kubernetes only
}

// ---- Grafana -----------------------------------------------------------------------------

ProbeTarget Grafana() {
  ProbeTarget t;
  t.kind = ProbeKind::kGrafana;
  t.endpoint = "https://grafana.example";
  t.auth.kind = ProbeAuthKind::kApiKey;
  t.auth.token = Secret("glsa_secretsecretsecret_0011");
  return t;
}

TEST_F(ProbeInterpretTest, GrafanaOk) {
  ProbeResult r = RunProbe(Grafana(), [](const ProbeStep& s) {
    if (s.id == "health") return Saw(Response(200, R"({"database":"ok","version":"10.4.1"})"));
    if (s.role == ProbeStepRole::kAnonymousControl) return Saw(Response(401));
    return Saw(Response(200, R"({"id":1,"name":"Main Org."})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_EQ(r.server_version, "10.4.1");
  EXPECT_EQ(r.authenticated_as, "Main Org.");
  EXPECT_TRUE(r.credential_verified);
}

TEST_F(ProbeInterpretTest, Grafana401) {
  ProbeResult r = RunProbe(Grafana(), [](const ProbeStep& s) {
    if (s.id == "health") return Saw(Response(200, R"({"version":"11.0.0"})"));
    return Saw(Response(401, R"({"message":"invalid API key","traceID":""})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_EQ(r.server_version, "11.0.0");
  EXPECT_TRUE(HasRemediation(r, "rotate_token"));
  EXPECT_NE(r.message.find("service-account token"), std::string::npos);
  EXPECT_NE(r.body_excerpt.find("invalid API key"), std::string::npos);
}

TEST_F(ProbeInterpretTest, Grafana403) {
  ProbeResult r = RunProbe(Grafana(), [](const ProbeStep& s) {
    if (s.id == "health") return Saw(Response(200, "{}"));
    return Saw(Response(403, R"({"message":"You'll need additional permissions"})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kForbidden);
  EXPECT_TRUE(HasRemediation(r, "check_permissions"));
}

// ---- GitHub ------------------------------------------------------------------------------

ProbeTarget Pat() {
  ProbeTarget t;
  t.kind = ProbeKind::kGithub;
  t.auth.kind = ProbeAuthKind::kGithubPat;
  t.auth.token = Secret("ghp_patpatpatpatpatpat0123");
  return t;
}

TEST_F(ProbeInterpretTest, GithubPatOk) {
  ProbeResult r = RunProbe(Pat(), [](const ProbeStep&) {
    return Saw(Response(200, R"({"login":"octocat","id":1})",
                        {{"X-GitHub-Api-Version-Selected", "2022-11-28"}}));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_EQ(r.authenticated_as, "octocat");
  EXPECT_EQ(r.server_version, "GitHub API 2022-11-28");

  ProbeResult ghe = RunProbe(Pat(), [](const ProbeStep&) {
    return Saw(Response(200, R"({"login":"x"})", {{"X-GitHub-Enterprise-Version", "3.12.1"}}));
  });
  EXPECT_EQ(ghe.server_version, "GitHub Enterprise Server 3.12.1");
}

TEST_F(ProbeInterpretTest, GithubBadCredentials) {
  ProbeResult r = RunProbe(Pat(), [](const ProbeStep&) {
    return Saw(Response(
        401,
        R"({"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_TRUE(HasRemediation(r, "rotate_token"));
  EXPECT_NE(r.message.find("Bad credentials"), std::string::npos);
}

TEST_F(ProbeInterpretTest, GithubRateLimitIsNotACredentialProblem) {
  ProbeResult primary = RunProbe(Pat(), [](const ProbeStep&) {
    return Saw(Response(403, R"({"message":"API rate limit exceeded for user ID 1."})",
                        {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1700003600"}}));
  });
  EXPECT_EQ(primary.outcome, ProbeOutcome::kRateLimited);
  EXPECT_TRUE(HasRemediation(primary, "retry_later"));
  EXPECT_FALSE(HasRemediation(primary, "rotate_token"));
  EXPECT_NE(primary.message.find("1700003600"), std::string::npos);

  ProbeResult secondary = RunProbe(Pat(), [](const ProbeStep&) {
    return Saw(Response(403, R"({"message":"You have exceeded a secondary rate limit."})",
                        {{"retry-after", "60"}}));
  });
  EXPECT_EQ(secondary.outcome, ProbeOutcome::kRateLimited);

  ProbeResult too_many = RunProbe(Pat(), [](const ProbeStep&) { return Saw(Response(429)); });
  EXPECT_EQ(too_many.outcome, ProbeOutcome::kRateLimited);

  // A 403 with quota left is a permission problem.
  ProbeResult forbidden = RunProbe(Pat(), [](const ProbeStep&) {
    return Saw(Response(403, R"({"message":"Resource not accessible"})",
                        {{"x-ratelimit-remaining", "4999"}}));
  });
  EXPECT_EQ(forbidden.outcome, ProbeOutcome::kForbidden);

  ProbeResult sso = RunProbe(Pat(), [](const ProbeStep&) {
    return Saw(Response(403, "{}", {{"X-GitHub-SSO", "required; url=https://github.com/x"}}));
  });
  EXPECT_EQ(sso.outcome, ProbeOutcome::kForbidden);
  EXPECT_NE(sso.message.find("SAML"), std::string::npos);
}

constexpr char kInstallationToken[] = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

TEST_F(ProbeInterpretTest, GithubAppOk) {
  ProbeResult r = RunProbe(GithubAppTarget(), [](const ProbeStep& s) {
    if (s.kind == ProbeStepKind::kSignAppJwt) return SignedOk();
    if (s.id == "access_token") {
      return Saw(Response(201, std::string(R"({"token":")") + kInstallationToken + "\"}"));
    }
    return Saw(Response(200, R"({"total_count":3,"repositories":[{"owner":{"login":"acme"}}]})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_EQ(r.deciding_step, "installation_repositories");
  EXPECT_EQ(r.authenticated_as, "acme");
  EXPECT_TRUE(r.credential_verified);
  EXPECT_TRUE(r.body_excerpt.empty());
}

TEST_F(ProbeInterpretTest, GithubAppExchangeFailures) {
  auto exchange = [](ProbeResponse response) {
    return RunProbe(GithubAppTarget(), [&](const ProbeStep& s) {
      if (s.kind == ProbeStepKind::kSignAppJwt) return SignedOk();
      return Saw(response);
    });
  };
  ProbeResult clock = exchange(
      Response(401, R"({"message":"'Expiration time' claim ('exp') is too far in the future"})"));
  EXPECT_EQ(clock.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_EQ(clock.deciding_step, "access_token");
  EXPECT_TRUE(HasRemediation(clock, "check_clock"));

  ProbeResult bad_key =
      exchange(Response(401, R"({"message":"A JSON web token could not be decoded"})"));
  EXPECT_EQ(bad_key.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_TRUE(HasRemediation(bad_key, "edit_credential"));
  EXPECT_FALSE(HasRemediation(bad_key, "check_clock"));

  // A missing installation is a credential problem, never "not found".
  ProbeResult uninstalled = exchange(Response(404, R"({"message":"Not Found"})"));
  EXPECT_EQ(uninstalled.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_EQ(uninstalled.message.find("7890"), std::string::npos);

  ProbeResult suspended =
      exchange(Response(403, R"({"message":"This installation has been suspended"})"));
  EXPECT_EQ(suspended.outcome, ProbeOutcome::kForbidden);

  ProbeResult signing = RunProbe(
      GithubAppTarget(), [](const ProbeStep&) { return Failed(TransportError::kSigningFailed); });
  EXPECT_EQ(signing.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_EQ(signing.deciding_step, "app_jwt");
  EXPECT_TRUE(HasRemediation(signing, "edit_credential"));
}

// ---- HTTP --------------------------------------------------------------------------------

ProbeTarget Http(int expected) {
  ProbeTarget t = BearerTarget(ProbeKind::kHttp, "https://api.example.com", "tok-http-secret");
  t.http_path = "/healthz";
  t.http_expected_status = expected;
  return t;
}

TEST_F(ProbeInterpretTest, HttpExpectedStatus) {
  auto with = [](int expected, int got) {
    return RunProbe(Http(expected), [&](const ProbeStep& s) {
      return s.role == ProbeStepRole::kAnonymousControl ? Saw(Response(401))
                                                        : Saw(Response(got, "body"));
    });
  };
  EXPECT_EQ(with(204, 204).outcome, ProbeOutcome::kOk);
  ProbeResult mismatch = with(204, 200);
  EXPECT_EQ(mismatch.outcome, ProbeOutcome::kUnexpected);
  EXPECT_NE(mismatch.message.find("204"), std::string::npos);
  EXPECT_TRUE(HasRemediation(mismatch, "show_response"));
  EXPECT_EQ(mismatch.body_excerpt, "body");
  ProbeResult server_error = with(200, 503);
  EXPECT_EQ(server_error.outcome, ProbeOutcome::kUnexpected);
  EXPECT_TRUE(HasRemediation(server_error, "retry_later"));
  ProbeResult redirect = with(200, 302);
  EXPECT_EQ(redirect.outcome, ProbeOutcome::kUnexpected);
  EXPECT_TRUE(HasRemediation(redirect, "check_endpoint"));
  ProbeResult missing = with(200, 404);
  EXPECT_EQ(missing.outcome, ProbeOutcome::kNotFound);
  EXPECT_EQ(missing.message.find("/healthz"), std::string::npos);
  EXPECT_EQ(with(200, 401).outcome, ProbeOutcome::kUnauthorized);
  EXPECT_EQ(with(200, 403).outcome, ProbeOutcome::kForbidden);
  EXPECT_EQ(with(401, 401).outcome, ProbeOutcome::kOk);
}

TEST_F(ProbeInterpretTest, SkippedVerificationIsStated) {
  ProbeTarget t = Http(200);
  t.tls.insecure_skip_verify = true;
  ProbeResult r = RunProbe(t, [](const ProbeStep& s) {
    return s.role == ProbeStepRole::kAnonymousControl ? Saw(Response(401)) : Saw(Response(200));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk);
  EXPECT_TRUE(r.tls_verification_skipped);
  EXPECT_NE(r.message.find("TLS verification is skipped"), std::string::npos);
}

// ---- Body excerpts -----------------------------------------------------------------------

TEST_F(ProbeInterpretTest, ExcerptIsCutAndRedacted) {
  std::string body(505, 'a');
  body += "tok-http-secret and more";
  body += std::string(5000, 'b');
  ProbeResult r = RunProbe(Http(200), [&](const ProbeStep&) { return Saw(Response(500, body)); });
  EXPECT_LE(r.body_excerpt.size(), kProbeBodyExcerptLimit);
  EXPECT_EQ(r.body_excerpt.find("tok-"), std::string::npos);
  EXPECT_EQ(r.body_excerpt.find("bbbb"), std::string::npos);
}

TEST_F(ProbeInterpretTest, ExcerptHidesAuthorizationValues) {
  ProbeResult r = RunProbe(
      BasicTarget(ProbeKind::kPrometheus, "https://prom", "admin", "s3cret"), [](const ProbeStep&) {
        return Saw(
            Response(400,
                     "request headers: Authorization: Basic YWRtaW46czNjcmV0\n"
                     "password=s3cret; forwarded Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig"));
      });
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnexpected);
  EXPECT_EQ(r.body_excerpt.find("YWRtaW46czNjcmV0"), std::string::npos);
  EXPECT_EQ(r.body_excerpt.find("s3cret"), std::string::npos);
  EXPECT_EQ(r.body_excerpt.find("eyJhbGciOiJSUzI1NiJ9"), std::string::npos);
  EXPECT_EQ(r.body_excerpt.find('\n'), std::string::npos);
  EXPECT_NE(r.body_excerpt.find("request headers"), std::string::npos);
}

TEST_F(ProbeInterpretTest, ExcerptKeepsProseReadable) {
  ProbeResult r = RunProbe(Http(200), [](const ProbeStep&) {
    return Saw(Response(400, "this API requires Basic authentication; see Bearer tokens"));
  });
  EXPECT_EQ(r.body_excerpt, "this API requires Basic authentication; see Bearer tokens");
}

TEST_F(ProbeInterpretTest, GrafanaBasicAuth401) {
  ProbeTarget t = BasicTarget(ProbeKind::kGrafana, "https://grafana.example", "admin", "pw");
  ProbeResult r = RunProbe(t, [](const ProbeStep& s) {
    if (s.id == "health") return Saw(Response(200, "{}"));
    return Saw(Response(401, R"({"message":"Invalid username or password"})"));
  });
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnauthorized);
  EXPECT_NE(r.message.find("user or password"), std::string::npos);
}

TEST_F(ProbeInterpretTest, ExcerptIsValidUtf8) {
  std::string body = "caf\xc3\xa9 \xff\xfe bad \x01 ctl ";
  body += std::string(492, 'x') + "\xe2\x82\xac";  // a 3-byte character across the limit
  ProbeResult r = RunProbe(Http(200), [&](const ProbeStep&) { return Saw(Response(500, body)); });
  EXPECT_EQ(r.body_excerpt.substr(0, 12), "caf\xc3\xa9 ?? bad");
  EXPECT_LE(r.body_excerpt.size(), kProbeBodyExcerptLimit);
  EXPECT_NE(static_cast<unsigned char>(r.body_excerpt.back()), 0xe2);
}

// ---- Tables ------------------------------------------------------------------------------

TEST_F(ProbeInterpretTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ProbeOutcome::kUnexpected); ++i) {
    const auto o = static_cast<ProbeOutcome>(i);
    EXPECT_EQ(ParseTestOutcome(TestOutcomeName(o)), o);
  }
  for (int i = 0; i <= static_cast<int>(TransportError::kSigningFailed); ++i) {
    const auto e = static_cast<TransportError>(i);
    EXPECT_EQ(TransportErrorFromName(TransportErrorName(e)), e);
  }
  for (int i = 0; i <= static_cast<int>(RemediationAction::kShowResponse); ++i) {
    EXPECT_NE(MakeRemediation(static_cast<RemediationAction>(i)).code, "unknown");
  }
  EXPECT_EQ(ParseTestOutcome("Unauthorized"), std::nullopt);
  EXPECT_EQ(ProbeKindFromName("github"), ProbeKind::kGithub);
  EXPECT_EQ(ProbeAuthKindFromName("github_app"), ProbeAuthKind::kGithubApp);
  EXPECT_EQ(ProbeKindFromName("gitlab"), std::nullopt);
}

TEST_F(ProbeInterpretTest, NothingObserved) {
  ProbeTarget t = Kube();
  auto plan = PlanProbe(t, kNow);
  ASSERT_TRUE(plan.ok());
  ProbeResult r = InterpretProbe(t, *plan, {});
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnexpected);
  EXPECT_FALSE(r.message.empty());
}

}  // namespace
}  // namespace credvault
