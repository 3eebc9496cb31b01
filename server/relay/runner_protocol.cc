#include "relay/runner_protocol.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "credvault/crypto.h"
#include "credvault/crypto_json.h"
#include "credvault/model_json.h"

namespace credvault::server::relay {
namespace {

using nlohmann::json;

// Frame field names: each written once, here.
constexpr const char* kType = "type";
constexpr const char* kProtocol = "protocol";
constexpr const char* kChallenge = "challenge";
constexpr const char* kRunnerId = "runner_id";
constexpr const char* kBoxPublicKey = "box_public_key";
constexpr const char* kSignPublicKey = "sign_public_key";
constexpr const char* kSignature = "signature";
constexpr const char* kRequestId = "request_id";
constexpr const char* kJob = "job";
constexpr const char* kResult = "result";
constexpr const char* kCode = "code";
constexpr const char* kMessage = "message";
constexpr const char* kMonitor = "monitor";
constexpr const char* kJobId = "job_id";
constexpr const char* kConnection = "connection";
constexpr const char* kCredential = "credential";
constexpr const char* kGrants = "grants";
constexpr const char* kGranters = "granters";

constexpr std::string_view kTypeChallenge = "challenge";
constexpr std::string_view kTypeHello = "hello";
constexpr std::string_view kTypeReady = "ready";
constexpr std::string_view kTypeJob = "job";
constexpr std::string_view kTypeMonitor = "monitor";
constexpr std::string_view kTypeResult = "result";
constexpr std::string_view kTypeError = "error";

// Request ids stay exact in every JSON reader (JavaScript's included).
constexpr uint64_t kMaxRequestId = (uint64_t{1} << 53) - 1;

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence (the message is
// relayed inside JSON, which must stay valid UTF-8).
std::string CutUtf8(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

Status Malformed(std::string message) {
  return Status(ErrorCode::kMalformed, "runner frame: " + std::move(message));
}

Result<std::string> ReadString(const json& frame, const char* name) {
  const auto it = frame.find(name);
  if (it == frame.end() || !it->is_string()) return Malformed(std::string(name) + ": missing");
  return it->get<std::string>();
}

Result<Bytes> ReadBytes(const json& frame, const char* name, size_t exact_size) {
  CV_ASSIGN_OR_RETURN(std::string text, ReadString(frame, name));
  Bytes out;
  if (!Base64UrlDecode(text, &out) || out.empty() ||
      (exact_size != 0 && out.size() != exact_size)) {
    return Malformed(std::string(name) + ": not base64url of the right size");
  }
  return out;
}

Result<uint64_t> ReadRequestId(const json& frame) {
  const auto it = frame.find(kRequestId);
  if (it == frame.end() || !it->is_number_unsigned() || it->get<uint64_t>() > kMaxRequestId) {
    return Malformed(std::string(kRequestId) + ": must be a non-negative integer");
  }
  return it->get<uint64_t>();
}

// Parses the text and reads its type; `allowed` are the types this side may receive.
Result<std::pair<json, std::string>> Open(std::string_view text,
                                          std::initializer_list<std::string_view> allowed) {
  json frame = json::parse(text, nullptr, false);
  if (frame.is_discarded()) return Status(ErrorCode::kParseError, "runner frame: not JSON");
  if (!frame.is_object()) return Malformed("not an object");
  CV_ASSIGN_OR_RETURN(std::string type, ReadString(frame, kType));
  for (std::string_view name : allowed) {
    if (type == name) return std::make_pair(std::move(frame), std::move(type));
  }
  return Malformed("unexpected type");
}

}  // namespace

Bytes RunnerHelloMessage(ByteView challenge, std::string_view runner_id) {
  // One allocation, filled in place (GCC 12 misreads growing inserts as out of bounds).
  Bytes message(kHelloDomain.size() + challenge.size() + runner_id.size());
  auto out = std::copy(kHelloDomain.begin(), kHelloDomain.end(), message.begin());
  out = std::copy(challenge.begin(), challenge.end(), out);
  std::copy(runner_id.begin(), runner_id.end(), out);
  return message;
}

RunnerHello MakeRunnerHello(const Identity& runner, ByteView challenge) {
  RunnerHello hello;
  hello.runner_id = runner.id();
  hello.box_public_key = runner.box_public_key();
  hello.sign_public_key = runner.sign_public_key();
  hello.signature = runner.Sign(RunnerHelloMessage(challenge, runner.id()));
  return hello;
}

Status VerifyRunnerHello(const RunnerHello& hello, ByteView challenge) {
  if (challenge.size() != kHelloChallengeBytes) {
    return Status(ErrorCode::kInvalidArgument, "hello: the challenge has the wrong size");
  }
  if (!IsObjectId(hello.runner_id)) return Malformed("runner_id: not an object id");
  if (hello.box_public_key.size() != kBoxPublicKeyBytes ||
      hello.sign_public_key.size() != kSignPublicKeyBytes ||
      hello.signature.size() != kSignatureBytes) {
    return Malformed("hello: a key or the signature has the wrong size");
  }
  return VerifySignature(hello.sign_public_key, RunnerHelloMessage(challenge, hello.runner_id),
                         hello.signature);
}

std::string EncodeChallenge(ByteView challenge) {
  return json{{kType, kTypeChallenge},
              {kProtocol, kRunnerProtocol},
              {kChallenge, Base64UrlEncode(challenge)}}
      .dump();
}

std::string EncodeHello(const RunnerHello& hello) {
  return json{{kType, kTypeHello},
              {kRunnerId, hello.runner_id},
              {kBoxPublicKey, Base64UrlEncode(hello.box_public_key)},
              {kSignPublicKey, Base64UrlEncode(hello.sign_public_key)},
              {kSignature, Base64UrlEncode(hello.signature)}}
      .dump();
}

std::string EncodeReady() { return json{{kType, kTypeReady}}.dump(); }

std::string EncodeJob(uint64_t request_id, ByteView sealed_job) {
  return json{{kType, kTypeJob}, {kRequestId, request_id}, {kJob, Base64UrlEncode(sealed_job)}}
      .dump();
}

nlohmann::json MonitorJobToJson(const runner::MonitorJob& job) {
  json grants = json::array();
  for (const KeyGrant& grant : job.grants) grants.push_back(KeyGrantToJson(grant));
  json granters = json::object();
  for (const auto& [id, key] : job.granters) granters[id] = Base64UrlEncode(key);
  json out = {{kJobId, job.job_id},
              {kConnection, SealedConnectionToJson(job.connection)},
              {kGrants, std::move(grants)},
              {kGranters, std::move(granters)}};
  if (job.credential) out[kCredential] = SealedCredentialToJson(*job.credential);
  return out;
}

Result<runner::MonitorJob> MonitorJobFromJson(const json& j) {
  if (!j.is_object()) return Malformed("monitor: not an object");
  runner::MonitorJob job;
  CV_ASSIGN_OR_RETURN(job.job_id, ReadString(j, kJobId));
  if (!IsObjectId(job.job_id)) return Malformed("monitor.job_id: not an object id");
  const auto connection = j.find(kConnection);
  if (connection == j.end() || !connection->is_object()) {
    return Malformed("monitor.connection: missing");
  }
  Result<SealedConnection> sealed_connection = SealedConnectionFromJson(*connection);
  if (!sealed_connection.ok()) {
    return Malformed("monitor.connection: " + sealed_connection.status().message());
  }
  job.connection = std::move(sealed_connection).value();
  if (const auto credential = j.find(kCredential);
      credential != j.end() && !credential->is_null()) {
    if (!credential->is_object()) return Malformed("monitor.credential: not an object");
    Result<SealedCredential> sealed_credential = SealedCredentialFromJson(*credential);
    if (!sealed_credential.ok()) {
      return Malformed("monitor.credential: " + sealed_credential.status().message());
    }
    job.credential = std::move(sealed_credential).value();
  }
  const std::string_view named = job.connection.credential_id;
  if (job.credential ? job.credential->id != named : !named.empty()) {
    return Malformed("monitor.credential: not the connection's credential");
  }
  const auto grants = j.find(kGrants);
  if (grants == j.end() || !grants->is_array() || grants->empty()) {
    return Malformed("monitor.grants: missing");
  }
  for (const json& item : *grants) {
    Result<KeyGrant> grant = KeyGrantFromJson(item);
    if (!grant.ok()) return Malformed("monitor.grants: " + grant.status().message());
    if (grant->workspace_id != job.connection.workspace_id) {
      return Malformed("monitor.grants: a grant for another workspace");
    }
    job.grants.push_back(std::move(grant).value());
  }
  const auto granters = j.find(kGranters);
  if (granters == j.end() || !granters->is_object()) {
    return Malformed("monitor.granters: missing");
  }
  Result<PinnedKeys> pinned = PinnedKeysFromJson(*granters);
  if (!pinned.ok()) return Malformed("monitor.granters: " + pinned.status().message());
  job.granters = std::move(pinned).value();
  return job;
}

Result<std::string> EncodeMonitor(uint64_t request_id, const runner::MonitorJob& job) {
  std::string frame =
      json{{kType, kTypeMonitor}, {kRequestId, request_id}, {kMonitor, MonitorJobToJson(job)}}
          .dump();
  if (frame.size() > kMaxRunnerFrameBytes) {
    return Status(ErrorCode::kInvalidArgument, "monitor frame: larger than a runner reads");
  }
  return frame;
}

std::string EncodeResult(uint64_t request_id, const SignedTestResult& result) {
  return json{
      {kType, kTypeResult}, {kRequestId, request_id}, {kResult, SignedTestResultToJson(result)}}
      .dump();
}

std::string EncodeError(uint64_t request_id, const Status& error) {
  // Invalid UTF-8 in a message must not make dump() throw: replace it.
  return json{{kType, kTypeError},
              {kRequestId, request_id},
              {kCode, std::string(error.code_name())},
              {kMessage, error.message()}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<RunnerFrame> ParseRunnerFrame(std::string_view text) {
  CV_ASSIGN_OR_RETURN(auto opened, Open(text, {kTypeHello, kTypeResult, kTypeError}));
  const auto& [frame, type] = opened;
  RunnerFrame out;
  if (type == kTypeHello) {
    out.type = FrameType::kHello;
    CV_ASSIGN_OR_RETURN(out.hello.runner_id, ReadString(frame, kRunnerId));
    CV_ASSIGN_OR_RETURN(out.hello.box_public_key,
                        ReadBytes(frame, kBoxPublicKey, kBoxPublicKeyBytes));
    CV_ASSIGN_OR_RETURN(out.hello.sign_public_key,
                        ReadBytes(frame, kSignPublicKey, kSignPublicKeyBytes));
    CV_ASSIGN_OR_RETURN(out.hello.signature, ReadBytes(frame, kSignature, kSignatureBytes));
    return out;
  }
  CV_ASSIGN_OR_RETURN(out.request_id, ReadRequestId(frame));
  if (type == kTypeResult) {
    out.type = FrameType::kResult;
    const auto it = frame.find(kResult);
    if (it == frame.end() || !it->is_object()) return Malformed("result: missing");
    Result<SignedTestResult> result = SignedTestResultFromJson(*it);
    if (!result.ok() || result->signature.size() != kSignatureBytes) {
      return Malformed("result: not a signed test result");
    }
    out.result = std::move(result).value();
    return out;
  }
  out.type = FrameType::kError;
  CV_ASSIGN_OR_RETURN(std::string code_name, ReadString(frame, kCode));
  const std::optional<ErrorCode> code = ErrorCodeFromName(code_name);
  if (!code || *code == ErrorCode::kOk) return Malformed("code: not an error code");
  std::string message;
  if (const auto it = frame.find(kMessage); it != frame.end()) {
    if (!it->is_string()) return Malformed("message: must be a string");
    message = CutUtf8(it->get<std::string>(), kMaxRunnerErrorMessageBytes);
  }
  out.error = Status(*code, std::move(message));
  return out;
}

Result<RunnerFrame> ParseServerFrame(std::string_view text) {
  CV_ASSIGN_OR_RETURN(auto opened,
                      Open(text, {kTypeChallenge, kTypeReady, kTypeJob, kTypeMonitor}));
  const auto& [frame, type] = opened;
  RunnerFrame out;
  if (type == kTypeChallenge) {
    out.type = FrameType::kChallenge;
    CV_ASSIGN_OR_RETURN(std::string protocol, ReadString(frame, kProtocol));
    if (protocol != kRunnerProtocol)
      return Malformed("protocol: not " + std::string(kRunnerProtocol));
    CV_ASSIGN_OR_RETURN(out.challenge, ReadBytes(frame, kChallenge, kHelloChallengeBytes));
    return out;
  }
  if (type == kTypeReady) {
    out.type = FrameType::kReady;
    return out;
  }
  CV_ASSIGN_OR_RETURN(out.request_id, ReadRequestId(frame));
  if (type == kTypeMonitor) {
    out.type = FrameType::kMonitor;
    const auto it = frame.find(kMonitor);
    if (it == frame.end()) return Malformed("monitor: missing");
    CV_ASSIGN_OR_RETURN(out.monitor, MonitorJobFromJson(*it));
    return out;
  }
  out.type = FrameType::kJob;
  CV_ASSIGN_OR_RETURN(out.job, ReadBytes(frame, kJob, 0));
  return out;
}

Status RelayStatusOfRunnerError(const Status& runner_error) {
  switch (runner_error.code()) {
    case ErrorCode::kExpired:
    case ErrorCode::kReplayed:
    case ErrorCode::kDecryptFailed:
    case ErrorCode::kWrongRecipient:
    case ErrorCode::kMalformed:
    case ErrorCode::kParseError:
    case ErrorCode::kUnavailable:
      return runner_error;
    case ErrorCode::kConflict:
      return Status(ErrorCode::kUnavailable, "the runner is busy with other tests; try again");
    default:
      return Status(ErrorCode::kUnavailable,
                    "the runner failed the job (" + std::string(runner_error.code_name()) + ")");
  }
}

}  // namespace credvault::server::relay
