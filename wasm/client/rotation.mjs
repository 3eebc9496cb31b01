// Removing a member (or revoking a monitoring runner's grant) rotates the workspace keys in
// the same request (DELETE .../members/{id}, server/handlers/members_rotation.cc): new keys at generation + 1, a grant of them to every
// remaining member, every credential granted to the workspace given its data key re-wrapped
// and its name re-sealed under the new keys, and every connection (deleted ones too)
// re-sealed at version + 1. The server refuses anything less, so a removed member's old keys
// open nothing written afterwards.
import { CredvaultError } from '../credvault.mjs';
import {
  ROLES_WITH_SECRETS, connectionGeneration, credentialGeneration, handleFor, workspacePath,
} from './keys.mjs';

// Builds the rotation body with the keys in `handles` and sends it. Resolves
// {answer, next, names}: the server's answer, the handle of the new keys (the caller owns
// it) and the credential names (for the rotate-recommended list). `removed` is
// {accountId} (a member leaves: DELETE .../members/{id}) or {runnerId, removeRunner}
// (a monitoring runner's grant is revoked: DELETE .../runners/{id}/grant, or the runner is
// removed: DELETE .../runners/{id}). Runners that keep their grant are re-granted.
export async function removeWithRotation(context, workspace, handles, removed) {
  const { cv, http } = context;
  const account = context.accountHandle();
  const { items: members } = await http.all(workspacePath(workspace.id, '/members'));
  const { items: runners } = await http.all(workspacePath(workspace.id, '/runners'));
  const { accountId, runnerId } = typeof removed === 'string' ? { accountId: removed } : removed;
  if (accountId !== undefined && !members.some((m) => m.account_id === accountId)) {
    throw new CredvaultError('not_found', 'not a member of this workspace');
  }
  if (runnerId !== undefined && !runners.some((r) => r.id === runnerId)) {
    throw new CredvaultError('not_found', 'no such runner in this workspace');
  }
  const generation = workspace.generation + 1;
  const next = cv.newWorkspaceKeys(workspace.id, generation);
  try {
    const grants = members.filter((m) => m.account_id !== accountId).map((m) =>
      cv.makeGrant(account, next, ROLES_WITH_SECRETS.has(m.role), m.account_id,
        m.box_public_key));
    // A monitoring runner holds what an operator does: both keys.
    for (const r of runners) {
      if (r.granted && r.id !== runnerId) {
        grants.push(cv.makeGrant(account, next, true, r.id, r.box_public_key));
      }
    }

    const names = new Map();
    const { items: credentials } = await http.all(workspacePath(workspace.id, '/credentials'));
    const credentialKeys = credentials.map((sealed) => {
      const keys = handleFor(handles, credentialGeneration(sealed, workspace.id));
      const { name } = cv.summarizeCredential(sealed, keys);
      names.set(sealed.id, name);
      const dataKey = cv.openCredentialDataKey(sealed, keys);
      try {
        // The core makes the grant; without this workspace's old grant it is a fresh share.
        const grant = cv.grantCredential({ ...sealed, grants: [] }, name, dataKey, next);
        return {
          credential_id: sealed.id,
          wrapped_data_key: grant.wrapped_data_key,
          sealed_name: grant.sealed_name,
        };
      } finally {
        cv.release(dataKey);
      }
    });

    const { items: stored } = await http.all(workspacePath(workspace.id, '/connections'));
    const connections = stored.map((sealed) => {
      const keys = handleFor(handles, connectionGeneration(cv, sealed));
      const view = cv.openConnection(sealed, keys);
      const version = sealed.version + 1;
      const resealed = cv.sealConnection({ ...view, version }, next);
      return { ...sealed, version, sealed_details: resealed.sealed_details };
    });

    const path = runnerId === undefined
      ? `/members/${encodeURIComponent(accountId)}`
      : `/runners/${encodeURIComponent(runnerId)}${removed.removeRunner ? '' : '/grant'}`;
    const answer = await http.delete(workspacePath(workspace.id, path), {
      body: { new_generation: generation, grants, credential_keys: credentialKeys, connections },
    });
    return { answer, next, names };
  } catch (error) {
    cv.release(next);
    throw error;
  }
}
