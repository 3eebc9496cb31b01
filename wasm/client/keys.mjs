// A workspace's keys as handles: this member's key grants opened by the core, one handle per
// key generation, and the choice of handle for a sealed record.
import { CredvaultError } from '../credvault.mjs';
import { API } from './http.mjs';

// Roles whose key grant carries the workspace secrets key (ReceivesSecretsKey in the core's
// permissions): the server refuses a grant that gives a role more or less than this.
export const ROLES_WITH_SECRETS = new Set(['owner', 'admin', 'operator']);

export function workspacePath(id, rest = '') {
  return `${API}/workspaces/${encodeURIComponent(id)}${rest}`;
}

// Opens the caller's grants of `workspace`. A grant must be signed by a key the caller pins:
// its own, or a current member's (from the member list, whose fingerprints users compare).
// The newest generation must open; an older one whose granter has left is skipped (every
// record was re-sealed at the rotation that removed them). Returns Map(generation → handle).
export async function workspaceKeysFor(context, workspace) {
  const { cv, http } = context;
  const [{ items: grants }, { items: members }] = await Promise.all([
    http.get(workspacePath(workspace.id, '/keys')),
    http.all(workspacePath(workspace.id, '/members')),
  ]);
  const pinned = { [context.record.account_id]: context.record.sign_public_key };
  for (const member of members) pinned[member.account_id] = member.sign_public_key;
  const account = context.accountHandle();
  const newest = grants.reduce((top, grant) => Math.max(top, grant.generation), 0);
  const handles = new Map();
  let failure = null;
  // The server lists grants oldest first; a later grant of one generation (after a role
  // change) replaces the earlier.
  for (const grant of grants) {
    try {
      const handle = cv.openGrant(account, grant, pinned);
      if (handles.has(grant.generation)) cv.release(handles.get(grant.generation));
      handles.set(grant.generation, handle);
    } catch (error) {
      if (grant.generation === newest) failure = error;
    }
  }
  if (failure !== null || !handles.has(newest)) {
    for (const handle of handles.values()) cv.release(handle);
    throw failure ?? new CredvaultError('not_found', 'no key grant for this workspace');
  }
  return handles;
}

export function handleFor(handles, generation) {
  const handle = handles.get(generation);
  if (handle === undefined) {
    throw new CredvaultError('not_found',
      `no workspace key of generation ${generation} for this member`);
  }
  return handle;
}

// The generation a credential's grant to `workspaceId` was sealed at.
export function credentialGeneration(sealed, workspaceId) {
  const grant = sealed.grants.find((g) => g.workspace_id === workspaceId);
  if (!grant) {
    throw new CredvaultError('not_found', 'the credential is not shared with this workspace');
  }
  return grant.key_generation;
}

export function connectionGeneration(cv, sealed) {
  return cv.inspectEnvelope(sealed.sealed_details).key_generation;
}
