// The protocol a standalone runner speaks with the server over a WebSocket (DESIGN §5,
// issue 5): the runner dials out to GET /api/v1/runners/connect, proves it holds its
// signing key, and then takes sealed jobs and sends back signed results.
//
// Every frame is one JSON text object with a "type":
//   server -> runner  {"type":"challenge","protocol":"credvault-runner/1","challenge":<b64url>}
//   runner -> server  {"type":"hello","runner_id","box_public_key","sign_public_key",
//                      "signature"}   (keys and signature base64url)
//   server -> runner  {"type":"ready"}                         the runner is attached
//   server -> runner  {"type":"job","request_id":N,"job":<b64url sealed job>}
//   runner -> server  {"type":"result","request_id":N,"result":{"payload","signature"}}
//   runner -> server  {"type":"error","request_id":N,"code":<ErrorCode name>,"message"}
// The hello signature is Ed25519 over kHelloDomain + challenge (32 random bytes, fresh per
// socket) + runner id, so a recorded hello is worthless on another socket and a signature
// made for anything else (a test result) cannot be passed off as a hello.
//
// Pure functions, no I/O; the WebSocket transports are server/runner_socket.cc and
// server/remote_runner/runner_main.cc. Parse errors: kParseError (not JSON) or kMalformed
// (a field missing, of the wrong type or size, an unknown type, a frame that the other side
// never sends); the message names the field. Nothing here throws.
#ifndef CREDVAULT_SERVER_RELAY_RUNNER_PROTOCOL_H_
#define CREDVAULT_SERVER_RELAY_RUNNER_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "credvault/identity.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "credvault/test_job.h"

namespace credvault::server::relay {

inline constexpr std::string_view kRunnerConnectPath = "/api/v1/runners/connect";
inline constexpr std::string_view kRunnerProtocol = "credvault-runner/1";
inline constexpr size_t kHelloChallengeBytes = 32;
// With its terminating NUL: the domain is a prefix no other signed message starts with.
inline constexpr std::string_view kHelloDomain{"credvault/v1/runner-hello\0", 26};
// Largest frame either side reads: a job frame is the base64url of a sealed job of at most
// 256 KiB plus a little JSON; results and hellos are far smaller.
inline constexpr size_t kMaxRunnerFrameBytes = 512 << 10;
// Longest runner error message relayed to a client.
inline constexpr size_t kMaxRunnerErrorMessageBytes = 512;

struct RunnerHello {
  std::string runner_id;
  Bytes box_public_key;
  Bytes sign_public_key;
  Bytes signature;
};

enum class FrameType { kChallenge, kHello, kReady, kJob, kResult, kError };

// One parsed frame; only the fields of its type are set.
struct RunnerFrame {
  FrameType type = FrameType::kReady;
  Bytes challenge;          // kChallenge
  RunnerHello hello;        // kHello
  uint64_t request_id = 0;  // kJob, kResult, kError
  Bytes job;                // kJob
  SignedTestResult result;  // kResult
  Status error;             // kError: the runner's refusal, as the core's ErrorCode
};

// The bytes the hello signature covers.
Bytes RunnerHelloMessage(ByteView challenge, std::string_view runner_id);
// The runner's answer to `challenge`, signed with its key.
RunnerHello MakeRunnerHello(const Identity& runner, ByteView challenge);
// The server's check: an object id, keys and signature of the right sizes (kMalformed), a
// challenge of kHelloChallengeBytes (kInvalidArgument), and the signature (kBadSignature).
Status VerifyRunnerHello(const RunnerHello& hello, ByteView challenge);

std::string EncodeChallenge(ByteView challenge);
std::string EncodeHello(const RunnerHello& hello);
std::string EncodeReady();
std::string EncodeJob(uint64_t request_id, ByteView sealed_job);
std::string EncodeResult(uint64_t request_id, const SignedTestResult& result);
// `error` must not be ok.
std::string EncodeError(uint64_t request_id, const Status& error);

// A frame the server reads: hello, result or error. An error frame's code must be an
// ErrorCode name (ErrorCodeFromName); its message is cut to kMaxRunnerErrorMessageBytes.
Result<RunnerFrame> ParseRunnerFrame(std::string_view text);
// A frame the runner reads: challenge (of this protocol), ready or job.
Result<RunnerFrame> ParseServerFrame(std::string_view text);

// What a client of the relay is told for a runner's refusal: the refusals RunJob documents
// pass through; "busy" (kConflict) and anything else become kUnavailable, so a runner cannot
// make the server answer, say, 403 or 401.
Status RelayStatusOfRunnerError(const Status& runner_error);

}  // namespace credvault::server::relay

#endif  // CREDVAULT_SERVER_RELAY_RUNNER_PROTOCOL_H_
