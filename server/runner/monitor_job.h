// A monitoring job (active monitoring): what the server hands a runner that a workspace
// admin granted the workspace keys, so the runner re-tests a connection with no client
// involved. The server holds only ciphertext: the sealed connection, the sealed credential
// and the runner's own key grants (sealed to the runner's X25519 key). The runner opens the
// grant (checking the granter's Ed25519 signature against `granters`), then the connection
// and the credential, and builds the probe target with the core's ProbeJobSpecFor, exactly
// as a client does before it seals a test job.
//
// Pinning: `granters` comes from the server (the granting admin's account key), so by
// itself it only proves the grant was signed by the key the server says that admin has. A
// runner that must not trust the server for this pins the admins' keys itself
// (credvault-runner --trust-granter) and applies them with PinGranters before opening: a grant
// signed by anyone else is then refused (kUntrustedSigner, or kBadSignature when the server
// names a pinned admin but the signature is not that admin's).
//
// OpenMonitorJob is pure (no clock, no I/O) and reentrant. The spec it returns owns the
// secrets in SecretBytes; drop it as soon as the probe is made.
#ifndef CREDVAULT_SERVER_RUNNER_MONITOR_JOB_H_
#define CREDVAULT_SERVER_RUNNER_MONITOR_JOB_H_

#include <optional>
#include <string>
#include <vector>

#include "credvault/connection.h"
#include "credvault/connection_probe.h"
#include "credvault/credential.h"
#include "credvault/identity.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"

namespace credvault::runner {

struct MonitorJob {
  std::string job_id;  // fresh per run: the signed result is bound to it and the connection
  SealedConnection connection;
  std::optional<SealedCredential> credential;  // absent for an anonymous connection
  std::vector<KeyGrant> grants;                // the runner's grants in the workspace
  PinnedKeys granters;                         // granter id -> Ed25519 public key
  ConnectionTestOptions options;
};

// Errors: kNotFound (no grant for the generation a record was sealed at: the grant was
// revoked or not renewed by a key rotation), OpenGrant's kUntrustedSigner / kBadSignature /
// kDecryptFailed / kWrongRecipient, OpenConnection / OpenCredential's errors,
// ProbeJobSpecFor's kValidation.
Result<ProbeJobSpec> OpenMonitorJob(const Identity& runner, const MonitorJob& job);

// Replaces the server's granters with the runner's own pins `trusted` (unless empty: then the
// server's map stands). kUntrustedSigner when no grant in the job is by a pinned granter, so
// the refusal comes before anything is opened.
Status PinGranters(const PinnedKeys& trusted, MonitorJob& job);

}  // namespace credvault::runner

#endif  // CREDVAULT_SERVER_RUNNER_MONITOR_JOB_H_
