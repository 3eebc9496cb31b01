// Helpers for the probe tests: targets with secrets, responses, and walking a plan the way a
// runner does.
#ifndef CREDVAULT_TESTS_PROBE_PROBE_TEST_UTIL_H_
#define CREDVAULT_TESTS_PROBE_PROBE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/probe.h"
#include "credvault/probe_outcome.h"

namespace credvault::testing {

class ProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

inline SecretBytes Secret(std::string_view s) { return SecretBytes::CopyFrom(AsBytes(s)); }

inline ProbeTarget BearerTarget(ProbeKind kind, std::string endpoint, std::string_view token) {
  ProbeTarget t;
  t.kind = kind;
  t.endpoint = std::move(endpoint);
  t.auth.kind = ProbeAuthKind::kBearer;
  t.auth.token = Secret(token);
  return t;
}

inline ProbeTarget BasicTarget(ProbeKind kind, std::string endpoint, std::string user,
                               std::string_view password) {
  ProbeTarget t;
  t.kind = kind;
  t.endpoint = std::move(endpoint);
  t.auth.kind = ProbeAuthKind::kBasic;
  t.auth.username = std::move(user);
  t.auth.password = Secret(password);
  return t;
}

inline constexpr std::string_view kFakePrivateKey =
    "-----BEGIN RSA PRIVATE "
    "KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu"
    "\n-----END RSA PRIVATE KEY-----\n";

inline ProbeTarget GithubAppTarget(std::string endpoint = "") {
  ProbeTarget t;
  t.kind = ProbeKind::kGithub;
  t.endpoint = std::move(endpoint);
  t.auth.kind = ProbeAuthKind::kGithubApp;
  t.auth.app_id = "123456";
  t.auth.installation_id = "7890";
  t.auth.app_private_key_pem = Secret(kFakePrivateKey);
  return t;
}

inline ProbeResponse Response(int status, std::string body = "",
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
  ProbeResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

inline ProbeObservation Saw(ProbeResponse response) {
  ProbeObservation o;
  o.ran = true;
  o.response = std::move(response);
  return o;
}

inline ProbeObservation Failed(TransportError error) {
  ProbeObservation o;
  o.ran = true;
  o.transport_error = error;
  return o;
}

// Walks `plan` as a runner does: NextProbeStep picks the step, skipped steps are recorded as
// not run, and `answer(step_index)` supplies what the step saw.
template <typename Answer>
std::vector<ProbeObservation> Walk(const ProbePlan& plan, Answer answer) {
  std::vector<ProbeObservation> observed;
  while (auto next = NextProbeStep(plan, observed)) {
    observed.resize(*next);
    observed.push_back(answer(*next));
  }
  return observed;
}

inline const ProbeHeader* Header(const ProbeStep& step, std::string_view name) {
  for (const ProbeHeader& h : step.headers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

inline bool HasRemediation(const ProbeResult& r, std::string_view code) {
  for (const Remediation& rem : r.remediations) {
    if (rem.code == code) return true;
  }
  return false;
}

}  // namespace credvault::testing

#endif  // CREDVAULT_TESTS_PROBE_PROBE_TEST_UTIL_H_
