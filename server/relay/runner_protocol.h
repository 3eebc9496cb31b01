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
//   server -> runner  {"type":"monitor","request_id":N,"monitor":{"job_id","connection",
//                      "credential"?,"grants":[...],"granters":{id: <b64url key>}}}
//   runner -> server  {"type":"result","request_id":N,"result":{"payload","signature"}}
//   runner -> server  {"type":"error","request_id":N,"code":<ErrorCode name>,"message"}
// A "monitor" frame is a monitoring job (runner/monitor_job.h) for a runner a workspace
// granted its keys: the sealed connection and credential as the store holds them (the
// model's JSON), the runner's key grants (KeyGrant JSON) and the granters' Ed25519 public
// keys, i.e. ciphertext and public keys only. The runner answers it with the same "result"
// or "error" frames as a job; the result is signed over job_id and the connection's id, and
// its "error" code reaches only the server's log (a refused granter: untrusted_signer).
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
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "credvault/identity.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "credvault/test_job.h"
#include "runner/monitor_job.h"

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

enum class FrameType { kChallenge, kHello, kReady, kJob, kMonitor, kResult, kError };

// One parsed frame; only the fields of its type are set.
struct RunnerFrame {
  FrameType type = FrameType::kReady;
  Bytes challenge;             // kChallenge
  RunnerHello hello;           // kHello
  uint64_t request_id = 0;     // kJob, kMonitor, kResult, kError
  Bytes job;                   // kJob
  runner::MonitorJob monitor;  // kMonitor
  SignedTestResult result;     // kResult
  Status error;                // kError: the runner's refusal, as the core's ErrorCode
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
// kInvalidArgument when the frame would exceed kMaxRunnerFrameBytes (the runner could not
// read it).
Result<std::string> EncodeMonitor(uint64_t request_id, const runner::MonitorJob& job);
std::string EncodeResult(uint64_t request_id, const SignedTestResult& result);
// `error` must not be ok.
std::string EncodeError(uint64_t request_id, const Status& error);

// A frame the server reads: hello, result or error. An error frame's code must be an
// ErrorCode name (ErrorCodeFromName); its message is cut to kMaxRunnerErrorMessageBytes.
Result<RunnerFrame> ParseRunnerFrame(std::string_view text);
// A frame the runner reads: challenge (of this protocol), ready, job or monitor.
Result<RunnerFrame> ParseServerFrame(std::string_view text);

// The "monitor" object of a monitor frame. FromJson: kMalformed for a job id that is not an
// object id, a record the model's JSON rejects, a credential that is not the connection's
// (or missing while the connection names one), no grant, a grant for another workspace, or
// granters that are not {id: base64url key}.
nlohmann::json MonitorJobToJson(const runner::MonitorJob& job);
Result<runner::MonitorJob> MonitorJobFromJson(const nlohmann::json& j);

// What a client of the relay is told for a runner's refusal: the refusals RunJob documents
// pass through; "busy" (kConflict) and anything else become kUnavailable, so a runner cannot
// make the server answer, say, 403 or 401.
Status RelayStatusOfRunnerError(const Status& runner_error);

}  // namespace credvault::server::relay

#endif  // CREDVAULT_SERVER_RELAY_RUNNER_PROTOCOL_H_
