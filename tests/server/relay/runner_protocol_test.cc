// The standalone runner's wire protocol (relay/runner_protocol.h), its pending-job table
// (relay/pending_jobs.h) and its command line (remote_runner/runner_config.h); the
// monitoring frame with real sealed records, its bad forms, and the runner's granter pins
// (runner/monitor_job.h PinGranters, --trust-granter).
#include "relay/runner_protocol.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "credvault/crypto.h"
#include "credvault/identity.h"
#include "credvault/model_json.h"
#include "relay/pending_jobs.h"
#include "remote_runner/runner_config.h"
#include "runner/monitor_job.h"

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

// A monitoring job as the scheduler builds it: real sealed records and a real grant.
class MonitorFrame : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    const std::string ws = NewObjectId();
    admin_ = Identity::Generate(NewObjectId());
    runner_ = Identity::Generate(NewObjectId());
    keys_ = std::make_unique<WorkspaceKeys>(WorkspaceKeys::Generate(ws, 1));
    ConnectionView connection;
    connection.id = NewObjectId();
    connection.workspace_id = ws;
    connection.kind = ServiceKind::kPrometheus;
    connection.name = "prom";
    connection.endpoint = *ParseEndpoint("http://127.0.0.1:9090");
    connection.credential_id = NewObjectId();
    CredentialView credential;
    credential.name = "prom reader";
    credential.kind = ServiceKind::kPrometheus;
    credential.method = AuthMethod::kBasic;
    credential.fields.Set(CredentialField::kUsername, "reader");
    credential.fields.Set(CredentialField::kPassword, "frame canary 4c1d");
    CredentialRecord record;
    record.id = connection.credential_id;
    record.owner_id = admin_->id();
    record.workspace_id = ws;
    const WorkspaceKeys* workspaces[] = {keys_.get()};
    job_.job_id = NewObjectId();
    job_.connection = *SealConnection(connection, *keys_);
    job_.credential = *SealCredential(credential, record, NewDataKey(), workspaces);
    job_.grants.push_back(
        *MakeGrant(*admin_, *keys_, true, runner_->id(), runner_->box_public_key()));
    job_.granters[admin_->id()] = admin_->sign_public_key();
  }

  // The monitor frame with `edit` applied to its "monitor" object.
  std::string Edited(const std::function<void(json&)>& edit) const {
    json frame = json::parse(*relay::EncodeMonitor(5, job_));
    edit(frame["monitor"]);
    return frame.dump();
  }

  std::unique_ptr<Identity> admin_;
  std::unique_ptr<Identity> runner_;
  std::unique_ptr<WorkspaceKeys> keys_;
  runner::MonitorJob job_;
};

TEST_F(MonitorFrame, RoundTripsAndTheRunnerOpensIt) {
  Result<std::string> text = relay::EncodeMonitor(5, job_);
  ASSERT_TRUE(text.ok());
  // Ciphertext and public keys only: the password is nowhere in the frame.
  EXPECT_EQ(text->find("frame canary"), std::string::npos);
  Result<relay::RunnerFrame> frame = relay::ParseServerFrame(*text);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  EXPECT_EQ(frame->type, FrameType::kMonitor);
  EXPECT_EQ(frame->request_id, 5u);
  EXPECT_EQ(frame->monitor.job_id, job_.job_id);
  EXPECT_EQ(frame->monitor.connection.sealed_details, job_.connection.sealed_details);
  ASSERT_TRUE(frame->monitor.credential.has_value());
  EXPECT_EQ(frame->monitor.credential->id, job_.credential->id);
  ASSERT_EQ(frame->monitor.grants.size(), 1u);
  EXPECT_EQ(frame->monitor.grants[0].signature, job_.grants[0].signature);
  EXPECT_EQ(frame->monitor.granters, job_.granters);
  Result<ProbeJobSpec> spec = runner::OpenMonitorJob(*runner_, frame->monitor);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  // Only the runner reads it: a server never receives a monitor frame.
  EXPECT_EQ(relay::ParseRunnerFrame(*text).code(), ErrorCode::kMalformed);
}

TEST_F(MonitorFrame, BadMonitorFramesAreMalformed) {
  const std::string other_ws = NewObjectId();
  const std::vector<std::pair<std::string, std::function<void(json&)>>> bad = {
      {"not an object", [](json& m) { m = json::array(); }},
      {"job id", [](json& m) { m["job_id"] = "not-an-id"; }},
      {"no connection", [](json& m) { m.erase("connection"); }},
      {"connection", [](json& m) { m["connection"]["sealed_details"] = 7; }},
      {"credential", [](json& m) { m["credential"] = "x"; }},
      {"other credential", [](json& m) { m["credential"]["id"] = NewObjectId(); }},
      {"missing credential", [](json& m) { m.erase("credential"); }},
      {"no grants", [](json& m) { m["grants"] = json::array(); }},
      {"grant", [](json& m) { m["grants"][0]["signature"] = "%%"; }},
      {"grant elsewhere", [&](json& m) { m["grants"][0]["workspace_id"] = other_ws; }},
      {"granters", [](json& m) { m["granters"] = json::array(); }},
      {"granter key", [](json& m) { m["granters"]["x"] = "AAAA"; }},
  };
  for (const auto& [what, edit] : bad) {
    EXPECT_EQ(relay::ParseServerFrame(Edited(edit)).code(), ErrorCode::kMalformed) << what;
  }
  EXPECT_EQ(relay::ParseServerFrame(R"({"type":"monitor","request_id":1})").code(),
            ErrorCode::kMalformed);
  EXPECT_EQ(relay::ParseServerFrame(R"({"type":"monitor","monitor":{}})").code(),
            ErrorCode::kMalformed);
  EXPECT_EQ(relay::ParseServerFrame(R"({"type":"monitor")").code(), ErrorCode::kParseError);
}

TEST_F(MonitorFrame, TooLargeForARunnerIsRefusedBeforeSending) {
  job_.credential->sealed_secret = Bytes(relay::kMaxRunnerFrameBytes, 1);
  EXPECT_EQ(relay::EncodeMonitor(1, job_).code(), ErrorCode::kInvalidArgument);
}

TEST_F(MonitorFrame, PinnedGrantersReplaceTheServersMap) {
  // No pins: the server's map stands.
  runner::MonitorJob job = job_;
  ASSERT_TRUE(runner::PinGranters({}, job).ok());
  EXPECT_EQ(job.granters, job_.granters);
  // The admin pinned with its own key: opens.
  job = job_;
  ASSERT_TRUE(runner::PinGranters({{admin_->id(), admin_->sign_public_key()}}, job).ok());
  EXPECT_TRUE(runner::OpenMonitorJob(*runner_, job).ok());
  // Only another admin is pinned: refused before anything is opened.
  const std::unique_ptr<Identity> other = Identity::Generate(NewObjectId());
  job = job_;
  EXPECT_EQ(runner::PinGranters({{other->id(), other->sign_public_key()}}, job).code(),
            ErrorCode::kUntrustedSigner);
  // The server names the pinned admin but the grant is not that admin's key's signature
  // (the server swapped the granter's key): refused when opened.
  job = job_;
  ASSERT_TRUE(runner::PinGranters({{admin_->id(), other->sign_public_key()}}, job).ok());
  EXPECT_EQ(runner::OpenMonitorJob(*runner_, job).code(), ErrorCode::kBadSignature);
  // A grant made by a granter the server vouches for but the runner does not pin.
  job = job_;
  job.grants[0] = *MakeGrant(*other, *keys_, true, runner_->id(), runner_->box_public_key());
  job.granters = {{other->id(), other->sign_public_key()}};
  EXPECT_TRUE(runner::OpenMonitorJob(*runner_, job).ok());  // trusting the server: opens
  EXPECT_EQ(runner::PinGranters({{admin_->id(), admin_->sign_public_key()}}, job).code(),
            ErrorCode::kUntrustedSigner);
}

TEST(RemoteRunnerConfig, TrustGranterPinsAdminKeys) {
  const Bytes key(32, 0xfb);
  const std::string url = Base64UrlEncode(key);
  const std::string standard = Base64Encode(key);  // with '+', '/' and '=' padding
  Result<remote_runner::RunnerConfig> config =
      ParseRunnerConfig({"--server", "ws://h:1", "--key-dir", "/k", "--trust-granter",
                         "admin-a=" + url, "--trust-granter=admin-b=" + standard},
                        Env({}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->trusted_granters.size(), 2u);
  EXPECT_EQ(config->trusted_granters.at("admin-a"), key);
  EXPECT_EQ(config->trusted_granters.at("admin-b"), key);
  EXPECT_TRUE(ParseRunnerConfig({"--server", "ws://h:1", "--key-dir", "/k"}, Env({}))
                  ->trusted_granters.empty());
  for (const std::string& bad :
       {std::string("admin"), "=" + url, std::string("admin=AAAA"), std::string("admin=%%%")}) {
    EXPECT_EQ(ParseRunnerConfig({"--server", "ws://h:1", "--key-dir", "/k", "--trust-granter", bad},
                                Env({}))
                  .code(),
              ErrorCode::kInvalidArgument)
        << bad;
  }
  EXPECT_NE(remote_runner::RunnerUsage().find("--trust-granter"), std::string::npos);
}

}  // namespace
}  // namespace credvault::server
