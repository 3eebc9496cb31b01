// Connectivity-test jobs and results (DESIGN §5), as they cross the server.
//
// The client seals a job (who, what, until when, and a JSON body that holds the request
// spec and the secret fields) to a runner's X25519 key; the server relays bytes it cannot
// open. The runner refuses an expired, over-long or replayed job, and signs its result
// with its Ed25519 key; the client verifies the signature against the runner key it
// pinned and checks that the result answers the job it sent.
#ifndef CREDVAULT_TEST_JOB_H_
#define CREDVAULT_TEST_JOB_H_

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "credvault/identity.h"
#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

inline constexpr int64_t kMaxJobLifetimeSeconds = 60;

struct TestJobHeader {
  std::string job_id;
  std::string workspace_id;
  std::string connection_id;
  std::string runner_id;
  int64_t issued_at = 0;   // unix seconds
  int64_t expires_at = 0;  // unix seconds, at most kMaxJobLifetimeSeconds after issued_at
};

// Seals header + body (JSON text) to the runner. kInvalidArgument for a lifetime over the
// limit or a body that is not a JSON object.
Result<Bytes> SealTestJob(ByteView runner_box_public_key, const TestJobHeader& header,
                          std::string_view body_json);

struct OpenedTestJob {
  TestJobHeader header;
  SecretBytes body_json;  // holds secret fields: wipe (drop) as soon as the request is made
};

// Remembers the jobs a runner has opened until they expire. Not thread-safe.
class ReplayGuard {
 public:
  // True if `job_id` was seen; otherwise records it. Forgets jobs past expiry.
  bool SeenBefore(const std::string& job_id, int64_t expires_at, int64_t now);
  size_t size() const { return seen_.size(); }

 private:
  std::map<std::string, int64_t> seen_;
};

// Errors: kDecryptFailed (not for this runner, or tampered), kMalformed, kWrongRecipient
// (addressed to another runner id), kExpired (past expiry, or a lifetime over the limit),
// kReplayed.
Result<OpenedTestJob> OpenTestJob(const Identity& runner, ByteView sealed, int64_t now,
                                  ReplayGuard* guard);

struct SignedTestResult {
  std::string payload;  // canonical JSON text of the result
  Bytes signature;      // Ed25519 over "credvault/v1/test-result\0" + payload
};

// Signs `result` (a JSON object that carries job_id and connection_id, set from `job`).
SignedTestResult SignTestResult(const Identity& runner, const TestJobHeader& job,
                                nlohmann::json result);
// Verifies signature and binding. Errors: kBadSignature, kMalformed, kWrongRecipient (the
// result answers another job or connection).
Result<nlohmann::json> VerifyTestResult(ByteView runner_sign_public_key,
                                        const SignedTestResult& signed_result,
                                        std::string_view expected_job_id,
                                        std::string_view expected_connection_id);

}  // namespace credvault

#endif  // CREDVAULT_TEST_JOB_H_
