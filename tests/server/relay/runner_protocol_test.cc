// The standalone runner's wire protocol (relay/runner_protocol.h), its pending-job table
// (relay/pending_jobs.h) and its command line (remote_runner/runner_config.h).
#include "relay/runner_protocol.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "credvault/crypto.h"
#include "credvault/identity.h"
#include "relay/pending_jobs.h"
#include "remote_runner/runner_config.h"

namespace credvault::server {
namespace {

using nlohmann::json;
using relay::FrameType;

class RunnerProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    runner_ = Identity::Generate(NewObjectId());
    challenge_ = RandomBytes(relay::kHelloChallengeBytes);
  }
  std::unique_ptr<Identity> runner_;
  Bytes challenge_;
};

TEST_F(RunnerProtocol, HelloSignedByTheRunnerVerifies) {
  const relay::RunnerHello hello = relay::MakeRunnerHello(*runner_, challenge_);
  EXPECT_EQ(hello.runner_id, runner_->id());
  EXPECT_EQ(hello.sign_public_key, runner_->sign_public_key());
  EXPECT_EQ(hello.box_public_key, runner_->box_public_key());
  EXPECT_TRUE(relay::VerifyRunnerHello(hello, challenge_).ok());
}

TEST_F(RunnerProtocol, HelloMessageIsDomainSeparated) {
  const Bytes message = relay::RunnerHelloMessage(challenge_, "abc");
  const std::string prefix(message.begin(), message.begin() + 26);
  EXPECT_EQ(prefix, std::string("credvault/v1/runner-hello\0", 26));
  EXPECT_EQ(message.size(), 26u + 32u + 3u);
  EXPECT_EQ(Bytes(message.begin() + 26, message.begin() + 58), challenge_);
}

TEST_F(RunnerProtocol, HelloForAnotherChallengeIsRefused) {
  const relay::RunnerHello hello = relay::MakeRunnerHello(*runner_, challenge_);
  EXPECT_EQ(relay::VerifyRunnerHello(hello, RandomBytes(32)).code(), ErrorCode::kBadSignature);
}

TEST_F(RunnerProtocol, HelloWithAnotherKeyOrIdIsRefused) {
  relay::RunnerHello hello = relay::MakeRunnerHello(*runner_, challenge_);
  const std::unique_ptr<Identity> other = Identity::Generate(runner_->id());
  relay::RunnerHello swapped = hello;
  swapped.sign_public_key = other->sign_public_key();
  EXPECT_EQ(relay::VerifyRunnerHello(swapped, challenge_).code(), ErrorCode::kBadSignature);

  relay::RunnerHello renamed = hello;
  renamed.runner_id = NewObjectId();
  EXPECT_EQ(relay::VerifyRunnerHello(renamed, challenge_).code(), ErrorCode::kBadSignature);

  // A signature over anything else by the right key (say, a test result) is no hello.
  relay::RunnerHello replayed = hello;
  replayed.signature = runner_->Sign(challenge_);
  EXPECT_EQ(relay::VerifyRunnerHello(replayed, challenge_).code(), ErrorCode::kBadSignature);
}

TEST_F(RunnerProtocol, HelloOfTheWrongShapeIsMalformed) {
  const relay::RunnerHello good = relay::MakeRunnerHello(*runner_, challenge_);
  relay::RunnerHello bad_id = good;
  bad_id.runner_id = "not an id";
  EXPECT_EQ(relay::VerifyRunnerHello(bad_id, challenge_).code(), ErrorCode::kMalformed);
  relay::RunnerHello short_key = good;
  short_key.sign_public_key.pop_back();
  EXPECT_EQ(relay::VerifyRunnerHello(short_key, challenge_).code(), ErrorCode::kMalformed);
  relay::RunnerHello short_signature = good;
  short_signature.signature.pop_back();
  EXPECT_EQ(relay::VerifyRunnerHello(short_signature, challenge_).code(), ErrorCode::kMalformed);
  EXPECT_EQ(relay::VerifyRunnerHello(good, Bytes(16, 1)).code(), ErrorCode::kInvalidArgument);
}

TEST_F(RunnerProtocol, FramesRoundTrip) {
  Result<relay::RunnerFrame> challenge =
      relay::ParseServerFrame(relay::EncodeChallenge(challenge_));
  ASSERT_TRUE(challenge.ok()) << challenge.status().ToString();
  EXPECT_EQ(challenge->type, FrameType::kChallenge);
  EXPECT_EQ(challenge->challenge, challenge_);

  Result<relay::RunnerFrame> ready = relay::ParseServerFrame(relay::EncodeReady());
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->type, FrameType::kReady);

  const Bytes job = RandomBytes(300);
  Result<relay::RunnerFrame> job_frame = relay::ParseServerFrame(relay::EncodeJob(7, job));
  ASSERT_TRUE(job_frame.ok());
  EXPECT_EQ(job_frame->type, FrameType::kJob);
  EXPECT_EQ(job_frame->request_id, 7u);
  EXPECT_EQ(job_frame->job, job);

  const relay::RunnerHello hello = relay::MakeRunnerHello(*runner_, challenge_);
  Result<relay::RunnerFrame> hello_frame = relay::ParseRunnerFrame(relay::EncodeHello(hello));
  ASSERT_TRUE(hello_frame.ok()) << hello_frame.status().ToString();
  EXPECT_EQ(hello_frame->type, FrameType::kHello);
  EXPECT_TRUE(relay::VerifyRunnerHello(hello_frame->hello, challenge_).ok());

  SignedTestResult result{"{\"job_id\":\"j\"}", Bytes(64, 9)};
  Result<relay::RunnerFrame> result_frame = relay::ParseRunnerFrame(relay::EncodeResult(9, result));
  ASSERT_TRUE(result_frame.ok()) << result_frame.status().ToString();
  EXPECT_EQ(result_frame->type, FrameType::kResult);
  EXPECT_EQ(result_frame->request_id, 9u);
  EXPECT_EQ(result_frame->result.payload, result.payload);
  EXPECT_EQ(result_frame->result.signature, result.signature);

  Result<relay::RunnerFrame> error_frame =
      relay::ParseRunnerFrame(relay::EncodeError(11, Status(ErrorCode::kReplayed, "seen before")));
  ASSERT_TRUE(error_frame.ok());
  EXPECT_EQ(error_frame->type, FrameType::kError);
  EXPECT_EQ(error_frame->request_id, 11u);
  EXPECT_EQ(error_frame->error.code(), ErrorCode::kReplayed);
  EXPECT_EQ(error_frame->error.message(), "seen before");
}

TEST(RunnerFrames, BadFramesFromARunnerHaveStableCodes) {
  const std::string key(43, 'A');        // 32 zero bytes, base64url
  const std::string signature(86, 'A');  // 64 zero bytes
  const std::string hello_keys = "\"box_public_key\":\"" + key + "\",\"sign_public_key\":\"" + key +
                                 "\",\"signature\":\"" + signature + "\"";
  const std::vector<std::pair<std::string, ErrorCode>> cases = {
      {"", ErrorCode::kParseError},
      {"{", ErrorCode::kParseError},
      {"[1,2]", ErrorCode::kMalformed},
      {"\"hello\"", ErrorCode::kMalformed},
      {"{}", ErrorCode::kMalformed},
      {R"({"type":7})", ErrorCode::kMalformed},
      {R"({"type":"dance"})", ErrorCode::kMalformed},
      // Frames only the server sends.
      {R"({"type":"ready"})", ErrorCode::kMalformed},
      {R"({"type":"job","request_id":1,"job":"AAAA"})", ErrorCode::kMalformed},
      {R"({"type":"challenge","protocol":"credvault-runner/1","challenge":"AA"})",
       ErrorCode::kMalformed},
      // Hello.
      {"{\"type\":\"hello\"," + hello_keys + "}", ErrorCode::kMalformed},  // no runner_id
      {"{\"type\":\"hello\",\"runner_id\":5," + hello_keys + "}", ErrorCode::kMalformed},
      {R"({"type":"hello","runner_id":"r","box_public_key":"AAAA","sign_public_key":")" + key +
           R"(","signature":")" + signature + "\"}",
       ErrorCode::kMalformed},
      {R"({"type":"hello","runner_id":"r","box_public_key":")" + key +
           R"(","sign_public_key":"not base64!","signature":")" + signature + "\"}",
       ErrorCode::kMalformed},
      // Result and error.
      {R"({"type":"result","result":{"payload":"{}","signature":")" + signature + "\"}}",
       ErrorCode::kMalformed},
      {R"({"type":"result","request_id":-1,"result":{"payload":"{}","signature":")" + signature +
           "\"}}",
       ErrorCode::kMalformed},
      {R"({"type":"result","request_id":1.5,"result":{"payload":"{}","signature":")" + signature +
           "\"}}",
       ErrorCode::kMalformed},
      {R"({"type":"result","request_id":9007199254740992,"result":{"payload":"{}",)"
       R"("signature":")" +
           signature + "\"}}",
       ErrorCode::kMalformed},
      {R"({"type":"result","request_id":"1","result":{}})", ErrorCode::kMalformed},
      {R"({"type":"result","request_id":1})", ErrorCode::kMalformed},
      {R"({"type":"result","request_id":1,"result":"x"})", ErrorCode::kMalformed},
      {R"({"type":"result","request_id":1,"result":{"payload":"{}","signature":"AAAA"}})",
       ErrorCode::kMalformed},
      {R"({"type":"error","request_id":1})", ErrorCode::kMalformed},
      {R"({"type":"error","request_id":1,"code":"no_such_code"})", ErrorCode::kMalformed},
      {R"({"type":"error","request_id":1,"code":"ok"})", ErrorCode::kMalformed},
      {R"({"type":"error","request_id":1,"code":"expired","message":3})", ErrorCode::kMalformed},
  };
  for (const auto& [text, code] : cases) {
    const Result<relay::RunnerFrame> frame = relay::ParseRunnerFrame(text);
    EXPECT_EQ(frame.code(), code) << text << " -> " << frame.status().ToString();
  }
}

TEST(RunnerFrames, BadFramesFromAServerHaveStableCodes) {
  const std::string challenge(43, 'A');
  const std::vector<std::pair<std::string, ErrorCode>> cases = {
      {"nope", ErrorCode::kParseError},
      {"{}", ErrorCode::kMalformed},
      {R"({"type":"hello"})", ErrorCode::kMalformed},
      {R"({"type":"result","request_id":1})", ErrorCode::kMalformed},
      {R"({"type":"challenge","challenge":")" + challenge + "\"}", ErrorCode::kMalformed},
      {R"({"type":"challenge","protocol":"credvault-runner/2","challenge":")" + challenge + "\"}",
       ErrorCode::kMalformed},
      {R"({"type":"challenge","protocol":"credvault-runner/1","challenge":"AAAA"})",
       ErrorCode::kMalformed},
      {R"({"type":"job","request_id":1})", ErrorCode::kMalformed},
      {R"({"type":"job","request_id":1,"job":""})", ErrorCode::kMalformed},
      {R"({"type":"job","request_id":1,"job":"@@@"})", ErrorCode::kMalformed},
      {R"({"type":"job","job":"AAAA"})", ErrorCode::kMalformed},
  };
  for (const auto& [text, code] : cases) {
    const Result<relay::RunnerFrame> frame = relay::ParseServerFrame(text);
    EXPECT_EQ(frame.code(), code) << text << " -> " << frame.status().ToString();
  }
}

TEST(RunnerFrames, ErrorMessageIsCutOnACharacterBoundary) {
  std::string message(relay::kMaxRunnerErrorMessageBytes - 1, 'a');
  message += "\xC3\xA9\xC3\xA9";  // "éé": the cut falls inside the first one
  const std::string text =
      json{{"type", "error"}, {"request_id", 1}, {"code", "expired"}, {"message", message}}.dump();
  const Result<relay::RunnerFrame> frame = relay::ParseRunnerFrame(text);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  EXPECT_EQ(frame->error.message(), std::string(relay::kMaxRunnerErrorMessageBytes - 1, 'a'));
  // Still valid UTF-8 when relayed inside JSON.
  const json relayed = {{"m", frame->error.message()}};
  EXPECT_NO_THROW((void)relayed.dump());
}

TEST(RunnerFrames, RunnerErrorsMapToWhatTheRelayMayAnswer) {
  for (const ErrorCode code : {ErrorCode::kExpired, ErrorCode::kReplayed, ErrorCode::kDecryptFailed,
                               ErrorCode::kWrongRecipient, ErrorCode::kMalformed,
                               ErrorCode::kParseError, ErrorCode::kUnavailable}) {
    EXPECT_EQ(relay::RelayStatusOfRunnerError(Status(code, "m")).code(), code);
  }
  EXPECT_EQ(relay::RelayStatusOfRunnerError(Status(ErrorCode::kConflict, "busy")).code(),
            ErrorCode::kUnavailable);
  // A runner cannot make the server answer 403 or 401.
  const Status denied = relay::RelayStatusOfRunnerError(Status(ErrorCode::kPermissionDenied, "no"));
  EXPECT_EQ(denied.code(), ErrorCode::kUnavailable);
  EXPECT_NE(denied.message().find("permission_denied"), std::string::npos);
}

TEST(PendingJobs, EachJobEndsOnce) {
  using Clock = std::chrono::steady_clock;
  relay::PendingJobs jobs(2);
  const Clock::time_point now = Clock::now();
  int first_calls = 0;
  const uint64_t first = jobs.Add([&](Result<SignedTestResult>) { ++first_calls; }, now);
  const uint64_t second = jobs.Add([](Result<SignedTestResult>) {}, now + std::chrono::seconds(45));
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 2u);
  EXPECT_TRUE(jobs.full());

  std::vector<relay::RelayDone> expired = jobs.TakeExpired(now);
  ASSERT_EQ(expired.size(), 1u);
  expired[0](Status(ErrorCode::kUnavailable, "late"));
  EXPECT_EQ(first_calls, 1);
  EXPECT_FALSE(jobs.full());
  // The late answer finds nothing.
  EXPECT_EQ(jobs.Take(first), nullptr);
  EXPECT_EQ(jobs.Take(99), nullptr);

  EXPECT_NE(jobs.Take(second), nullptr);
  EXPECT_EQ(jobs.Take(second), nullptr);
  EXPECT_EQ(jobs.size(), 0u);

  jobs.Add([](Result<SignedTestResult>) {}, now);
  jobs.Add([](Result<SignedTestResult>) {}, now);
  EXPECT_EQ(jobs.TakeAll().size(), 2u);
  EXPECT_EQ(jobs.size(), 0u);
  // Ids are never reused on a socket.
  EXPECT_EQ(jobs.Add([](Result<SignedTestResult>) {}, now), 5u);
}

using remote_runner::ParseRunnerConfig;
using remote_runner::ParseServerUrl;

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RemoteRunnerConfig, ServerUrls) {
  Result<remote_runner::ServerUrl> plain = ParseServerUrl("ws://127.0.0.1:8080");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, "8080");
  EXPECT_EQ(plain->target, "/api/v1/runners/connect");
  EXPECT_EQ(plain->HostHeader(), "127.0.0.1:8080");

  Result<remote_runner::ServerUrl> https = ParseServerUrl("https://vault.example.com/cv/");
  ASSERT_TRUE(https.ok());
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->port, "443");
  EXPECT_EQ(https->target, "/cv/api/v1/runners/connect");
  EXPECT_EQ(https->HostHeader(), "vault.example.com");

  Result<remote_runner::ServerUrl> v6 = ParseServerUrl("wss://[::1]:8443");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->HostHeader(), "[::1]:8443");
  EXPECT_EQ(ParseServerUrl("http://h")->port, "80");

  for (const char* bad :
       {"127.0.0.1:8080", "ftp://h", "ws://", "ws://:80", "ws://h:0", "ws://h:65536", "ws://h:8x",
        "ws://user:pw@h", "ws://[::1", "ws://h/?q=1", "ws://[]:80"}) {
    EXPECT_EQ(ParseServerUrl(bad).code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(RemoteRunnerConfig, FlagsBeatEnvironment) {
  Result<remote_runner::RunnerConfig> config = ParseRunnerConfig(
      {"--server=ws://flag:1", "--jobs", "3"}, Env({{"CREDVAULT_RUNNER_SERVER", "ws://env:2"},
                                                    {"CREDVAULT_RUNNER_KEY_DIR", "/k"},
                                                    {"CREDVAULT_RUNNER_JOBS", "5"}}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "flag");
  EXPECT_EQ(config->key_dir, "/k");
  EXPECT_EQ(config->jobs, 3);
  EXPECT_FALSE(config->print_keys);
}

TEST(RemoteRunnerConfig, RequiredAndBadOptions) {
  const EnvLookup none = Env({});
  EXPECT_TRUE(ParseRunnerConfig({"--help"}, none)->show_help);
  // --print-keys needs the key directory but no server.
  Result<remote_runner::RunnerConfig> keys =
      ParseRunnerConfig({"--print-keys", "--key-dir", "/k"}, none);
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->print_keys);
  const std::vector<std::vector<std::string>> bad = {
      {"--key-dir", "/k"},
      {"--server", "ws://h:1"},
      {"--server", "ws://h:1", "--key-dir"},
      {"--server", "ws://h:1", "--key-dir", "/k", "--jobs", "0"},
      {"--server", "ws://h:1", "--key-dir", "/k", "--jobs", "x"},
      {"--server", "ws://h:1", "--key-dir", "/k", "--allow-private-targets"},
      {"--server", "ws://h:1", "--key-dir", "/k", "--print-keys=yes"},
      {"--server", "ws://h:1", "--key-dir", ""},
      {"stray"},
  };
  for (const auto& args : bad) {
    EXPECT_EQ(ParseRunnerConfig(args, none).code(), ErrorCode::kInvalidArgument)
        << ::testing::PrintToString(args);
  }
  EXPECT_NE(remote_runner::RunnerUsage().find("CREDVAULT_RUNNER_SERVER"), std::string::npos);
}

TEST(RemoteRunnerConfig, ReconnectBacksOffToAMaximum) {
  using std::chrono::milliseconds;
  EXPECT_EQ(remote_runner::ReconnectDelay(0, 0.0), milliseconds(1000));
  EXPECT_EQ(remote_runner::ReconnectDelay(1, 0.0), milliseconds(2000));
  EXPECT_EQ(remote_runner::ReconnectDelay(4, 0.0), milliseconds(16000));
  EXPECT_EQ(remote_runner::ReconnectDelay(5, 0.0), milliseconds(30000));
  EXPECT_EQ(remote_runner::ReconnectDelay(1000, 0.0), milliseconds(30000));
  EXPECT_EQ(remote_runner::ReconnectDelay(0, 0.5), milliseconds(900));
  EXPECT_GE(remote_runner::ReconnectDelay(5, 0.999), milliseconds(24000));
}

}  // namespace
}  // namespace credvault::server
