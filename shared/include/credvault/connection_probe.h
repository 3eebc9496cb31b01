// What a connectivity test sends (DESIGN §5): an opened connection and its opened credential
// mapped onto the probe's own target, and sealed to a runner as a test job. The client runs
// this inside the core (WASM), so neither the credential's secret nor a key crosses into
// JavaScript: only the sealed job leaves, which the server relays and cannot open.
//
// Errors: kValidation when the credential's method cannot serve the connection's kind
// (CheckCredentialFits) or a required secret field is empty; SealTestJob's errors. Pure,
// reentrant; the ProbeJobSpec owns its secrets in SecretBytes.
#ifndef CREDVAULT_CONNECTION_PROBE_H_
#define CREDVAULT_CONNECTION_PROBE_H_

#include <cstdint>
#include <string>

#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/probe_target_json.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "credvault/test_job.h"

namespace credvault {

// How long a job the client seals stays valid by default (the runner refuses it after).
inline constexpr int64_t kDefaultJobLifetimeSeconds = 30;

struct ConnectionTestOptions {
  SsrfPolicy ssrf;                // the workspace's address policy
  int http_expected_status = 200;  // kHttp connections: the status that proves the credential
};

// `credential` is null for an anonymous connection.
Result<ProbeJobSpec> ProbeJobSpecFor(const ConnectionView& connection,
                                     const CredentialView* credential,
                                     const ConnectionTestOptions& options);

struct SealedConnectionTest {
  TestJobHeader header;  // job_id is fresh and random
  Bytes job;             // SealTestJob's output
};

// Builds the job for `connection` and seals it to the runner (`runner_id`, its X25519 key),
// valid from `now` for `lifetime_seconds` (1..kMaxJobLifetimeSeconds).
Result<SealedConnectionTest> SealConnectionTest(const ConnectionView& connection,
                                                const CredentialView* credential,
                                                const ConnectionTestOptions& options,
                                                std::string_view runner_id,
                                                ByteView runner_box_public_key, int64_t now,
                                                int64_t lifetime_seconds =
                                                    kDefaultJobLifetimeSeconds);

}  // namespace credvault

#endif  // CREDVAULT_CONNECTION_PROBE_H_
