#include "runner/monitor_job.h"

#include <utility>

#include "credvault/crypto.h"

namespace credvault::runner {
namespace {

// The workspace keys of `generation`, opened from the runner's grant of that generation.
Result<WorkspaceKeys> KeysFor(const Identity& runner, const MonitorJob& job, uint32_t generation) {
  for (const KeyGrant& grant : job.grants) {
    if (grant.generation != generation || grant.workspace_id != job.connection.workspace_id) {
      continue;
    }
    return OpenGrant(runner, grant, job.granters);
  }
  return Status(ErrorCode::kNotFound,
                "this runner holds no key grant for generation " + std::to_string(generation));
}

}  // namespace

Result<ProbeJobSpec> OpenMonitorJob(const Identity& runner, const MonitorJob& job) {
  CV_ASSIGN_OR_RETURN(EnvelopeHeader details, InspectEnvelope(job.connection.sealed_details));
  CV_ASSIGN_OR_RETURN(WorkspaceKeys connection_keys, KeysFor(runner, job, details.key_generation));
  CV_ASSIGN_OR_RETURN(ConnectionView connection, OpenConnection(job.connection, connection_keys));
  if (!job.credential) return ProbeJobSpecFor(connection, nullptr, job.options);

  const CredentialGrant* grant = job.credential->FindGrant(job.connection.workspace_id);
  if (grant == nullptr) {
    return Status(ErrorCode::kNotFound, "the credential is not granted to this workspace");
  }
  Result<WorkspaceKeys> credential_keys = grant->key_generation == details.key_generation
                                              ? Result<WorkspaceKeys>(connection_keys.Clone())
                                              : KeysFor(runner, job, grant->key_generation);
  CV_RETURN_IF_ERROR(credential_keys.status());
  CV_ASSIGN_OR_RETURN(CredentialView credential, OpenCredential(*job.credential, *credential_keys));
  return ProbeJobSpecFor(connection, &credential, job.options);
}

Status PinGranters(const PinnedKeys& trusted, MonitorJob& job) {
  if (trusted.empty()) return Status::Ok();
  job.granters = trusted;
  for (const KeyGrant& grant : job.grants) {
    if (trusted.count(grant.granter_id) != 0) return Status::Ok();
  }
  return Status(ErrorCode::kUntrustedSigner, "no grant of this job is by a granter pinned here");
}

}  // namespace credvault::runner
