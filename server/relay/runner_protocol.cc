#include "relay/runner_protocol.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "credvault/crypto.h"
#include "credvault/crypto_json.h"

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

constexpr std::string_view kTypeChallenge = "challenge";
constexpr std::string_view kTypeHello = "hello";
constexpr std::string_view kTypeReady = "ready";
constexpr std::string_view kTypeJob = "job";
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
  CV_ASSIGN_OR_RETURN(auto opened, Open(text, {kTypeChallenge, kTypeReady, kTypeJob}));
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
  out.type = FrameType::kJob;
  CV_ASSIGN_OR_RETURN(out.request_id, ReadRequestId(frame));
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
