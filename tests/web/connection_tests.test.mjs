// Connectivity tests through the whole chain (DESIGN §5): the WASM client in Node seals a job
// to the built-in runner, the server relays what it cannot open, the runner tests a real
// Prometheus (Debian's package, basic auth) and signs the result, the server verifies and
// records it, and the client verifies it against the runner key it pinned.
//
// Also what a malicious or confused server or client cannot do: replay, expire, tamper with
// or redirect a job, record a result for another connection, use a runner the workspace
// did not admit; and the runner's refusal of a cloud-metadata address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { addMember, call, errorOf, loadCredvault, newUser, newWorkspace } from './api_client.mjs';
import { startServer, stopServer } from './harness.mjs';

const PASSWORD = 'prom-canary-pw-7f3a';
const ROTATED = 'prom-canary-rotated-91c2';

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('connection tests through the server and the built-in runner', () => {
  let server;
  let prom;
  let cv;
  let owner;
  let ws;
  let runner;  // as admitted: {id, box_public_key, sign_public_key}

  async function post(path, body, user = owner) {
    return call(server, 'POST', path, { auth: user.session, body });
  }

  // A credential and a connection sealed by the core, as the web app does.
  async function promConnection({ password = PASSWORD, endpoint = prom.url } = {}) {
    const dataKey = cv.newDataKey();
    const credentialId = cv.newId();
    const credential = cv.sealCredential(
      { schema_version: 1, name: 'prom reader', kind: 'prometheus', auth_method: 'basic',
        fields: { username: 'reader', password } },
      { id: credentialId, owner_id: owner.id, workspace_id: ws.id, version: 1,
        created_at: nowSeconds(), updated_at: nowSeconds() },
      dataKey, [ws.keys]);
    cv.release(dataKey);
    const created = await post(`/api/v1/workspaces/${ws.id}/credentials`, credential);
    assert.equal(created.status, 201, created.text);
    const view = { schema_version: 1, id: cv.newId(), workspace_id: ws.id, kind: 'prometheus',
      name: 'prom local', endpoint, tls: { ca_data: '', server_name: '',
        insecure_skip_verify: false }, credential_id: credentialId, managed: false,
      environment_ids: [], state: 'registered', version: 1, created_at: nowSeconds(),
      updated_at: nowSeconds() };
    const connection = await post(`/api/v1/workspaces/${ws.id}/connections`,
      cv.sealConnection(view, ws.keys));
    assert.equal(connection.status, 201, connection.text);
    return { credential: created.json, connection: connection.json };
  }

  function seal(target, options = {}) {
    return cv.sealConnectionTest(target.connection, target.credential, ws.keys,
      { id: runner.id, box_public_key: runner.box_public_key }, { now: nowSeconds(), ...options });
  }

  function testPath(connection) {
    return `/api/v1/workspaces/${ws.id}/connections/${connection.id}/tests`;
  }

  async function runTest(target, sealed = seal(target), user = owner) {
    return post(testPath(target.connection), { runner_id: runner.id, job: sealed.job }, user);
  }

  // What the client believes: only a result that verifies against the pinned key.
  function verified(answer, sealed, connectionId) {
    return cv.verifyTestResult(runner.sign_public_key, answer.json.result,
      sealed.header.job_id, connectionId);
  }

  before(async () => {
    cv = await loadCredvault();
    [server, prom] = await Promise.all([startServer(),
      startPrometheus({ users: { reader: PASSWORD } })]);
    owner = await newUser(server);
    ws = await newWorkspace(server, owner);
    const builtin = await call(server, 'GET', '/api/v1/runners/builtin', { auth: owner.session });
    assert.equal(builtin.status, 200, builtin.text);
    // The admin compares the fingerprint the server shows with the one the runner logged;
    // here both come from the same process, so the check is the core's own computation.
    assert.equal(builtin.json.fingerprint, cv.fingerprint(builtin.json.sign_public_key));
    const { id, name, box_public_key, sign_public_key } = builtin.json;
    const admitted = await post(`/api/v1/workspaces/${ws.id}/runners`,
      { id, name, box_public_key, sign_public_key });
    assert.equal(admitted.status, 201, `${admitted.text} ${JSON.stringify(builtin.json)}`);
    runner = admitted.json;
  });

  after(async () => {
    await Promise.all([server && stopServer(server), prom && prom.close()]);
  });

  test('the admitted built-in runner is listed as connected', async () => {
    const listed = await call(server, 'GET', `/api/v1/workspaces/${ws.id}/runners`,
      { auth: owner.session });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.json.items.map((r) => [r.id, r.connected]), [[runner.id, true]]);
  });

  test('right password: ok, connected, the signed result recorded as the last test', async () => {
    const target = await promConnection();
    const sealed = seal(target);
    const answer = await runTest(target, sealed);
    assert.equal(answer.status, 200, answer.text);
    const payload = verified(answer, sealed, target.connection.id);
    assert.equal(payload.outcome, 'ok');
    assert.match(payload.server_version, /^\d+\.\d+/);
    assert.equal(answer.json.connection.state, 'connected');
    assert.equal(answer.json.connection.last_test.outcome, 'ok');
    assert.equal(answer.json.connection.last_test.runner_id, runner.id);
    assert.equal(answer.json.connection.last_test.http_status, 200);
    assert.ok(answer.json.connection.last_test.latency_ms >= 0);
    // The credential crossed plain HTTP: the result says so.
    assert.ok(payload.remediations.some((r) => /tls|https|plain/i.test(r.code)) ||
      /plain|unencrypted|http:/i.test(payload.message), JSON.stringify(payload));

    const stored = await call(server, 'GET',
      `/api/v1/workspaces/${ws.id}/connections/${target.connection.id}`, { auth: owner.session });
    assert.deepEqual(stored.json.last_test, answer.json.connection.last_test);
    const audit = await call(server, 'GET', `/api/v1/workspaces/${ws.id}/audit`,
      { auth: owner.session });
    assert.ok(audit.json.items.some((e) => e.action === 'connection.test' &&
      e.object_id === target.connection.id));
  });

  test('rotated password: unauthorized, disconnected, with what to do', async () => {
    const target = await promConnection();
    assert.equal((await runTest(target)).json.connection.state, 'connected');
    await prom.setUsers({ reader: ROTATED });
    try {
      const sealed = seal(target);
      const answer = await runTest(target, sealed);
      assert.equal(answer.status, 200, answer.text);
      const payload = verified(answer, sealed, target.connection.id);
      assert.equal(payload.outcome, 'unauthorized');
      assert.equal(payload.http_status, 401);
      assert.ok(payload.remediations.length > 0);
      assert.equal(answer.json.connection.state, 'disconnected');
      assert.equal(answer.json.connection.last_test.outcome, 'unauthorized');
    } finally {
      await prom.setUsers({ reader: PASSWORD });
    }
  });

  test('a replayed job is refused by the runner and changes nothing', async () => {
    const target = await promConnection();
    const sealed = seal(target);
    assert.equal((await runTest(target, sealed)).status, 200);
    const replay = await runTest(target, sealed);
    assert.equal(replay.status, 409);
    assert.equal(errorOf(replay).code, 'replayed');
  });

  test('an expired job is refused (410)', async () => {
    const target = await promConnection();
    const sealed = seal(target, { now: nowSeconds() - 120, lifetime_seconds: 30 });
    const answer = await runTest(target, sealed);
    assert.equal(answer.status, 410);
    assert.equal(errorOf(answer).code, 'expired');
  });

  test('a tampered job does not open', async () => {
    const target = await promConnection();
    const sealed = seal(target);
    const bytes = Buffer.from(sealed.job, 'base64url');
    bytes[bytes.length - 5] ^= 0x01;
    const answer = await runTest(target, { ...sealed, job: bytes.toString('base64url') });
    assert.equal(answer.status, 400);
    assert.equal(errorOf(answer).code, 'decrypt_failed');
  });

  test('a job posted to another connection is not recorded there', async () => {
    const first = await promConnection();
    const second = await promConnection({ password: 'wrong' });
    const sealed = seal(first);
    const answer = await post(testPath(second.connection), { runner_id: runner.id, job: sealed.job });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(errorOf(answer).code, 'wrong_recipient');
    const stored = await call(server, 'GET',
      `/api/v1/workspaces/${ws.id}/connections/${second.connection.id}`, { auth: owner.session });
    assert.equal(stored.json.last_test, undefined);
    assert.equal(stored.json.state, 'registered');
  });

  test('a result is believed only with the key the client pinned', async () => {
    const target = await promConnection();
    const sealed = seal(target);
    const answer = await runTest(target, sealed);
    const stranger = cv.accountInfo(owner.handle).sign_public_key;
    assert.throws(() => cv.verifyTestResult(stranger, answer.json.result, sealed.header.job_id,
      target.connection.id), (err) => err.code === 'bad_signature');
    assert.throws(() => verified(answer, sealed, cv.newId()),
      (err) => err.code === 'wrong_recipient');
    const forged = { ...answer.json.result,
      payload: answer.json.result.payload.replace('"ok"', '"unauthorized"') };
    assert.throws(() => cv.verifyTestResult(runner.sign_public_key, forged,
      sealed.header.job_id, target.connection.id), (err) => err.code === 'bad_signature');
  });

  test('the cloud metadata address is refused by the runner before any connection', async () => {
    const target = await promConnection({ endpoint: 'http://169.254.169.254' });
    const sealed = seal(target);
    const answer = await runTest(target, sealed);
    assert.equal(answer.status, 200, answer.text);
    const payload = verified(answer, sealed, target.connection.id);
    assert.equal(payload.outcome, 'blocked_by_policy');
    assert.equal(answer.json.connection.state, 'registered');
  });

  test('who may relay: no session 401, a viewer 403, an unknown runner 400, bad bodies 400',
    async () => {
      const target = await promConnection();
      const sealed = seal(target);
      const path = testPath(target.connection);
      assert.equal((await call(server, 'POST', path,
        { body: { runner_id: runner.id, job: sealed.job } })).status, 401);
      const viewer = await newUser(server);
      await addMember(server, owner, ws, viewer, 'viewer');
      const refused = await post(path, { runner_id: runner.id, job: sealed.job }, viewer);
      assert.equal(refused.status, 403);
      const unknown = await post(path, { runner_id: cv.newId(), job: sealed.job });
      assert.equal(unknown.status, 400);
      assert.match(errorOf(unknown).message, /runner_id/);
      for (const body of [{}, { runner_id: runner.id }, { runner_id: runner.id, job: '' },
        { runner_id: runner.id, job: '***' }, { runner_id: runner.id, job: sealed.job, x: 1 },
        { runner_id: 'nope', job: sealed.job }]) {
        const answer = await post(path, body);
        assert.equal(answer.status, 400, JSON.stringify(body));
      }
      const stored = await call(server, 'GET',
        `/api/v1/workspaces/${ws.id}/connections/${target.connection.id}`, { auth: owner.session });
      assert.equal(stored.json.last_test, undefined);
    });

  test('no password reaches the server log', () => {
    assert.equal(server.rawLog.includes(PASSWORD), false);
    assert.equal(server.rawLog.includes(ROTATED), false);
  });
});
