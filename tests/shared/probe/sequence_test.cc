#include <gtest/gtest.h>

#include "credvault/probe.h"
#include "credvault/probe_outcome.h"
#include "shared/probe/probe_test_util.h"

namespace credvault {
namespace {

using testing::BearerTarget;
using testing::Failed;
using testing::GithubAppTarget;
using testing::Response;
using testing::Saw;
using testing::Walk;

constexpr int64_t kNow = 1700000000;

class ProbeSequenceTest : public testing::ProbeTest {};

ProbePlan KubePlan() {
  auto plan = PlanProbe(BearerTarget(ProbeKind::kKubernetes, "https://k8s:6443", "t"), kNow);
  EXPECT_TRUE(plan.ok());
  return std::move(plan).value();
}

TEST_F(ProbeSequenceTest, KubernetesSkipsFallbackWhenReviewWorks) {
  ProbePlan plan = KubePlan();
  std::vector<size_t> ran;
  auto observed = Walk(plan, [&](size_t i) {
    ran.push_back(i);
    return Saw(Response(i == 0 ? 200 : 201));
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(observed.size(), 2u);
}

TEST_F(ProbeSequenceTest, KubernetesFallsBackOnNotFound) {
  ProbePlan plan = KubePlan();
  std::vector<size_t> ran;
  Walk(plan, [&](size_t i) {
    ran.push_back(i);
    return Saw(Response(i == 1 ? 404 : (i == 0 ? 200 : 201)));
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1, 2}));
}

// Before 1.26 (and under custom RBAC) a valid non-admin user is refused the SelfSubjectReview
// with a 403 naming that user: the older access review decides.
TEST_F(ProbeSequenceTest, KubernetesFallsBackOnForbiddenNamedUser) {
  ProbePlan plan = KubePlan();
  std::vector<size_t> ran;
  Walk(plan, [&](size_t i) {
    ran.push_back(i);
    if (i == 1) {
      return Saw(Response(
          403, R"({"message":"selfsubjectreviews.authentication.k8s.io is forbidden: User )"
               R"(\"alice\" cannot create resource \"selfsubjectreviews\""})"));
    }
    return Saw(Response(i == 0 ? 200 : 201));
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1, 2}));
}

// An anonymous 403 means the credential never arrived: no fallback, the probe stops.
TEST_F(ProbeSequenceTest, KubernetesAnonymousForbiddenDoesNotFallBack) {
  ProbePlan plan = KubePlan();
  std::vector<size_t> ran;
  Walk(plan, [&](size_t i) {
    ran.push_back(i);
    if (i == 1) {
      return Saw(Response(403, R"({"message":"forbidden: User \"system:anonymous\" cannot )"
                               R"(create resource \"selfsubjectreviews\""})"));
    }
    return Saw(Response(i == 0 ? 200 : 201));
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1}));
}

// The 403 fallback is a Kubernetes rule: the same steps under another kind stop at a 403.
TEST_F(ProbeSequenceTest, OtherKindsStopAtForbidden) {
  ProbePlan plan = KubePlan();
  plan.kind = ProbeKind::kHttp;
  std::vector<size_t> ran;
  Walk(plan, [&](size_t i) {
    ran.push_back(i);
    return Saw(Response(i == 0 ? 200 : 403, R"({"message":"forbidden"})"));
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1}));
}

TEST_F(ProbeSequenceTest, StopsAfterFailedAuthentication) {
  ProbePlan plan = KubePlan();
  std::vector<size_t> ran;
  Walk(plan, [&](size_t i) {
    ran.push_back(i);
    return Saw(Response(i == 0 ? 200 : 401));
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1}));
}

TEST_F(ProbeSequenceTest, FailedVersionStepDoesNotStop) {
  ProbePlan plan = KubePlan();
  std::vector<size_t> ran;
  Walk(plan, [&](size_t i) {
    ran.push_back(i);
    return i == 0 ? Failed(TransportError::kTimeout) : Saw(Response(201));
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1}));
}

TEST_F(ProbeSequenceTest, GithubAppStopsWhenSigningFails) {
  auto plan = PlanProbe(GithubAppTarget(), kNow);
  ASSERT_TRUE(plan.ok());
  std::vector<size_t> ran;
  Walk(*plan, [&](size_t i) {
    ran.push_back(i);
    return Failed(TransportError::kSigningFailed);
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0}));

  ran.clear();
  Walk(*plan, [&](size_t i) {
    ran.push_back(i);
    ProbeObservation o;
    o.ran = true;  // a signing step succeeds with neither response nor error
    if (i == 1) return Saw(Response(401));
    return o;
  });
  EXPECT_EQ(ran, (std::vector<size_t>{0, 1}));
}

TEST_F(ProbeSequenceTest, ExtractStepOutput) {
  auto plan = PlanProbe(GithubAppTarget(), kNow);
  ASSERT_TRUE(plan.ok());
  const ProbeStep& exchange = plan->steps[1];
  auto token = ExtractStepOutput(
      exchange, R"({"token":"ghs_16C7e42F292c6912E7710c838347Ae178B4a","expires_at":"x"})");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->chars(), "ghs_16C7e42F292c6912E7710c838347Ae178B4a");

  EXPECT_EQ(ExtractStepOutput(exchange, "not json").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ExtractStepOutput(exchange, "[1]").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ExtractStepOutput(exchange, R"({"token":5})").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ExtractStepOutput(exchange, R"({"token":""})").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ExtractStepOutput(exchange, R"({"other":"x"})").code(), ErrorCode::kMalformed);
  EXPECT_EQ(ExtractStepOutput(plan->steps[2], R"({"token":"x"})").code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace credvault
