// Zero knowledge (DESIGN §2): every flow a client runs — register, prelogin and login,
// workspaces, invitation, credentials, sharing, connections and their transitions, member
// removal with key rotation, password change, recovery — driven through the WASM module
// against the real server, with a distinct canary in every secret field, password,
// connection name, endpoint and CA. Then the SQLite database, its -wal and -shm files (and
// every other file of the data directory) and the server's whole log are scanned for each
// canary as raw bytes and as base64, base64url and hex: zero hits. Positive controls prove
// the scan sees what the server does store (a workspace name, a logged path).
//
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (see harness.mjs, api_client.mjs).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { encodingsOf, filesUnder, scanForSecrets } from './canary.mjs';
import { call, login, loadCredvault, newUser, newWorkspace, addMember, grantFor } from './api_client.mjs';
import { makeTempDir, startServer, stopServer } from './harness.mjs';
import { openConnection, openCredential, sealedConnection, sealedCredential, credentialGrant }
  from '../bench/server_records.mjs';

// A distinct, unguessable marker per planted secret.
const run = crypto.randomBytes(6).toString('hex');
const canary = (what) => `zkc-${what}-${run}-${crypto.randomBytes(8).toString('hex')}`;
const C = Object.fromEntries([
  'alicePassword', 'alicePassword2', 'bobPassword', 'carolPassword', 'carolPassword2',
  'credName', 'credName2', 'token', 'token2', 'certName', 'clientCert', 'clientKey', 'credCa',
  'basicName', 'username', 'credPassword', 'connName', 'connName2', 'endpointHost',
  'endpointPath', 'connCa', 'serverName', 'sharedName',
].map((name) => [name, canary(name)]));

let server;
let cv;
let dataDir;
const generated = {};  // secrets the module made: auth keys, recovery codes, session tokens

before(async () => {
  cv = await loadCredvault();
  dataDir = path.join(makeTempDir('credvault-zk-'), 'data');
  server = await startServer({ dataDir });
});

after(async () => {
  if (server) await stopServer(server);
});

async function ok(response, status, what) {
  assert.equal(response.status, status, `${what}: ${response.status} ${response.text}`);
  return response.json;
}

test('every flow leaves no canary in the database, its WAL and SHM, or the log', async () => {
  // Accounts: register, then the full prelogin → derive → login path for one of them.
  const alice = await newUser(server, { password: C.alicePassword });
  const bob = await newUser(server, { password: C.bobPassword });
  const carol = await newUser(server, { password: C.carolPassword });
  const pre = await ok(await call(server, 'POST', '/api/v1/auth/prelogin',
    { body: { email: alice.email } }), 200, 'prelogin');
  const derived = cv.deriveAuthKey(C.alicePassword, pre.salt, pre.kdf);
  assert.equal(derived, alice.authKey);
  const unlocked = cv.unlockAccount(C.alicePassword, alice.record);
  cv.release(unlocked.account);
  const second = await login(server, alice.email, derived);
  for (const user of [alice, bob, carol]) {
    Object.assign(generated, {
      [`${user.email}/auth_key`]: Buffer.from(user.authKey, 'base64url'),
      [`${user.email}/recovery_auth_key`]: Buffer.from(user.recoveryAuthKey, 'base64url'),
      [`${user.email}/recovery_code`]: user.recoveryCode,
      [`${user.email}/token`]: user.session.token,
      [`${user.email}/csrf`]: user.session.csrf_token,
    });
  }
  generated.second_token = second.token;

  // Workspaces and invitations (looked up by email, as the UI does).
  const w1 = await newWorkspace(server, alice, 'Platform');
  const w2 = await newWorkspace(server, alice, 'Shared services');
  const found = await ok(await call(server, 'GET',
    `/api/v1/accounts/lookup?email=${encodeURIComponent(bob.email)}`, { auth: alice.session }),
  200, 'lookup');
  assert.equal(found.account_id, bob.id);
  await addMember(server, alice, w1, bob, 'operator');
  await addMember(server, alice, w1, carol, 'viewer');
  const pins = { [alice.id]: alice.record.sign_public_key };
  const bobGrants = await ok(await call(server, 'GET', `/api/v1/workspaces/${w1.id}/keys`,
    { auth: bob.session }), 200, 'bob keys');
  const bobKeys = cv.openGrant(bob.handle, bobGrants.items[0], pins);

  // An environment and a runner (public keys only).
  const environmentId = cv.newId();
  await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/environments`,
    { auth: alice.session, body: { id: environmentId, name: 'production' } }), 201, 'environment');
  await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/runners`, {
    auth: alice.session,
    body: { id: cv.newId(), name: 'edge', box_public_key: carol.record.box_public_key,
      sign_public_key: carol.record.sign_public_key },
  }), 201, 'runner');

  // Credentials: a token, a client certificate, basic auth.
  const home = [{ workspaceId: w1.id, keys: w1.keys, generation: 1 }];
  const token = { id: cv.newId(), dataKey: cv.newDataKey(), name: C.credName };
  let tokenRecord = sealedCredential(cv, { id: token.id, ownerId: alice.id, name: token.name,
    fields: { token: C.token }, dataKey: token.dataKey, grants: home });
  await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/credentials`,
    { auth: alice.session, body: tokenRecord }), 201, 'credential');
  const cert = { id: cv.newId(), dataKey: cv.newDataKey(), name: C.certName };
  await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/credentials`, {
    auth: alice.session,
    body: sealedCredential(cv, { id: cert.id, ownerId: alice.id, name: cert.name,
      method: 'client_certificate', dataKey: cert.dataKey, grants: home,
      fields: { client_certificate: C.clientCert, client_key: C.clientKey, ca_data: C.credCa } }),
  }), 201, 'certificate credential');
  const basic = { id: cv.newId(), dataKey: cv.newDataKey(), name: C.basicName };
  await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/credentials`, {
    auth: alice.session,
    body: sealedCredential(cv, { id: basic.id, ownerId: alice.id, name: basic.name, kind: 'http',
      method: 'basic', dataKey: basic.dataKey, grants: home,
      fields: { username: C.username, password: C.credPassword } }),
  }), 201, 'basic credential');

  // Bob, an operator, reads and opens it: the round trip works with what the server kept.
  const read = await ok(await call(server, 'GET',
    `/api/v1/workspaces/${w1.id}/credentials/${token.id}`, { auth: bob.session }), 200, 'read');
  assert.equal(openCredential(cv, bobKeys, read, w1.id).fields.token, C.token);

  // Share with the second workspace, then rotate the secret (version 2, both grants).
  await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/credentials/${token.id}/grants`, {
    auth: alice.session,
    body: credentialGrant(cv, { credentialId: token.id, version: 1, name: C.sharedName,
      dataKey: token.dataKey, workspaceId: w2.id, keys: w2.keys, generation: 1 }),
  }), 201, 'share');
  tokenRecord = sealedCredential(cv, { id: token.id, ownerId: alice.id, version: 2,
    name: C.credName2, fields: { token: C.token2 }, dataKey: token.dataKey,
    grants: [...home, { workspaceId: w2.id, keys: w2.keys, generation: 1 }] });
  await ok(await call(server, 'PUT', `/api/v1/workspaces/${w1.id}/credentials/${token.id}`,
    { auth: alice.session, body: tokenRecord }), 200, 'update credential');
  token.name = C.credName2;
  const inW2 = await ok(await call(server, 'GET',
    `/api/v1/workspaces/${w2.id}/credentials/${token.id}`, { auth: alice.session }), 200, 'w2');
  assert.equal(openCredential(cv, w2.keys, inW2, w2.id).fields.token, C.token2);

  // A connection: name, endpoint and CA sealed; a transition; an update.
  const connectionId = cv.newId();
  const details = { name: C.connName, endpoint: `https://${C.endpointHost}.example:6443/${C.endpointPath}`,
    tls: { ca_data: C.connCa, server_name: C.serverName } };
  await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/connections`, {
    auth: alice.session,
    body: sealedConnection(cv, { id: connectionId, workspaceId: w1.id, keys: w1.keys,
      credentialId: token.id, environmentIds: [environmentId], details }),
  }), 201, 'connection');
  await ok(await call(server, 'POST',
    `/api/v1/workspaces/${w1.id}/connections/${connectionId}/transitions`,
    { auth: bob.session, body: { to: 'registered', version: 1 } }), 200, 'transition');
  details.name = C.connName2;
  await ok(await call(server, 'PUT', `/api/v1/workspaces/${w1.id}/connections/${connectionId}`, {
    auth: alice.session,
    body: sealedConnection(cv, { id: connectionId, workspaceId: w1.id, keys: w1.keys, version: 2,
      state: 'registered', credentialId: token.id, environmentIds: [environmentId], details }),
  }), 200, 'update connection');
  const listed = await ok(await call(server, 'GET',
    `/api/v1/workspaces/${w1.id}/connections?kind=kubernetes&state=registered`,
    { auth: carol.session }), 200, 'list connections');
  assert.equal(listed.items.length, 1);

  // Remove Bob: the client re-keys everything, the server applies it in one transaction.
  const newKeys = cv.newWorkspaceKeys(w1.id, 2);
  const credentials = [[token, 2], [cert, 1], [basic, 1]];
  const current = await ok(await call(server, 'GET',
    `/api/v1/workspaces/${w1.id}/connections/${connectionId}`, { auth: alice.session }), 200, 'get');
  const removal = {
    new_generation: 2,
    grants: [await grantFor(alice, newKeys, alice, 'owner'), await grantFor(alice, newKeys, carol, 'viewer')],
    credential_keys: credentials.map(([c, version]) => ({
      credential_id: c.id,
      wrapped_data_key: cv.wrapDataKey(newKeys, c.id, version, c.dataKey),
      sealed_name: cv.seal(newKeys, { purpose: 'credential-name', workspace_id: w1.id,
        object_id: c.id, object_version: version }, c.name),
    })),
    connections: [sealedConnection(cv, { id: connectionId, workspaceId: w1.id, keys: newKeys,
      version: current.version + 1, state: current.state, credentialId: token.id,
      environmentIds: [environmentId], details })],
  };
  const rotated = await ok(await call(server, 'DELETE', `/api/v1/workspaces/${w1.id}/members/${bob.id}`,
    { auth: alice.session, body: removal }), 200, 'remove member');
  assert.equal(rotated.key_generation, 2);
  assert.deepEqual([...rotated.rotate_recommended].sort(), credentials.map(([c]) => c.id).sort());
  assert.equal((await call(server, 'GET', `/api/v1/workspaces/${w1.id}/credentials/${token.id}`,
    { auth: bob.session })).status, 404);
  // Carol opens the re-sealed connection with her new grant.
  const carolGrants = await ok(await call(server, 'GET', `/api/v1/workspaces/${w1.id}/keys`,
    { auth: carol.session }), 200, 'carol keys');
  const carolKeys = cv.openGrant(carol.handle,
    carolGrants.items.find((g) => g.generation === 2), pins);
  const resealed = await ok(await call(server, 'GET',
    `/api/v1/workspaces/${w1.id}/connections/${connectionId}`, { auth: carol.session }), 200, 'get');
  assert.equal(openConnection(cv, carolKeys, resealed).name, C.connName2);

  // Password change, and recovery with the recovery code.
  const changed = cv.changePassword(alice.handle, alice.record, C.alicePassword2, cv.kdfMinimum());
  generated.alice_new_auth_key = Buffer.from(changed.auth_key, 'base64url');
  await ok(await call(server, 'PUT', '/api/v1/account/password', {
    auth: alice.session,
    body: { auth_key: alice.authKey, record: changed.record, new_auth_key: changed.auth_key },
  }), 200, 'change password');
  const recovered = await ok(await call(server, 'POST', '/api/v1/auth/recover',
    { body: { email: carol.email, recovery_auth_key: carol.recoveryAuthKey } }), 200, 'recover');
  const carolHandle = cv.recoverAccount(carol.recoveryCode, recovered.account);
  const renewed = cv.changePassword(carolHandle, recovered.account, C.carolPassword2, cv.kdfMinimum());
  generated.carol_new_auth_key = Buffer.from(renewed.auth_key, 'base64url');
  await ok(await call(server, 'POST', '/api/v1/auth/recover/complete', {
    body: { email: carol.email, recovery_auth_key: carol.recoveryAuthKey, record: renewed.record,
      auth_key: renewed.auth_key },
  }), 200, 'complete recovery');
  const carolAgain = await login(server, carol.email, renewed.auth_key);
  generated.carol_token2 = carolAgain.token;
  const aliceAgain = await login(server, alice.email, changed.auth_key);
  generated.alice_token3 = aliceAgain.token;
  const audit = await ok(await call(server, 'GET', `/api/v1/workspaces/${w1.id}/audit`,
    { auth: aliceAgain }), 200, 'audit');
  assert.ok(audit.items.length > 5);
  // The password change ended Alice's other session; logging out ends this one.
  assert.equal((await call(server, 'GET', '/api/v1/account', { auth: second })).status, 401);
  await ok(await call(server, 'POST', '/api/v1/auth/logout', { auth: aliceAgain }), 204, 'logout');
  for (const handle of [bobKeys, carolKeys, newKeys, carolHandle, token.dataKey, cert.dataKey,
    basic.dataKey]) cv.release(handle);

  // Positive controls: the scan finds what the server does keep in plaintext.
  const positiveName = canary('positive-workspace-name');
  await newWorkspace(server, alice, positiveName);
  const positivePath = canary('positive-logged-path');
  assert.equal((await call(server, 'GET', `/${positivePath}`)).status, 404);
  // The request log line is written after the response: wait for it (and so for all before).
  for (let i = 0; i < 100 && !server.rawLog.includes(positivePath); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  const secrets = { ...C, ...generated };
  const files = () => filesUnder(dataDir);
  const whileRunning = files();
  const names = whileRunning.map(([name]) => name);
  assert.ok(names.includes('credvault.db'), names.join(', '));
  assert.ok(names.includes('credvault.db-wal'), names.join(', '));
  assert.ok(names.includes('credvault.db-shm'), names.join(', '));
  const positiveHits = scanForSecrets([...whileRunning, ['log', Buffer.from(server.rawLog)]],
    { positiveName, positivePath });
  assert.ok(positiveHits.some((h) => h.startsWith('positiveName (raw) in credvault.db')),
    positiveHits.join('\n'));
  assert.ok(positiveHits.some((h) => h.startsWith('positivePath (raw) in log')),
    positiveHits.join('\n'));

  assert.deepEqual(scanForSecrets([...whileRunning, ['log', Buffer.from(server.rawLog)]], secrets), []);
  // After a graceful stop the WAL is checkpointed into the database: scan that too.
  await stopServer(server);
  assert.deepEqual(scanForSecrets([...files(), ['log', Buffer.from(server.rawLog)]], secrets), []);
  server = undefined;
});

test('the scan finds every encoding it claims to search', () => {
  const secret = 'zkc-self-test-0123456789abcdef';
  for (const [form, needle] of encodingsOf(secret)) {
    const shift = Number(form.split('+')[1] ?? 0);
    const text = Buffer.concat([Buffer.from('x'.repeat(shift)), Buffer.from(secret),
      Buffer.from('tail')]);
    let encoded = text;
    if (form.startsWith('hex')) encoded = Buffer.from(text.toString('hex'));
    if (form.startsWith('HEX')) encoded = Buffer.from(text.toString('hex').toUpperCase());
    if (form.startsWith('base64url')) encoded = Buffer.from(text.toString('base64url'));
    else if (form.startsWith('base64')) encoded = Buffer.from(text.toString('base64'));
    assert.ok(encoded.includes(needle), form);
  }
  assert.deepEqual(scanForSecrets([['nothing', Buffer.from('unrelated bytes')]], { secret }), []);
});
