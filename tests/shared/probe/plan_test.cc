#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "credvault/probe.h"
#include "credvault/probe_json.h"
#include "shared/probe/probe_test_util.h"

namespace credvault {
namespace {

using testing::BasicTarget;
using testing::BearerTarget;
using testing::GithubAppTarget;
using testing::Header;
using testing::Secret;

constexpr int64_t kNow = 1700000000;

class ProbePlanTest : public testing::ProbeTest {};

std::string HeaderValue(const ProbeStep& step, std::string_view name) {
  const ProbeHeader* h = Header(step, name);
  return h == nullptr ? "<absent>" : std::string(h->Value());
}

TEST_F(ProbePlanTest, KubernetesBearerProvesWithSelfSubjectReview) {
  auto plan =
      PlanProbe(BearerTarget(ProbeKind::kKubernetes, "https://k8s.example:6443", "tok-1"), kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->steps.size(), 3u);
  const ProbeStep& version = plan->steps[0];
  EXPECT_EQ(version.id, "version");
  EXPECT_EQ(version.role, ProbeStepRole::kServerVersion);
  EXPECT_EQ(version.method, "GET");
  EXPECT_EQ(version.url, "https://k8s.example:6443/version");
  EXPECT_EQ(HeaderValue(version, "Authorization"), "Bearer tok-1");
  EXPECT_EQ(HeaderValue(version, "Accept"), "application/json");
  EXPECT_EQ(HeaderValue(version, "User-Agent"), kProbeUserAgent);

  const ProbeStep& review = plan->steps[1];
  EXPECT_EQ(review.id, "self_subject_review");
  EXPECT_EQ(review.role, ProbeStepRole::kAuthenticate);
  EXPECT_EQ(review.method, "POST");
  EXPECT_EQ(review.url,
            "https://k8s.example:6443/apis/authentication.k8s.io/v1/selfsubjectreviews");
  EXPECT_EQ(review.body, R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})");
  EXPECT_EQ(HeaderValue(review, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(review, "Authorization"), "Bearer tok-1");
  EXPECT_TRUE(Header(review, "Authorization")->sensitive());
  EXPECT_EQ(review.success_statuses, (std::vector<int>{200, 201}));
  EXPECT_EQ(review.only_if_not_found_step, -1);
  EXPECT_TRUE(review.sends_credential);

  const ProbeStep& fallback = plan->steps[2];
  EXPECT_EQ(fallback.id, "self_subject_access_review");
  EXPECT_EQ(fallback.method, "POST");
  EXPECT_EQ(fallback.url,
            "https://k8s.example:6443/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
  EXPECT_EQ(fallback.only_if_not_found_step, 1);
  auto body = nlohmann::json::parse(fallback.body, nullptr, false);
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body["kind"], "SelfSubjectAccessReview");
  EXPECT_FALSE(plan->credential_in_clear);
  EXPECT_TRUE(plan->proves_credential);
}

TEST_F(ProbePlanTest, KubernetesKeepsProxyPrefix) {
  auto plan = PlanProbe(
      BearerTarget(ProbeKind::kKubernetes, "https://rancher.example/k8s/clusters/c-abc/", "t"),
      kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->steps[0].url, "https://rancher.example/k8s/clusters/c-abc/version");
}

TEST_F(ProbePlanTest, KubernetesClientCertificateSendsNoAuthorizationHeader) {
  ProbeTarget t;
  t.kind = ProbeKind::kKubernetes;
  t.endpoint = "https://10.0.0.1:6443";
  t.auth.kind = ProbeAuthKind::kClientCertificate;
  t.auth.client_certificate_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  t.auth.client_key_pem =
      Secret("-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n");
  auto plan = PlanProbe(t, kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->uses_client_certificate);
  EXPECT_EQ(Header(plan->steps[1], "Authorization"), nullptr);
  EXPECT_TRUE(plan->steps[1].sends_credential);

  t.endpoint = "http://10.0.0.1:8080";
  auto plain = PlanProbe(t, kNow);
  EXPECT_EQ(plain.code(), ErrorCode::kValidation);
  EXPECT_NE(plain.status().message().find("endpoint"), std::string::npos);

  t.endpoint = "https://10.0.0.1:6443";
  t.auth.token = Secret("cert-and-token");
  auto with_token = PlanProbe(t, kNow);
  ASSERT_TRUE(with_token.ok()) << with_token.status().ToString();
  ASSERT_NE(Header(with_token->steps[1], "Authorization"), nullptr);
  EXPECT_TRUE(with_token->uses_client_certificate);
  t.auth.token = SecretBytes();

  t.auth.client_key_pem = Secret("not a key");
  auto bad_key = PlanProbe(t, kNow);
  EXPECT_EQ(bad_key.code(), ErrorCode::kValidation);
  EXPECT_NE(bad_key.status().message().find("auth.client_key_pem"), std::string::npos);
}

TEST_F(ProbePlanTest, KubernetesRefusesAuthItCannotUse) {
  ProbeTarget t;
  t.kind = ProbeKind::kKubernetes;
  t.endpoint = "https://k8s.example";
  auto plan = PlanProbe(t, kNow);
  EXPECT_EQ(plan.code(), ErrorCode::kValidation);
  EXPECT_NE(plan.status().message().find("auth.kind"), std::string::npos);
}

TEST_F(ProbePlanTest, PrometheusBasicAuthAndAnonymousControl) {
  auto plan = PlanProbe(
      BasicTarget(ProbeKind::kPrometheus, "https://prom.example:9090", "admin", "s3cret"), kNow);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[0].id, "buildinfo");
  EXPECT_EQ(plan->steps[0].method, "GET");
  EXPECT_EQ(plan->steps[0].url, "https://prom.example:9090/api/v1/status/buildinfo");
  EXPECT_EQ(HeaderValue(plan->steps[0], "Authorization"), "Basic YWRtaW46czNjcmV0");
  EXPECT_EQ(plan->steps[1].role, ProbeStepRole::kAnonymousControl);
  EXPECT_EQ(plan->steps[1].url, plan->steps[0].url);
  EXPECT_EQ(Header(plan->steps[1], "Authorization"), nullptr);
  EXPECT_FALSE(plan->steps[1].sends_credential);
}

TEST_F(ProbePlanTest, BasicAuthEncoding) {
  auto utf8 = PlanProbe(
      BasicTarget(ProbeKind::kPrometheus, "https://p", "jos\xc3\xa9", "p\xc3\xa4ss:word"), kNow);
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(HeaderValue(utf8->steps[0], "Authorization"), "Basic am9zw6k6cMOkc3M6d29yZA==");

  auto empty_user =
      PlanProbe(BasicTarget(ProbeKind::kPrometheus, "https://p", "", "onlypass"), kNow);
  ASSERT_TRUE(empty_user.ok());
  EXPECT_EQ(HeaderValue(empty_user->steps[0], "Authorization"), "Basic Om9ubHlwYXNz");

  auto colon = PlanProbe(BasicTarget(ProbeKind::kPrometheus, "https://p", "a:b", "x"), kNow);
  EXPECT_EQ(colon.code(), ErrorCode::kValidation);
  EXPECT_NE(colon.status().message().find("auth.username"), std::string::npos);

  auto both_empty = PlanProbe(BasicTarget(ProbeKind::kPrometheus, "https://p", "", ""), kNow);
  EXPECT_EQ(both_empty.code(), ErrorCode::kValidation);

  auto newline =
      PlanProbe(BasicTarget(ProbeKind::kPrometheus, "https://p", "u", "a\r\nX: y"), kNow);
  EXPECT_EQ(newline.code(), ErrorCode::kValidation);
  EXPECT_NE(newline.status().message().find("auth.password"), std::string::npos);
}

TEST_F(ProbePlanTest, PrometheusWithoutCredentialProvesReachabilityOnly) {
  ProbeTarget t;
  t.kind = ProbeKind::kPrometheus;
  t.endpoint = "http://prometheus.monitoring.svc:9090";
  auto plan = PlanProbe(t, kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->proves_credential);
  EXPECT_FALSE(plan->credential_in_clear);
  ASSERT_EQ(plan->steps.size(), 1u);
  EXPECT_EQ(plan->steps[0].url, "http://prometheus.monitoring.svc:9090/api/v1/status/buildinfo");
}

TEST_F(ProbePlanTest, GrafanaUsesAuthenticatedEndpointNotHealth) {
  ProbeTarget t;
  t.kind = ProbeKind::kGrafana;
  t.endpoint = "https://grafana.example/grafana";
  t.auth.kind = ProbeAuthKind::kApiKey;
  t.auth.token = Secret("glsa_abcdef0123456789\n");
  auto plan = PlanProbe(t, kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->steps.size(), 3u);
  EXPECT_EQ(plan->steps[0].url, "https://grafana.example/grafana/api/health");
  EXPECT_EQ(plan->steps[0].role, ProbeStepRole::kServerVersion);
  EXPECT_EQ(Header(plan->steps[0], "Authorization"), nullptr);  // no secret where none is needed
  EXPECT_EQ(plan->steps[1].id, "current_org");
  EXPECT_EQ(plan->steps[1].url, "https://grafana.example/grafana/api/org");
  EXPECT_EQ(plan->steps[1].role, ProbeStepRole::kAuthenticate);
  // The pasted trailing newline is trimmed.
  EXPECT_EQ(HeaderValue(plan->steps[1], "Authorization"), "Bearer glsa_abcdef0123456789");
  EXPECT_EQ(plan->steps[2].role, ProbeStepRole::kAnonymousControl);
}

TEST_F(ProbePlanTest, GithubPatAgainstUserEndpoint) {
  ProbeTarget t;
  t.kind = ProbeKind::kGithub;
  t.auth.kind = ProbeAuthKind::kGithubPat;
  t.auth.token = Secret("ghp_0123456789abcdef");
  auto plan = PlanProbe(t, kNow);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->steps.size(), 1u);
  const ProbeStep& s = plan->steps[0];
  EXPECT_EQ(s.method, "GET");
  EXPECT_EQ(s.url, "https://api.github.com/user");
  EXPECT_EQ(HeaderValue(s, "Accept"), "application/vnd.github+json");
  EXPECT_EQ(HeaderValue(s, "X-GitHub-Api-Version"), "2022-11-28");
  EXPECT_EQ(HeaderValue(s, "User-Agent"), kProbeUserAgent);
  EXPECT_EQ(HeaderValue(s, "Authorization"), "Bearer ghp_0123456789abcdef");
}

TEST_F(ProbePlanTest, GithubEndpoints) {
  auto url_for = [](std::string endpoint) {
    ProbeTarget t;
    t.kind = ProbeKind::kGithub;
    t.endpoint = std::move(endpoint);
    t.auth.kind = ProbeAuthKind::kGithubPat;
    t.auth.token = Secret("ghp_x");
    auto plan = PlanProbe(t, kNow);
    return plan.ok() ? plan->steps[0].url : "error: " + plan.status().ToString();
  };
  EXPECT_EQ(url_for("https://github.com"), "https://api.github.com/user");
  EXPECT_EQ(url_for("https://api.github.com/"), "https://api.github.com/user");
  EXPECT_EQ(url_for("https://ghe.corp.example"), "https://ghe.corp.example/api/v3/user");
  EXPECT_EQ(url_for("https://ghe.corp.example/api/v3/"), "https://ghe.corp.example/api/v3/user");
}

TEST_F(ProbePlanTest, GithubAppSignsExchangesAndLists) {
  auto plan = PlanProbe(GithubAppTarget(), kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->steps.size(), 3u);
  const ProbeStep& sign = plan->steps[0];
  EXPECT_EQ(sign.kind, ProbeStepKind::kSignAppJwt);
  EXPECT_EQ(sign.role, ProbeStepRole::kSignJwt);
  EXPECT_TRUE(sign.url.empty());

  const ProbeStep& exchange = plan->steps[1];
  EXPECT_EQ(exchange.role, ProbeStepRole::kTokenExchange);
  EXPECT_EQ(exchange.method, "POST");
  EXPECT_EQ(exchange.url, "https://api.github.com/app/installations/7890/access_tokens");
  EXPECT_EQ(exchange.bearer_from_step, 0);
  EXPECT_EQ(exchange.output_json_field, "token");
  EXPECT_EQ(exchange.success_statuses, std::vector<int>{201});
  EXPECT_EQ(Header(exchange, "Authorization"), nullptr);  // the runner adds the JWT
  EXPECT_EQ(HeaderValue(exchange, "Accept"), "application/vnd.github+json");
  EXPECT_EQ(HeaderValue(exchange, "X-GitHub-Api-Version"), "2022-11-28");

  const ProbeStep& list = plan->steps[2];
  EXPECT_EQ(list.method, "GET");
  EXPECT_EQ(list.url, "https://api.github.com/installation/repositories?per_page=1");
  EXPECT_EQ(list.bearer_from_step, 1);
  EXPECT_EQ(list.role, ProbeStepRole::kAuthenticate);
}

nlohmann::json DecodePart(std::string_view part) {
  Bytes raw;
  if (!Base64UrlDecode(part, &raw)) return nlohmann::json();
  return nlohmann::json::parse(AsChars(raw), nullptr, false);
}

TEST_F(ProbePlanTest, GithubAppJwtSigningInputCarriesClaims) {
  auto plan = PlanProbe(GithubAppTarget(), kNow);
  ASSERT_TRUE(plan.ok());
  const std::string& input = plan->steps[0].signing_input;
  const size_t dot = input.find('.');
  ASSERT_NE(dot, std::string::npos);
  EXPECT_EQ(input.find('.', dot + 1), std::string::npos);  // header.claims, no signature yet
  EXPECT_EQ(input.find('='), std::string::npos);           // base64url without padding
  nlohmann::json header = DecodePart(std::string_view(input).substr(0, dot));
  nlohmann::json claims = DecodePart(std::string_view(input).substr(dot + 1));
  ASSERT_TRUE(header.is_object());
  ASSERT_TRUE(claims.is_object());
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["typ"], "JWT");
  EXPECT_EQ(claims["iat"], kNow - 60);
  EXPECT_EQ(claims["exp"], kNow + 540);
  EXPECT_LE(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 600);
  ASSERT_TRUE(claims["iss"].is_number_integer());
  EXPECT_EQ(claims["iss"], 123456);

  ProbeTarget by_client_id = GithubAppTarget();
  by_client_id.auth.app_id = "Iv1.8a61f9b3a7aba766";
  auto plan2 = PlanProbe(by_client_id, kNow);
  ASSERT_TRUE(plan2.ok());
  const std::string& input2 = plan2->steps[0].signing_input;
  nlohmann::json claims2 = DecodePart(std::string_view(input2).substr(input2.find('.') + 1));
  EXPECT_EQ(claims2["iss"], "Iv1.8a61f9b3a7aba766");
}

TEST_F(ProbePlanTest, GithubAppValidation) {
  ProbeTarget t = GithubAppTarget();
  t.auth.installation_id = "12a";
  auto bad_installation = PlanProbe(t, kNow);
  EXPECT_EQ(bad_installation.code(), ErrorCode::kValidation);
  EXPECT_NE(bad_installation.status().message().find("auth.installation_id"), std::string::npos);

  ProbeTarget t2 = GithubAppTarget();
  t2.auth.app_private_key_pem = Secret("ssh-rsa AAAA");
  auto bad_key = PlanProbe(t2, kNow);
  EXPECT_EQ(bad_key.code(), ErrorCode::kValidation);
  EXPECT_NE(bad_key.status().message().find("auth.app_private_key_pem"), std::string::npos);

  ProbeTarget t3 = GithubAppTarget();
  t3.auth.app_id = "12/../34";
  EXPECT_EQ(PlanProbe(t3, kNow).code(), ErrorCode::kValidation);
}

ProbeTarget HttpTarget(std::string endpoint, std::string path) {
  ProbeTarget t = BearerTarget(ProbeKind::kHttp, std::move(endpoint), "tok");
  t.http_path = std::move(path);
  return t;
}

std::string HttpUrl(std::string endpoint, std::string path) {
  auto plan = PlanProbe(HttpTarget(std::move(endpoint), std::move(path)), kNow);
  return plan.ok() ? plan->steps[0].url : "error: " + plan.status().ToString();
}

TEST_F(ProbePlanTest, UrlJoining) {
  EXPECT_EQ(HttpUrl("https://api.example.com", "/status"), "https://api.example.com/status");
  EXPECT_EQ(HttpUrl("https://api.example.com/", "status"), "https://api.example.com/status");
  EXPECT_EQ(HttpUrl("https://api.example.com/base/", "/v1/ping"),
            "https://api.example.com/base/v1/ping");
  EXPECT_EQ(HttpUrl("https://api.example.com/base//", "v1"), "https://api.example.com/base/v1");
  EXPECT_EQ(HttpUrl("https://api.example.com", ""), "https://api.example.com/");
  // No http_path: the endpoint itself, as the connection names it (no trailing slash added).
  EXPECT_EQ(HttpUrl("https://api.example.com/healthz", ""), "https://api.example.com/healthz");
  EXPECT_EQ(HttpUrl("https://api.example.com/a/healthz/", " "),
            "https://api.example.com/a/healthz");
  EXPECT_EQ(HttpUrl("http://127.0.0.1:8080/ready?full=1", ""), "http://127.0.0.1:8080/ready?full=1");
  EXPECT_EQ(HttpUrl("https://api.example.com/base", "/x"), "https://api.example.com/base/x");
  EXPECT_EQ(HttpUrl("https://api.example.com/base?tenant=a", "/x?y=1"),
            "https://api.example.com/base/x?tenant=a&y=1");
  EXPECT_EQ(HttpUrl("https://api.example.com?tenant=a", "/x"),
            "https://api.example.com/x?tenant=a");
  EXPECT_EQ(HttpUrl("HTTPS://API.Example.COM:8443/A", "/b%20c"),
            "https://api.example.com:8443/A/b%20c");
  EXPECT_EQ(HttpUrl("https://[fd00::1]:8443", "/x"), "https://[fd00::1]:8443/x");
  EXPECT_EQ(HttpUrl("  https://api.example.com\n", "/x"), "https://api.example.com/x");
}

TEST_F(ProbePlanTest, UrlRejections) {
  struct Case {
    std::string endpoint;
    std::string path;
    std::string field;
  };
  const Case cases[] = {
      {"ftp://files.example", "/", "endpoint"},
      {"api.example.com", "/", "endpoint"},
      {"", "/", "endpoint"},
      {"https://user:pass@api.example.com", "/", "endpoint"},
      {"https://api.example.com/#frag", "/", "endpoint"},
      {"https://api.example.com:0", "/", "endpoint"},
      {"https://api.example.com:70000", "/", "endpoint"},
      {"https://api.example.com:", "/", "endpoint"},
      {"https://api.example.com:+80", "/", "endpoint"},
      {"https://[fd00::1", "/", "endpoint"},
      {"https://[zz::1]", "/", "endpoint"},
      {"https://api example.com", "/", "endpoint"},
      {"https://api.example.com/a/../b", "/", "endpoint"},
      {"https://api.example.com", "/../admin", "http_path"},
      {"https://api.example.com", "/%2e%2e/admin", "http_path"},
      {"https://api.example.com", "https://evil.example/x", "http_path"},
      {"https://api.example.com", "/a b", "http_path"},
      {"https://api.example.com", "/a\r\nHost: evil", "http_path"},
      {"https://api.example.com", "/a#b", "http_path"},
      {"https://api.example.com", "/a%zz", "http_path"},
      {"https://api.example.com", "/a%4", "http_path"},
  };
  for (const Case& c : cases) {
    auto plan = PlanProbe(HttpTarget(c.endpoint, c.path), kNow);
    EXPECT_EQ(plan.code(), ErrorCode::kValidation) << c.endpoint << " " << c.path;
    if (!plan.ok()) {
      EXPECT_EQ(plan.status().message().rfind(c.field + ":", 0), 0u) << plan.status().message();
    }
  }
}

TEST_F(ProbePlanTest, HttpExpectedStatusAndHeaders) {
  ProbeTarget t;
  t.kind = ProbeKind::kHttp;
  t.endpoint = "https://api.example.com";
  t.http_path = "/healthz";
  t.http_expected_status = 204;
  t.auth.kind = ProbeAuthKind::kHeader;
  t.auth.header_name = "X-Api-Key";
  t.auth.header_value = Secret("k-123");
  auto plan = PlanProbe(t, kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->steps[0].success_statuses, std::vector<int>{204});
  EXPECT_EQ(HeaderValue(plan->steps[0], "X-Api-Key"), "k-123");
  EXPECT_TRUE(Header(plan->steps[0], "X-Api-Key")->sensitive());
  EXPECT_EQ(Header(plan->steps[0], "Authorization"), nullptr);
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(Header(plan->steps[1], "X-Api-Key"), nullptr);

  t.http_expected_status = 401;  // a deliberate "does it demand a credential" check
  auto expect_401 = PlanProbe(t, kNow);
  ASSERT_TRUE(expect_401.ok());
  EXPECT_EQ(expect_401->steps.size(), 1u);

  t.http_expected_status = 99;
  EXPECT_EQ(PlanProbe(t, kNow).code(), ErrorCode::kValidation);
  t.http_expected_status = 600;
  EXPECT_EQ(PlanProbe(t, kNow).code(), ErrorCode::kValidation);

  t.http_expected_status = 200;
  for (std::string name :
       {"Host", "content-length", "Transfer-Encoding", "User-Agent", "X Key", "X:Key", ""}) {
    t.auth.header_name = name;
    auto bad = PlanProbe(t, kNow);
    EXPECT_EQ(bad.code(), ErrorCode::kValidation) << name;
    if (!bad.ok()) {
      EXPECT_EQ(bad.status().message().rfind("auth.header_name:", 0), 0u);
    }
  }
  t.auth.header_name = "X-Api-Key";
  t.auth.header_value = Secret("a\nInjected: 1");
  EXPECT_EQ(PlanProbe(t, kNow).code(), ErrorCode::kValidation);
}

TEST_F(ProbePlanTest, TokenValidation) {
  auto inner_space =
      PlanProbe(BearerTarget(ProbeKind::kHttp, "https://a.example", "two words"), kNow);
  EXPECT_EQ(inner_space.code(), ErrorCode::kValidation);
  EXPECT_EQ(inner_space.status().message().rfind("auth.token:", 0), 0u);
  auto empty = PlanProbe(BearerTarget(ProbeKind::kHttp, "https://a.example", " \n"), kNow);
  EXPECT_EQ(empty.code(), ErrorCode::kValidation);
  auto crlf = PlanProbe(BearerTarget(ProbeKind::kHttp, "https://a.example", "a\r\nb"), kNow);
  EXPECT_EQ(crlf.code(), ErrorCode::kValidation);
}

TEST_F(ProbePlanTest, PlainHttpAndSkippedVerificationAreFlagged) {
  auto plain = PlanProbe(BearerTarget(ProbeKind::kPrometheus, "http://prom:9090", "t"), kNow);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->credential_in_clear);
  EXPECT_FALSE(plain->tls_verification_skipped);

  ProbeTarget t = BearerTarget(ProbeKind::kPrometheus, "https://prom:9090", "t");
  t.tls.insecure_skip_verify = true;
  auto skipped = PlanProbe(t, kNow);
  ASSERT_TRUE(skipped.ok());
  EXPECT_TRUE(skipped->tls_verification_skipped);
  EXPECT_FALSE(skipped->credential_in_clear);

  ProbeTarget bad_ca = BearerTarget(ProbeKind::kPrometheus, "https://prom:9090", "t");
  bad_ca.tls.ca_pem = "garbage";
  auto ca = PlanProbe(bad_ca, kNow);
  EXPECT_EQ(ca.code(), ErrorCode::kValidation);
  EXPECT_EQ(ca.status().message().rfind("tls.ca_pem:", 0), 0u);
}

TEST_F(ProbePlanTest, AuthKindPerTargetKind) {
  ProbeTarget t = BearerTarget(ProbeKind::kGrafana, "https://g", "t");
  t.auth.kind = ProbeAuthKind::kClientCertificate;
  EXPECT_EQ(PlanProbe(t, kNow).code(), ErrorCode::kValidation);
  ProbeTarget h = GithubAppTarget("https://a.example");
  h.kind = ProbeKind::kHttp;
  EXPECT_EQ(PlanProbe(h, kNow).code(), ErrorCode::kValidation);
  ProbeTarget g = BasicTarget(ProbeKind::kGithub, "", "u", "p");
  EXPECT_EQ(PlanProbe(g, kNow).code(), ErrorCode::kValidation);
}

TEST_F(ProbePlanTest, PlanJsonRedactsCredentials) {
  auto plan = PlanProbe(
      BasicTarget(ProbeKind::kPrometheus, "https://prom.example", "admin", "s3cret"), kNow);
  ASSERT_TRUE(plan.ok());
  nlohmann::json j = ProbePlanToJson(*plan);
  const std::string text = j.dump();
  EXPECT_EQ(text.find("YWRtaW46czNjcmV0"), std::string::npos);
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_EQ(j["kind"], "prometheus");
  EXPECT_EQ(j["auth_kind"], "basic");
  ASSERT_EQ(j["steps"].size(), 2u);
  const nlohmann::json& step = j["steps"][0];
  EXPECT_EQ(step["url"], "https://prom.example/api/v1/status/buildinfo");
  EXPECT_EQ(step["role"], "authenticate");
  bool saw_auth = false;
  for (const auto& h : step["headers"]) {
    if (h["name"] == "Authorization") {
      saw_auth = true;
      EXPECT_EQ(h["value"], "[redacted]");
    }
  }
  EXPECT_TRUE(saw_auth);

  auto app = PlanProbe(GithubAppTarget(), kNow);
  ASSERT_TRUE(app.ok());
  nlohmann::json aj = ProbePlanToJson(*app);
  EXPECT_EQ(aj["steps"][0]["kind"], "sign_app_jwt");
  EXPECT_EQ(aj["steps"][0]["algorithm"], "RS256");
  EXPECT_EQ(aj["steps"][1]["bearer_from_step"], 0);
  EXPECT_EQ(aj["steps"][1]["output_json_field"], "token");
  EXPECT_EQ(aj.dump().find("MIIBOgIBAAJBAKj34"), std::string::npos);
}

}  // namespace
}  // namespace credvault
