// Sealed records as a client makes them, with the WASM module: the shared helpers of the
// server's Node tests (zero knowledge, durability) and of the server benchmark.
//
// The envelope contexts are the core's (shared/src/model/credential_seal.cc, connection.cc):
// a credential's secret is sealed under its data key with purpose "credential" and no
// workspace; its name, per workspace grant, under that workspace's metadata key with purpose
// "credential-name"; a connection's details under the metadata key with purpose
// "connection". The server checks only their structure, so these must be right for the
// tests' own read-back, not for the server.

const nowSeconds = () => Math.floor(Date.now() / 1000);

// One grant of a credential's data key to a workspace.
export function credentialGrant(cv, { credentialId, version, name, dataKey, workspaceId, keys,
  generation }) {
  return {
    workspace_id: workspaceId,
    key_generation: generation,
    wrapped_data_key: cv.wrapDataKey(keys, credentialId, version, dataKey),
    sealed_name: cv.seal(keys, { purpose: 'credential-name', workspace_id: workspaceId,
      object_id: credentialId, object_version: version }, name),
  };
}

// A SealedCredential JSON. `grants` lists {workspaceId, keys, generation}; the first is home.
export function sealedCredential(cv, { id, ownerId, version = 1, kind = 'kubernetes',
  method = 'bearer_token', name, fields, dataKey, grants }) {
  const now = nowSeconds();
  return {
    schema_version: 1,
    id,
    owner_id: ownerId,
    workspace_id: grants[0].workspaceId,
    kind,
    auth_method: method,
    version,
    created_at: now,
    updated_at: now,
    sealed_secret: cv.seal(dataKey, { purpose: 'credential', object_id: id, object_version: version },
      JSON.stringify({ name, kind, auth_method: method, fields })),
    grants: grants.map((g) => credentialGrant(cv, { credentialId: id, version, name, dataKey,
      workspaceId: g.workspaceId, keys: g.keys, generation: g.generation })),
  };
}

// A SealedConnection JSON; `details` is what the metadata key hides (name, endpoint, TLS).
export function sealedConnection(cv, { id, workspaceId, keys, version = 1, kind = 'kubernetes',
  state = 'discovered', credentialId = '', environmentIds = [], details }) {
  const now = nowSeconds();
  const connection = {
    schema_version: 1,
    id,
    workspace_id: workspaceId,
    kind,
    state,
    environment_ids: environmentIds,
    version,
    created_at: now,
    updated_at: now,
    sealed_details: cv.seal(keys, { purpose: 'connection', workspace_id: workspaceId,
      object_id: id, object_version: version }, JSON.stringify(details)),
  };
  if (credentialId) connection.credential_id = credentialId;
  return connection;
}

// Opens a connection's details with the workspace keys (the tests' read-back).
export function openConnection(cv, keys, connection) {
  return JSON.parse(cv.open(keys, { purpose: 'connection', workspace_id: connection.workspace_id,
    object_id: connection.id, object_version: connection.version }, connection.sealed_details));
}

// Opens a credential's secret with a workspace's keys (its grant for that workspace).
export function openCredential(cv, keys, credential, workspaceId) {
  const grant = credential.grants.find((g) => g.workspace_id === workspaceId);
  const dataKey = cv.unwrapDataKey(keys, credential.id, credential.version, grant.wrapped_data_key);
  try {
    return JSON.parse(cv.open(dataKey, { purpose: 'credential', object_id: credential.id,
      object_version: credential.version }, credential.sealed_secret));
  } finally {
    cv.release(dataKey);
  }
}
