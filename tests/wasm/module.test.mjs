// Drives the ES module as a JavaScript developer would: plain `import`, Node 20, no flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const moduleDir = process.env.CREDVAULT_MODULE_DIR ?? path.resolve('build/wasm/wasm');
const { default: createCredvault, CredvaultError } =
  await import(pathToFileURL(path.join(moduleDir, 'credvault.mjs')).href);
const cv = await createCredvault();
const kdf = cv.kdfMinimum();

function assertCode(fn, code) {
  assert.throws(fn, (e) => e instanceof CredvaultError && e.code === code,
    `expected CredvaultError ${code}`);
}

test('info reports the WASM target and the bulk random source', () => {
  const info = cv.info();
  assert.equal(info.target, 'wasm32');
  assert.equal(info.random_source, 'crypto.getRandomValues');
  assert.match(cv.newId(), /^[A-Za-z0-9_-]{22}$/);
});

test('account: create, unlock, wrong password, recover, change password', () => {
  const created = cv.createAccount('sre@example.com', 'pw-1', kdf);
  assert.match(created.auth_key, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(typeof created.account, 'number');
  assert.match(created.recovery_code, /^([0-9a-f]{4}-){15}[0-9a-f]{4}$/);
  const unlocked = cv.unlockAccount('pw-1', created.record);
  assert.equal(unlocked.auth_key, created.auth_key);
  assert.equal(cv.deriveAuthKey('pw-1', created.record.salt, created.record.kdf), created.auth_key);
  assertCode(() => cv.unlockAccount('pw-2', created.record), 'decrypt_failed');
  assertCode(() => cv.unlockAccount('pw-1', { ...created.record, kdf: { ops_limit: 1, mem_limit_bytes: 1 << 20 } }),
    'kdf_too_weak');
  assertCode(() => cv.unlockAccount('pw-1', { ...created.record, salt: 42 }), 'validation');
  assert.equal(cv.deriveRecoveryAuthKey(created.recovery_code), created.recovery_auth_key);
  assertCode(() => cv.deriveRecoveryAuthKey('not-a-code'), 'invalid_argument');
  const recovered = cv.recoverAccount(created.recovery_code, created.record);
  const changed = cv.changePassword(recovered, created.record, 'pw-3', kdf);
  assert.notEqual(changed.auth_key, created.auth_key);
  assert.equal(cv.unlockAccount('pw-3', changed.record).auth_key, changed.auth_key);
  const info = cv.accountInfo(unlocked.account);
  assert.equal(info.sign_public_key, created.record.sign_public_key);
  assert.match(info.fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
});

test('workspace grant, data key wrap and credential seal/open', () => {
  const owner = cv.createAccount('owner@example.com', 'pw', kdf);
  const member = cv.createAccount('member@example.com', 'pw', kdf);
  const wsId = cv.newId();
  const ws = cv.newWorkspaceKeys(wsId, 1);
  const pins = { [owner.record.account_id]: owner.record.sign_public_key };
  const full = cv.makeGrant(owner.account, ws, true, member.record.account_id,
    member.record.box_public_key);
  const memberWs = cv.openGrant(member.account, full, pins);
  assert.equal(cv.workspaceHasSecrets(memberWs), true);
  assertCode(() => cv.openGrant(member.account, full, {}), 'untrusted_signer');

  const dataKey = cv.newDataKey();
  const credId = cv.newId();
  const ctx = { purpose: 'credential', object_id: credId, object_version: 1 };
  const sealed = cv.seal(dataKey, ctx, JSON.stringify({ token: 'canary-token' }));
  assert.equal(sealed.includes('canary'), false);
  assert.equal(cv.inspectEnvelope(sealed).version, 1);
  const wrapped = cv.wrapDataKey(ws, credId, 1, dataKey);
  const memberKey = cv.unwrapDataKey(memberWs, credId, 1, wrapped);
  assert.deepEqual(JSON.parse(cv.open(memberKey, ctx, sealed)), { token: 'canary-token' });
  assertCode(() => cv.open(memberKey, { ...ctx, object_version: 2 }, sealed), 'decrypt_failed');
  assertCode(() => cv.open(memberKey, ctx, sealed.slice(0, 20)), 'malformed');

  const viewerGrant = cv.makeGrant(owner.account, ws, false, member.record.account_id,
    member.record.box_public_key);
  const viewerWs = cv.openGrant(member.account, viewerGrant, pins);
  assert.equal(cv.workspaceHasSecrets(viewerWs), false);
  assertCode(() => cv.unwrapDataKey(viewerWs, credId, 1, wrapped), 'permission_denied');

  // Connection details are sealed under the workspace metadata key, which viewers hold.
  const cctx = { purpose: 'connection', workspace_id: wsId, object_id: 'c', object_version: 1 };
  const details = cv.seal(ws, cctx, '{"endpoint":"https://k8s.internal:6443"}');
  assert.equal(JSON.parse(cv.open(viewerWs, cctx, details)).endpoint, 'https://k8s.internal:6443');
});

test('handles: released keys are gone and unknown handles are errors', () => {
  const before = cv.handleCount();
  const key = cv.newDataKey();
  assert.equal(cv.handleCount(), before + 1);
  assert.equal(cv.release(key), true);
  assert.equal(cv.handleCount(), before);
  assert.equal(cv.release(key), false);
  assertCode(() => cv.seal(key, { purpose: 'x', object_id: 'y' }, 'z'), 'unknown_handle');
  assertCode(() => cv.accountInfo(999999), 'unknown_handle');
});

test('no function hands out key bytes', () => {
  const acct = cv.createAccount('keys@example.com', 'pw', kdf);
  const values = JSON.stringify(acct) + JSON.stringify(cv.accountInfo(acct.account));
  // Only public keys (32 bytes → 43 base64url characters) and the auth key appear; the
  // private keys (32 + 64 bytes) are wrapped in envelopes, never bare.
  for (const m of values.matchAll(/"([a-z_]+)":"([A-Za-z0-9_-]{43})"/g)) {
    assert.ok(['auth_key', 'recovery_auth_key', 'box_public_key', 'sign_public_key'].includes(m[1]), m[1]);
  }
  const dk = cv.newDataKey();
  assert.equal(typeof dk, 'number');
});

test('test jobs: sealed to a runner, results verified against the pinned key', () => {
  const header = { job_id: cv.newId(), workspace_id: 'w', connection_id: 'c', runner_id: 'r',
    issued_at: 100, expires_at: 130 };
  const runnerBox = cv.createAccount('runner@example.com', 'pw', kdf).record.box_public_key;
  const sealed = cv.sealTestJob(runnerBox, header, { kind: 'prometheus', secret: { password: 'x' } });
  assert.equal(sealed.includes('password'), false);
  assertCode(() => cv.sealTestJob(runnerBox, { ...header, expires_at: 200 }, {}), 'invalid_argument');
  assertCode(() => cv.verifyTestResult(runnerBox, { payload: '{}', signature: 'AA' }, 'j', 'c'),
    'bad_signature');
});

test('model records: a credential sealed once opens in every workspace it is granted to', () => {
  const owner = cv.createAccount('model@example.com', 'pw', kdf);
  const homeId = cv.newId();
  const otherId = cv.newId();
  const home = cv.newWorkspaceKeys(homeId, 1);
  const other = cv.newWorkspaceKeys(otherId, 3);
  const dataKey = cv.newDataKey();
  const id = cv.newId();
  const view = { schema_version: 1, name: 'prom basic', kind: 'prometheus', auth_method: 'basic',
    fields: { username: 'admin', password: 'canary-pw-1' } };
  const record = { id, owner_id: owner.record.account_id, workspace_id: homeId, version: 1,
    created_at: 1700000000, updated_at: 1700000000 };
  const sealed = cv.sealCredential(view, record, dataKey, [home]);
  assert.equal(JSON.stringify(sealed).includes('canary'), false);
  assert.equal(sealed.grants.length, 1);
  assert.equal(cv.openCredential(sealed, home).fields.password, 'canary-pw-1');
  assert.equal(cv.summarizeCredential(sealed, home).name, 'prom basic');
  assertCode(() => cv.openCredential(sealed, other), 'not_found');

  const key = cv.openCredentialDataKey(sealed, home);
  const grant = cv.grantCredential(sealed, 'shared prom', key, other);
  const shared = { ...sealed, grants: [...sealed.grants, grant] };
  assert.equal(cv.openCredential(shared, other).name, 'shared prom');
  assertCode(() => cv.sealCredential({ ...view, fields: {} }, record, dataKey, [home]), 'validation');

  const conn = { schema_version: 1, id: cv.newId(), workspace_id: homeId, kind: 'prometheus',
    name: 'prom-eu', endpoint: 'https://prom.internal:9090', tls: { ca_data: '', server_name: '',
      insecure_skip_verify: false }, credential_id: id, managed: false, environment_ids: [],
    state: 'discovered', version: 1, created_at: 1700000000, updated_at: 1700000000 };
  const sealedConn = cv.sealConnection(conn, home);
  assert.equal(JSON.stringify(sealedConn).includes('prom.internal'), false);
  assert.equal(cv.openConnection(sealedConn, home).endpoint, 'https://prom.internal:9090');
  assertCode(() => cv.openConnection(sealedConn, other), 'invalid_argument');
  const impostor = cv.newWorkspaceKeys(homeId, 1);  // same id and generation, other key
  assertCode(() => cv.openConnection(sealedConn, impostor), 'decrypt_failed');
});
