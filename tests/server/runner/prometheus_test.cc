// The runner against real Prometheus (Debian's package): basic auth over plain HTTP, and TLS
// with a required client certificate. Each case goes through the whole runner: a job sealed
// to its key, opened, planned, executed, interpreted, signed, and verified as a client would.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "credvault/crypto.h"
#include "credvault/probe_json.h"
#include "credvault/probe_target_json.h"
#include "credvault/test_job.h"
#include "prometheus_fixture.h"
#include "runner/https_client.h"
#include "runner/runner.h"

namespace credvault::runner {
namespace {

using credvault::testing::PrometheusProcess;
using credvault::testing::ReadFileText;
using credvault::testing::TempDir;

constexpr const char* kUser = "admin";
constexpr const char* kPassword = "S3cret!";

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls /-/ready the way the runner dials, until 200 or the start timeout.
bool WaitReady(PrometheusProcess& prometheus, const std::string& url, const ProbeTls* tls,
               const std::string& authorization, const std::string& cert, const SecretBytes* key) {
  const auto deadline = std::chrono::steady_clock::now() + testing::kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline && prometheus.Alive()) {
    Exchange ex;
    ex.method = "GET";
    ex.url = url;
    ex.tls = tls;
    if (!authorization.empty()) ex.headers.emplace_back("Authorization", authorization);
    ex.client_certificate_pem = cert;
    ex.client_key_pem = key;
    ex.limits.connect_timeout = std::chrono::milliseconds(500);
    ex.limits.response_timeout = std::chrono::milliseconds(2000);
    ProbeObservation o = PerformExchange(ex);
    if (o.response && o.response->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class PrometheusRunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(InitCrypto().ok());
    dir_ = new TempDir();
    ASSERT_FALSE(dir_->path().empty());
    const auto& d = dir_->path();
    ASSERT_TRUE(testing::MakeTestPki(d)) << ReadFileText(d / "openssl.log");
    ca_pem_ = new std::string(ReadFileText(d / "ca.crt"));
    other_ca_pem_ = new std::string(ReadFileText(d / "other-ca.crt"));
    client_cert_pem_ = new std::string(ReadFileText(d / "client.crt"));
    client_key_pem_ = new std::string(ReadFileText(d / "client.key"));

    const std::string hash = testing::BcryptHash(kUser, kPassword);
    ASSERT_EQ(hash.substr(0, 4), "$2y$");
    basic_ = new PrometheusProcess();
    ASSERT_TRUE(basic_->Start(d, "basic",
                              "basic_auth_users:\n  " + std::string(kUser) + ": '" + hash + "'\n"));
    tls_ = new PrometheusProcess();
    ASSERT_TRUE(tls_->Start(d, "tls",
                            "tls_server_config:\n"
                            "  cert_file: " +
                                (d / "server.crt").string() +
                                "\n"
                                "  key_file: " +
                                (d / "server.key").string() +
                                "\n"
                                "  client_auth_type: RequireAndVerifyClientCert\n"
                                "  client_ca_file: " +
                                (d / "ca.crt").string() + "\n"));

    expired_ = new PrometheusProcess();
    ASSERT_TRUE(expired_->Start(d, "expired",
                                "tls_server_config:\n"
                                "  cert_file: " +
                                    (d / "expired.crt").string() +
                                    "\n"
                                    "  key_file: " +
                                    (d / "server.key").string() + "\n"));

    const std::string basic_header =
        "Basic " + Base64Encode(AsBytes(std::string(kUser) + ":" + kPassword));
    ASSERT_TRUE(WaitReady(*basic_, BasicUrl() + "/-/ready", nullptr, basic_header, "", nullptr))
        << basic_->Log();
    ProbeTls tls;
    tls.ca_pem = *ca_pem_;
    SecretBytes key = SecretBytes::CopyFrom(AsBytes(*client_key_pem_));
    ASSERT_TRUE(
        WaitReady(*tls_, TlsUrl("127.0.0.1") + "/-/ready", &tls, "", *client_cert_pem_, &key))
        << tls_->Log();
    ProbeTls skip;
    skip.insecure_skip_verify = true;
    ASSERT_TRUE(
        WaitReady(*expired_, TlsUrlOf(*expired_, "127.0.0.1") + "/-/ready", &skip, "", "", nullptr))
        << expired_->Log();
  }

  static void TearDownTestSuite() {
    delete basic_;  // stops the process
    delete tls_;
    delete expired_;
    delete ca_pem_;
    delete other_ca_pem_;
    delete client_cert_pem_;
    delete client_key_pem_;
    delete dir_;  // removes the PKI and the TSDBs
    basic_ = tls_ = expired_ = nullptr;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(basic_, nullptr);
    ASSERT_NE(tls_, nullptr);
    ASSERT_NE(expired_, nullptr);
    RunnerOptions options;
    options.key_dir = dir_->path() / ("runner-" + std::to_string(++runner_count_));
    options.limits.connect_timeout = std::chrono::milliseconds(3000);
    options.limits.response_timeout = std::chrono::milliseconds(5000);
    Result<std::unique_ptr<Runner>> runner = Runner::New(std::move(options));
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    runner_ = std::move(runner).value();
  }

  static std::string BasicUrl() { return "http://127.0.0.1:" + std::to_string(basic_->port()); }
  static std::string TlsUrlOf(const PrometheusProcess& p, const std::string& host) {
    return "https://" + host + ":" + std::to_string(p.port());
  }
  static std::string TlsUrl(const std::string& host) { return TlsUrlOf(*tls_, host); }

  static ProbeJobSpec BasicSpec(const std::string& password) {
    ProbeJobSpec spec;
    spec.target.kind = ProbeKind::kPrometheus;
    spec.target.endpoint = BasicUrl();
    spec.target.auth.kind = ProbeAuthKind::kBasic;
    spec.target.auth.username = kUser;
    spec.target.auth.password = SecretBytes::CopyFrom(AsBytes(password));
    return spec;
  }

  static ProbeJobSpec TlsSpec(bool with_client_certificate) {
    ProbeJobSpec spec;
    spec.target.kind = ProbeKind::kPrometheus;
    spec.target.endpoint = TlsUrl("127.0.0.1");
    spec.target.tls.ca_pem = *ca_pem_;
    if (with_client_certificate) {
      spec.target.auth.kind = ProbeAuthKind::kClientCertificate;
      spec.target.auth.client_certificate_pem = *client_cert_pem_;
      spec.target.auth.client_key_pem = SecretBytes::CopyFrom(AsBytes(*client_key_pem_));
    }
    return spec;
  }

  // Seals `spec` to the runner, runs it, and verifies the signed result as a client would.
  ProbeResult Run(const ProbeJobSpec& spec, nlohmann::json* payload = nullptr) {
    TestJobHeader header;
    header.job_id = "job-" + std::to_string(++job_count_);
    header.workspace_id = "ws-1";
    header.connection_id = "conn-1";
    header.runner_id = runner_->identity().id();
    header.issued_at = Now();
    header.expires_at = header.issued_at + 30;
    SecretBytes body = ProbeJobSpecToJsonText(spec);
    Result<Bytes> sealed = SealTestJob(runner_->identity().box_public_key(), header, body.chars());
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    if (!sealed.ok()) return ProbeResult{};
    Result<SignedTestResult> signed_result = runner_->RunJob(*sealed, Now());
    EXPECT_TRUE(signed_result.ok()) << signed_result.status().ToString();
    if (!signed_result.ok()) return ProbeResult{};
    Result<nlohmann::json> verified = VerifyTestResult(
        runner_->identity().sign_public_key(), *signed_result, header.job_id, header.connection_id);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    if (!verified.ok()) return ProbeResult{};
    if (payload != nullptr) *payload = *verified;
    Result<ProbeResult> result = ProbeResultFromJson(*verified);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? std::move(result).value() : ProbeResult{};
  }

  static bool HasRemediation(const ProbeResult& r, RemediationAction action) {
    const Remediation wanted = MakeRemediation(action);
    for (const Remediation& x : r.remediations) {
      if (x == wanted) return true;
    }
    return false;
  }

  static inline TempDir* dir_ = nullptr;
  static inline PrometheusProcess* basic_ = nullptr;
  static inline PrometheusProcess* tls_ = nullptr;
  static inline PrometheusProcess* expired_ = nullptr;  // TLS with a certificate expired in 2020
  static inline std::string* ca_pem_ = nullptr;
  static inline std::string* other_ca_pem_ = nullptr;
  static inline std::string* client_cert_pem_ = nullptr;
  static inline std::string* client_key_pem_ = nullptr;
  static inline int runner_count_ = 0;
  static inline int job_count_ = 0;
  std::unique_ptr<Runner> runner_;
};

TEST_F(PrometheusRunnerTest, RightBasicCredentialIsOkWithVersionAndPlaintextWarning) {
  nlohmann::json payload;
  ProbeResult r = Run(BasicSpec(kPassword), &payload);
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk) << r.message;
  EXPECT_TRUE(r.credential_verified);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.server_version.rfind("2.42.0", 0), 0u) << r.server_version;  // Debian: +ds
  // Plain http: the password crossed the network unencrypted, and the result says so.
  EXPECT_TRUE(r.credential_in_clear);
  EXPECT_TRUE(HasRemediation(r, RemediationAction::kUseHttps));
  EXPECT_TRUE(payload.contains(kResultLatencyMs));
  EXPECT_EQ(payload.value(kResultRunnerId, ""), runner_->identity().id());
}

TEST_F(PrometheusRunnerTest, WrongPasswordIsUnauthorizedWithRemediation) {
  ProbeResult r = Run(BasicSpec("wrong-password"));
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnauthorized) << r.message;
  EXPECT_EQ(r.http_status, 401);
  EXPECT_FALSE(r.credential_verified);
  EXPECT_FALSE(r.remediations.empty());
  EXPECT_TRUE(HasRemediation(r, RemediationAction::kEditCredential) ||
              HasRemediation(r, RemediationAction::kRotateToken))
      << r.message;
  EXPECT_EQ(r.body_excerpt.find("wrong-password"), std::string::npos);
}

TEST_F(PrometheusRunnerTest, TlsWithClientCertificateIsOk) {
  ProbeResult r = Run(TlsSpec(true));
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk) << r.message;
  EXPECT_TRUE(r.credential_verified);
  EXPECT_FALSE(r.credential_in_clear);
  EXPECT_EQ(r.server_version.rfind("2.42.0", 0), 0u) << r.server_version;  // Debian: +ds
}

TEST_F(PrometheusRunnerTest, TlsWithoutClientCertificateIsClientCertRefused) {
  ProbeResult r = Run(TlsSpec(false));
  EXPECT_EQ(r.outcome, ProbeOutcome::kTlsClientCertRefused) << r.message;
  EXPECT_EQ(r.transport_error, TransportError::kTlsClientCertificateRefused);
  EXPECT_TRUE(HasRemediation(r, RemediationAction::kUploadClientCertificate)) << r.message;
}

TEST_F(PrometheusRunnerTest, WrongCaIsUntrusted) {
  ProbeJobSpec spec = TlsSpec(true);
  spec.target.tls.ca_pem = *other_ca_pem_;
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kTlsUntrusted) << r.message;
  EXPECT_EQ(r.transport_error, TransportError::kTlsUntrustedCa);
  EXPECT_TRUE(HasRemediation(r, RemediationAction::kUploadCa));
}

TEST_F(PrometheusRunnerTest, SystemStoreDoesNotTrustAPrivateCa) {
  ProbeJobSpec spec = TlsSpec(true);
  spec.target.tls.ca_pem.clear();
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kTlsUntrusted) << r.message;
}

TEST_F(PrometheusRunnerTest, ServerNameOverrideNotInSanIsHostnameMismatch) {
  ProbeJobSpec spec = TlsSpec(true);
  spec.target.tls.server_name = "prometheus.example.org";
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kTlsHostnameMismatch) << r.message;
  EXPECT_EQ(r.transport_error, TransportError::kTlsHostnameMismatch);
}

TEST_F(PrometheusRunnerTest, ServerNameOverrideInSanIsOk) {
  ProbeJobSpec spec = TlsSpec(true);
  spec.target.tls.server_name = "localhost";
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk) << r.message;
}

TEST_F(PrometheusRunnerTest, NameResolvedToLoopbackIsVerifiedAgainstDnsSan) {
  ProbeJobSpec spec = TlsSpec(true);
  spec.target.endpoint = TlsUrl("localhost");
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk) << r.message;
}

TEST_F(PrometheusRunnerTest, ExpiredServerCertificateIsTlsExpiredNotUntrusted) {
  ProbeJobSpec spec = TlsSpec(false);
  spec.target.endpoint = TlsUrlOf(*expired_, "127.0.0.1");
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kTlsExpired) << r.message;
  EXPECT_EQ(r.transport_error, TransportError::kTlsCertificateExpired);
  EXPECT_TRUE(HasRemediation(r, RemediationAction::kRenewServerCertificate)) << r.message;
}

TEST_F(PrometheusRunnerTest, SkipVerifyAcceptsAnUntrustedServerAndSaysSo) {
  ProbeJobSpec spec = TlsSpec(true);
  spec.target.tls.ca_pem.clear();
  spec.target.tls.insecure_skip_verify = true;
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kOk) << r.message;
  EXPECT_TRUE(r.tls_verification_skipped);
}

TEST_F(PrometheusRunnerTest, PlainHttpToTheTlsPortIsNotOk) {
  ProbeJobSpec spec = BasicSpec(kPassword);
  spec.target.endpoint = "http://127.0.0.1:" + std::to_string(tls_->port());
  ProbeResult r = Run(spec);
  EXPECT_NE(r.outcome, ProbeOutcome::kOk) << r.message;
}

TEST_F(PrometheusRunnerTest, ClosedPortIsUnreachable) {
  ProbeJobSpec spec = BasicSpec(kPassword);
  spec.target.endpoint = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  ProbeResult r = Run(spec);
  EXPECT_EQ(r.outcome, ProbeOutcome::kUnreachable) << r.message;
  EXPECT_EQ(r.transport_error, TransportError::kConnectionRefused);
}

}  // namespace
}  // namespace credvault::runner
