#include <gtest/gtest.h>

#include "credvault/test_job.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using nlohmann::json;
using testing::CryptoTest;

class TestJobTest : public CryptoTest {
 protected:
  std::unique_ptr<Identity> runner_ = Identity::Generate("runner-1");
  TestJobHeader header_{"job-1", "ws-1", "conn-1", "runner-1", 1000, 1030};
  std::string body_ = R"({"kind":"prometheus","secret":{"password":"hunter2"}})";
};

TEST_F(TestJobTest, SealOpenSignVerify) {
  auto sealed = SealTestJob(runner_->box_public_key(), header_, body_);
  ASSERT_TRUE(sealed.ok());
  ReplayGuard guard;
  auto job = OpenTestJob(*runner_, *sealed, 1010, &guard);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->header.connection_id, "conn-1");
  EXPECT_EQ(json::parse(job->body_json.chars())["secret"]["password"], "hunter2");

  SignedTestResult result = SignTestResult(*runner_, job->header, {{"outcome", "ok"}});
  auto verified = VerifyTestResult(runner_->sign_public_key(), result, "job-1", "conn-1");
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ((*verified)["outcome"], "ok");
  EXPECT_EQ((*verified)["runner_id"], "runner-1");
}

TEST_F(TestJobTest, ExpiredReplayedTamperedAndMisaddressed) {
  auto sealed = SealTestJob(runner_->box_public_key(), header_, body_);
  ASSERT_TRUE(sealed.ok());
  ReplayGuard guard;
  EXPECT_EQ(OpenTestJob(*runner_, *sealed, 1031, &guard).code(), ErrorCode::kExpired);
  ASSERT_TRUE(OpenTestJob(*runner_, *sealed, 1001, &guard).ok());
  EXPECT_EQ(OpenTestJob(*runner_, *sealed, 1002, &guard).code(), ErrorCode::kReplayed);
  // Once the job has expired, expiry alone refuses it and the guard may forget it.
  EXPECT_EQ(OpenTestJob(*runner_, *sealed, 2000, &guard).code(), ErrorCode::kExpired);
  EXPECT_FALSE(guard.SeenBefore("job-2", 2030, 2000));
  EXPECT_EQ(guard.size(), 1u);

  Bytes tampered = *sealed;
  tampered[tampered.size() / 2] ^= 0x40;
  EXPECT_EQ(OpenTestJob(*runner_, tampered, 1001, &guard).code(), ErrorCode::kDecryptFailed);
  EXPECT_EQ(OpenTestJob(*runner_, Bytes(10, 0), 1001, &guard).code(), ErrorCode::kMalformed);

  auto other = Identity::Generate("runner-2");
  EXPECT_EQ(OpenTestJob(*other, *sealed, 1001, &guard).code(), ErrorCode::kDecryptFailed);
  auto misaddressed = SealTestJob(other->box_public_key(), header_, body_);
  ASSERT_TRUE(misaddressed.ok());
  EXPECT_EQ(OpenTestJob(*other, *misaddressed, 1001, &guard).code(), ErrorCode::kWrongRecipient);
}

TEST_F(TestJobTest, LifetimeOverSixtySecondsIsRefused) {
  TestJobHeader h = header_;
  h.expires_at = h.issued_at + 61;
  EXPECT_EQ(SealTestJob(runner_->box_public_key(), h, body_).code(), ErrorCode::kInvalidArgument);
  h.expires_at = h.issued_at;
  EXPECT_EQ(SealTestJob(runner_->box_public_key(), h, body_).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SealTestJob(runner_->box_public_key(), header_, "[1]").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(SealTestJob(runner_->box_public_key(), header_, "{nope").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(SealTestJob(Bytes(5, 0), header_, body_).code(), ErrorCode::kMalformed);
}

TEST_F(TestJobTest, ResultFromAnotherRunnerOrForAnotherJob) {
  SignedTestResult result = SignTestResult(*runner_, header_, {{"outcome", "ok"}});
  auto other = Identity::Generate("runner-2");
  EXPECT_EQ(VerifyTestResult(other->sign_public_key(), result, "job-1", "conn-1").code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyTestResult(runner_->sign_public_key(), result, "job-2", "conn-1").code(),
            ErrorCode::kWrongRecipient);
  EXPECT_EQ(VerifyTestResult(runner_->sign_public_key(), result, "job-1", "conn-2").code(),
            ErrorCode::kWrongRecipient);
  SignedTestResult edited = result;
  edited.payload.replace(edited.payload.find("\"ok\""), 4, "\"no\"");
  EXPECT_EQ(VerifyTestResult(runner_->sign_public_key(), edited, "job-1", "conn-1").code(),
            ErrorCode::kBadSignature);
  SignedTestResult forged = SignTestResult(*other, header_, {{"outcome", "ok"}});
  EXPECT_EQ(VerifyTestResult(runner_->sign_public_key(), forged, "job-1", "conn-1").code(),
            ErrorCode::kBadSignature);
}

}  // namespace
}  // namespace credvault
