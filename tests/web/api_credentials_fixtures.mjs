// Records for the credential and connection API tests, sealed by the WASM module exactly as
// a browser seals them: a SealedCredential (secret under a fresh data key, one grant per
// workspace wrapping that key) and a SealedConnection (details under the workspace metadata
// key). Shapes: credvault/model_json.h and shared/src/json/model_json.cc.
import { call, loadCredvault } from './api_client.mjs';

export const SCHEMA_VERSION = 1;

function credentialSecretContext(id, version) {
  return { purpose: 'credential', workspace_id: '', object_id: id, object_version: version };
}

function credentialNameContext(workspaceId, id, version) {
  return { purpose: 'credential-name', workspace_id: workspaceId, object_id: id,
    object_version: version };
}

export function connectionContext(workspaceId, id, version) {
  return { purpose: 'connection', workspace_id: workspaceId, object_id: id,
    object_version: version };
}

// A grant of credential `id` at `version` to the workspace whose keys are `keys`.
export function credentialGrant(cv, workspace, id, version, dataKey, name,
  generation = 1) {
  return {
    workspace_id: workspace.id,
    key_generation: generation,
    wrapped_data_key: cv.wrapDataKey(workspace.keys, id, version, dataKey),
    sealed_name: cv.seal(workspace.keys, credentialNameContext(workspace.id, id, version), name),
  };
}

// A credential of `workspace` owned by `owner`; `shares` lists more workspaces to grant it
// to (for updates of a shared credential). Returns {json, dataKey}.
export async function sealCredential(owner, workspace, {
  id, version = 1, kind = 'http', method = 'bearer_token', name = 'deploy token',
  secret = { token: 'tok-123' }, shares = [], dataKey,
} = {}) {
  const cv = await loadCredvault();
  const credentialId = id ?? cv.newId();
  const key = dataKey ?? cv.newDataKey();
  const sealedSecret = cv.seal(key, credentialSecretContext(credentialId, version),
    JSON.stringify(secret));
  const grants = [workspace, ...shares].map((w) =>
    credentialGrant(cv, w, credentialId, version, key, name));
  return {
    dataKey: key,
    json: {
      schema_version: SCHEMA_VERSION,
      id: credentialId,
      owner_id: owner.id,
      workspace_id: workspace.id,
      kind,
      auth_method: method,
      version,
      created_at: 0,
      updated_at: 0,
      sealed_secret: sealedSecret,
      grants,
      rotate_recommended: false,
    },
  };
}

// Opens what the server handed back, as a member of `workspace` would.
export async function openCredential(workspace, credential) {
  const cv = await loadCredvault();
  const grant = credential.grants.find((g) => g.workspace_id === workspace.id);
  if (!grant) throw new Error('no grant for this workspace');
  const dataKey = cv.unwrapDataKey(workspace.keys, credential.id, credential.version,
    grant.wrapped_data_key);
  try {
    const name = cv.open(workspace.keys,
      credentialNameContext(workspace.id, credential.id, credential.version), grant.sealed_name);
    const secret = JSON.parse(cv.open(dataKey,
      credentialSecretContext(credential.id, credential.version), credential.sealed_secret));
    return { name, secret };
  } finally {
    cv.release(dataKey);
  }
}

// A connection of `workspace`. Returns its JSON.
export async function sealConnection(workspace, {
  id, version = 1, kind = 'http', state = 'discovered', credentialId = '',
  environmentIds = [], endpoint = 'https://api.example.test', name = 'api',
} = {}) {
  const cv = await loadCredvault();
  const connectionId = id ?? cv.newId();
  return {
    schema_version: SCHEMA_VERSION,
    id: connectionId,
    workspace_id: workspace.id,
    kind,
    state,
    credential_id: credentialId,
    managed: false,
    insecure_skip_verify: false,
    environment_ids: environmentIds,
    version,
    created_at: 0,
    updated_at: 0,
    sealed_details: cv.seal(workspace.keys, connectionContext(workspace.id, connectionId, version),
      JSON.stringify({ name, endpoint })),
  };
}

export function credentialsPath(workspace, rest = '') {
  return `/api/v1/workspaces/${workspace.id}/credentials${rest}`;
}

export function connectionsPath(workspace, rest = '') {
  return `/api/v1/workspaces/${workspace.id}/connections${rest}`;
}

// POSTs a credential and checks it was created. Returns {json, dataKey} as stored.
export async function createCredential(server, user, workspace, options = {}) {
  const sealed = await sealCredential(user, workspace, options);
  const response = await call(server, 'POST', credentialsPath(workspace),
    { auth: user.session, body: sealed.json });
  if (response.status !== 201) {
    throw new Error(`create credential: ${response.status} ${response.text}`);
  }
  return { json: response.json, dataKey: sealed.dataKey };
}

export async function createConnection(server, user, workspace, options = {}) {
  const body = await sealConnection(workspace, options);
  const response = await call(server, 'POST', connectionsPath(workspace),
    { auth: user.session, body });
  if (response.status !== 201) {
    throw new Error(`create connection: ${response.status} ${response.text}`);
  }
  return response.json;
}
