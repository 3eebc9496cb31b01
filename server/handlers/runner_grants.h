// Key grants to runners, for active monitoring (issue 8): POST
// /api/v1/workspaces/{ws}/runners/{id}/grant {"grant": KeyGrant} stores a grant of the
// workspace keys (current generation, secrets included) sealed to the runner's X25519 key
// and signed by the calling admin; the client makes it with the module's makeGrant. The
// server checks what it can see (workspace, recipient = the admitted runner, generation,
// includes_secrets, the caller's signature: members_grants.h) and cannot open it. Nothing
// is granted by default. Answer 201 {"runner_id", "generation"}; audit "runner.grant".
//
// DELETE /api/v1/workspaces/{ws}/runners/{id}/grant revokes it, with the rotation body of
// member removal (members_rotation.h) in the same transaction, the runner treated as the
// removed recipient: new generation, every remaining member (and other granted runner)
// re-granted, every credential key re-wrapped, every connection re-sealed; credentials the
// runner could open are flagged rotate_recommended. Its old grants are deleted and open
// nothing written afterwards. Removing a runner that holds a grant (DELETE .../runners/{id})
// takes the same body and does the same, then removes the runner. Audit "runner.revoke" /
// "runner.remove" and "workspace.rotate_keys".
//
// Both need Action::kManageRunners (owner, admin). Errors: kValidation (body, rotation),
// kBadSignature, kNotFound (runner; no grant to revoke), kConflict (stale generation).
// Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_HANDLERS_RUNNER_GRANTS_H_
#define CREDVAULT_SERVER_HANDLERS_RUNNER_GRANTS_H_

#include "api/endpoint.h"
#include "credvault/status.h"
#include "router.h"

namespace credvault::server {

Status RegisterRunnerGrantRoutes(Router& router, const api::ApiContext& context);

// DELETE .../runners/{id} of a runner: with no grant, removes it (audit "runner.remove");
// with a grant, requires and applies the rotation as above.
Result<HttpResponse> RemoveRunner(const api::SessionCall& call);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_RUNNER_GRANTS_H_
