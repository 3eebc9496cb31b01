// The hosted deployment (issue 7): one throw-away PostgreSQL (tests/fixtures/postgres.mjs),
// two credvault-server processes on it (own data dirs, no built-in runner), and Debian's
// nginx balancing them round robin, with the WebSocket location runners dial in on
// (hosted_support.mjs).
//
// Through nginx: sign up, log in, make a workspace and credentials. A session made on one
// server works on the other (each called directly with the same token), and ends on both at
// logout; what is written through A is read through B. Server A is killed with SIGKILL in
// the middle of a stream of writes through nginx: every write acknowledged with a 2xx is
// there afterwards when read through B, and nginx keeps serving through B.
//
// Cross-server relay: a standalone runner (credvault-runner) dials B only; a sealed test
// posted to A reaches it through PostgreSQL (relay/pg_relay.h) and A answers with the signed
// result, which verifies against the pinned key; posted to B or through nginx, the same. A
// runner connected to no server makes A answer 503 after the claim wait. The runners list
// says "connected" on A as on B (presence in PostgreSQL), and "offline" on both once the
// runner is gone.
//
// Trusted proxy: the servers trust nginx (--trusted-proxy 127.0.0.1) for X-Forwarded-For,
// so failed logins from two clients behind it are limited apart; a client dialling a server
// directly cannot choose its address with a forged header.
//
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (harness.mjs, api_client.mjs),
// CREDVAULT_RUNNER_BIN (default build/native/server/credvault-runner).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { call, errorOf, loadCredvault, login, newUser, newWorkspace, uniqueEmail }
  from './api_client.mjs';
import { makeTempDir } from './harness.mjs';
import { RUNNER_BIN, runnerKeys, sleep, startHosted, startRunner, stopHosted }
  from './hosted_support.mjs';
import { openCredential, sealedCredential } from '../bench/server_records.mjs';

const WAIT_MS = 15000;
const nowSeconds = () => Math.floor(Date.now() / 1000);

// POSTs JSON to `server` from `localAddress` (default 127.0.0.1) with an X-Forwarded-For
// header if given. fetch() cannot choose the source address, so plain http.request.
function postFrom(server, target, body, forwardedFor, localAddress = '127.0.0.1') {
  const payload = JSON.stringify(body);
  const headers = { 'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload) };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${target}`,
      { method: 'POST', headers, localAddress, agent: false }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => { text += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, text }));
      });
    request.on('error', reject);
    request.end(payload);
  });
}

describe('two servers on one PostgreSQL behind nginx', () => {
  let hosted;
  let cv;
  let nginx;
  let a;
  let b;
  let owner;
  let ws;

  before(async () => {
    cv = await loadCredvault();
    hosted = await startHosted();
    ({ nginx, a, b } = hosted);
  });

  after(async () => {
    await stopHosted(hosted);
  });

  function credentialBody(id, name, token) {
    return sealedCredential(cv, { id, ownerId: owner.id, name, fields: { token },
      dataKey: cv.newDataKey(), grants: [{ workspaceId: ws.id, keys: ws.keys, generation: 1 }] });
  }

  test('sign up, log in and make a workspace through nginx; both servers answer', async () => {
    for (const s of [a, b]) {
      const ready = await call(s, 'GET', '/readyz');
      assert.equal(ready.status, 200, ready.text);
      assert.equal(ready.json.store, 'postgresql');
    }
    owner = await newUser(nginx);
    ws = await newWorkspace(nginx, owner, 'Hosted team');
    // Round robin: a few GETs through nginx are answered by both upstreams.
    const seen = new Set();
    for (let i = 0; i < 6; ++i) {
      const answer = await call(nginx, 'GET', '/api/v1/account', { auth: owner.session });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.email, owner.email);
      seen.add(answer.headers.get('x-upstream'));
    }
    assert.deepEqual([...seen].sort(), [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort());
  });

  test('a session made on A works on B, as a token and as a cookie; logout on B ends it on A',
    async () => {
      const session = await login(a, owner.email, owner.authKey);
      for (const s of [a, b]) {
        const bearer = await call(s, 'GET', '/api/v1/account', { auth: session });
        assert.equal(bearer.status, 200, bearer.text);
        assert.equal(bearer.json.account.account_id, owner.id);
      }
      // A cookie session from A passes B's CSRF check (the CSRF digest is in the database).
      const id = cv.newId();
      const noCsrf = await call(b, 'POST', `/api/v1/workspaces/${ws.id}/credentials`,
        { auth: session, cookie: true, csrf: false, body: credentialBody(id, 'cookie', 't') });
      assert.equal(noCsrf.status, 403, noCsrf.text);
      const made = await call(b, 'POST', `/api/v1/workspaces/${ws.id}/credentials`,
        { auth: session, cookie: true, body: credentialBody(id, 'cookie', 't') });
      assert.equal(made.status, 201, made.text);
      const out = await call(b, 'POST', '/api/v1/auth/logout', { auth: session });
      assert.equal(out.status, 204, out.text);
      for (const s of [a, b]) {
        const gone = await call(s, 'GET', '/api/v1/account', { auth: session });
        assert.equal(gone.status, 401, gone.text);
      }
    });

  test('written through A, read through B (and the reverse), versions agree', async () => {
    const id = cv.newId();
    const created = await call(a, 'POST', `/api/v1/workspaces/${ws.id}/credentials`,
      { auth: owner.session, body: credentialBody(id, 'written on A', 'token-a') });
    assert.equal(created.status, 201, created.text);
    const read = await call(b, 'GET', `/api/v1/workspaces/${ws.id}/credentials/${id}`,
      { auth: owner.session });
    assert.equal(read.status, 200, read.text);
    assert.equal(openCredential(cv, ws.keys, read.json, ws.id).fields.token, 'token-a');
    // A stale update on B after A's update is a conflict: one database, one version.
    const v2 = sealedCredential(cv, { id, ownerId: owner.id, version: 2, name: 'v2',
      fields: { token: 'token-b' }, dataKey: cv.newDataKey(),
      grants: [{ workspaceId: ws.id, keys: ws.keys, generation: 1 }] });
    const updated = await call(b, 'PUT', `/api/v1/workspaces/${ws.id}/credentials/${id}`,
      { auth: owner.session, body: v2 });
    assert.equal(updated.status, 200, updated.text);
    const stale = await call(a, 'PUT', `/api/v1/workspaces/${ws.id}/credentials/${id}`,
      { auth: owner.session, body: v2 });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.current_version, 2);
    const reread = await call(a, 'GET', `/api/v1/workspaces/${ws.id}/credentials/${id}`,
      { auth: owner.session });
    assert.equal(openCredential(cv, ws.keys, reread.json, ws.id).fields.token, 'token-b');
  });

  // Behind nginx every TCP peer is nginx. The servers trust it (--trusted-proxy 127.0.0.1)
  // and take the client from the X-Forwarded-For nginx appends to: here the test client
  // plays two clients behind one more proxy, 203.0.113.10 and .20, which the per-address
  // login limit counts apart. A client dialling a server directly from 127.0.0.3 (not a
  // trusted proxy) has its forged header ignored.
  test('login limits per client address behind nginx; a direct client cannot forge one',
    async () => {
      const wrong = cv.deriveAuthKey('wrong', owner.record.salt, owner.record.kdf);
      const failLogin = (via, forwardedFor, localAddress) => postFrom(via, '/api/v1/auth/login',
        { email: uniqueEmail('spray'), auth_key: wrong }, forwardedFor, localAddress);
      const statuses = async (n, attempt) => {
        const seen = [];
        for (let i = 0; i < n; ++i) seen.push((await attempt(i)).status);
        return seen;
      };
      // Client .10 spends its 100 failures (on both servers: the counter is in PostgreSQL).
      const first = await statuses(101, () => failLogin(nginx, '203.0.113.10'));
      assert.deepEqual(first.slice(0, 100), Array(100).fill(401));
      assert.equal(first[100], 429);
      // Client .20 is not limited; nor is anyone reaching nginx without the header.
      assert.equal((await failLogin(nginx, '203.0.113.20')).status, 401);
      const good = await postFrom(nginx, '/api/v1/auth/login',
        { email: owner.email, auth_key: owner.authKey }, '203.0.113.20');
      assert.equal(good.status, 200, good.text);
      assert.equal((await failLogin(nginx)).status, 401);
      // Spoofing entries left of the proxy's own does not escape the limit.
      assert.equal((await failLogin(nginx, '203.0.113.20, 203.0.113.10')).status, 429);
      assert.equal((await failLogin(nginx, '203.0.113.10, 203.0.113.20')).status, 401);
      // Both servers saw the forwarded client and logged it beside the peer.
      for (const s of [a, b]) {
        assert.ok(s.logs.some((e) => e.event === 'request' && e.client === '203.0.113.10' &&
          e.remote === '127.0.0.1'), 'a request log line with the forwarded client');
      }

      // Straight to the servers from 127.0.0.3: a different forged address on every attempt
      // still counts against 127.0.0.3 alone, and naming the limited .10 does not limit it.
      assert.equal((await failLogin(a, '203.0.113.10', '127.0.0.3')).status, 401);
      const direct = await statuses(100, (i) =>
        failLogin(i % 2 ? a : b, `198.51.100.${i % 250}`, '127.0.0.3'));
      assert.deepEqual(direct.slice(0, 99), Array(99).fill(401));
      assert.equal(direct[99], 429);
      assert.equal((await failLogin(b, '203.0.113.30', '127.0.0.3')).status, 429);
      assert.ok(!a.logs.some((e) => e.event === 'request' && e.client?.startsWith('198.51.100.')),
        'a forged address reached the request log');
      // Through nginx, client .20 still logs in.
      const again = await postFrom(nginx, '/api/v1/auth/login',
        { email: owner.email, auth_key: owner.authKey }, '203.0.113.20');
      assert.equal(again.status, 200, again.text);
    });

  test('SIGKILL of A mid-stream: every acknowledged write is read through B; nginx serves on',
    async () => {
      // Bodies are sealed up front so the stream is only HTTP.
      const bodies = Array.from({ length: 160 }, (_, i) => {
        const id = cv.newId();
        return { id, body: credentialBody(id, `stream ${i}`, `token-${i}`) };
      });
      const acknowledged = [];
      const refused = [];
      let byA = 0;  // acknowledged by A itself, before it died
      let killed = false;
      const writer = async (slice) => {
        for (const { id, body } of slice) {
          let answer;
          try {
            answer = await call(nginx, 'POST', `/api/v1/workspaces/${ws.id}/credentials`,
              { auth: owner.session, body });
          } catch {
            refused.push(id);
            continue;
          }
          if (answer.status >= 200 && answer.status < 300) {
            acknowledged.push(id);
            if (answer.headers.get('x-upstream') === `127.0.0.1:${a.port}`) byA += 1;
          } else {
            refused.push(id);
          }
        }
      };
      const killer = (async () => {
        while (acknowledged.length < 40) await sleep(2);
        a.child.kill('SIGKILL');
        killed = true;
      })();
      await Promise.all([0, 1, 2, 3].map((k) => writer(bodies.filter((_, i) => i % 4 === k))));
      await killer;
      assert.ok(killed);
      const { signal } = await a.exited;
      assert.equal(signal, 'SIGKILL');
      // Writes acknowledged before and after the kill (nginx moves on to B).
      assert.ok(acknowledged.length > 80, `acknowledged ${acknowledged.length} of 160`);
      assert.ok(byA >= 10, `A acknowledged ${byA}`);
      assert.ok(acknowledged.length + refused.length === bodies.length);
      for (const id of acknowledged) {
        const read = await call(b, 'GET', `/api/v1/workspaces/${ws.id}/credentials/${id}`,
          { auth: owner.session });
        assert.equal(read.status, 200, `${id}: ${read.text}`);
      }
      // The list through nginx agrees, and every answer now comes from B.
      let listed = 0;
      let cursor = '';
      for (;;) {
        const page = await call(nginx, 'GET',
          `/api/v1/workspaces/${ws.id}/credentials?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
          { auth: owner.session });
        assert.equal(page.status, 200, page.text);
        assert.equal(page.headers.get('x-upstream'), `127.0.0.1:${b.port}`);
        listed += page.json.items.filter((item) => bodies.some((x) => x.id === item.id)).length;
        if (!page.json.next_cursor) break;
        cursor = page.json.next_cursor;
      }
      assert.ok(listed >= acknowledged.length, `listed ${listed} < ${acknowledged.length}`);
      const after = await call(nginx, 'GET', '/api/v1/account', { auth: owner.session });
      assert.equal(after.status, 200, after.text);
    });
});

describe('a runner held by server B answers tests posted to server A', () => {
  const PASSWORD = 'prom-hosted-canary-41c7';
  let hosted;
  let prom;
  let cv;
  let owner;
  let ws;
  let keys;
  let runner;
  let runnerProc;
  let target;

  async function waitFor(what, predicate) {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      if (await predicate()) return;
      await sleep(25);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const logged = (server, event) => server.logs.filter((e) => e.event === event).length;

  async function promConnection(via) {
    const dataKey = cv.newDataKey();
    const credentialId = cv.newId();
    const credential = cv.sealCredential(
      { schema_version: 1, name: 'prom reader', kind: 'prometheus', auth_method: 'basic',
        fields: { username: 'reader', password: PASSWORD } },
      { id: credentialId, owner_id: owner.id, workspace_id: ws.id, version: 1,
        created_at: nowSeconds(), updated_at: nowSeconds() },
      dataKey, [ws.keys]);
    cv.release(dataKey);
    const created = await call(via, 'POST', `/api/v1/workspaces/${ws.id}/credentials`,
      { auth: owner.session, body: credential });
    assert.equal(created.status, 201, created.text);
    const view = { schema_version: 1, id: cv.newId(), workspace_id: ws.id, kind: 'prometheus',
      name: 'prom hosted', endpoint: prom.url, tls: { ca_data: '', server_name: '',
        insecure_skip_verify: false }, credential_id: credentialId, managed: false,
      environment_ids: [], state: 'registered', version: 1, created_at: nowSeconds(),
      updated_at: nowSeconds() };
    const connection = await call(via, 'POST', `/api/v1/workspaces/${ws.id}/connections`,
      { auth: owner.session, body: cv.sealConnection(view, ws.keys) });
    assert.equal(connection.status, 201, connection.text);
    return { credential: created.json, connection: connection.json };
  }

  // Seals a test of `target` to the runner, posts it to `server`; returns the answer and job.
  async function runTest(server) {
    const sealed = cv.sealConnectionTest(target.connection, target.credential, ws.keys,
      { id: runner.id, box_public_key: runner.box_public_key }, { now: nowSeconds() });
    const answer = await call(server, 'POST',
      `/api/v1/workspaces/${ws.id}/connections/${target.connection.id}/tests`,
      { auth: owner.session, body: { runner_id: runner.id, job: sealed.job } });
    return { answer, sealed };
  }

  before(async () => {
    cv = await loadCredvault();
    [hosted, prom] = await Promise.all([startHosted(),
      startPrometheus({ users: { reader: PASSWORD } })]);
    const { nginx, b } = hosted;
    owner = await newUser(nginx);
    ws = await newWorkspace(nginx, owner, 'Relay team');
    keys = runnerKeys();
    runnerProc = startRunner(keys, b.url);
    await waitFor('the runner on B', () => logged(b, 'runner_connected') >= 1);
    const admitted = await call(nginx, 'POST', `/api/v1/workspaces/${ws.id}/runners`,
      { auth: owner.session, body: { id: keys.id, name: 'edge runner',
        box_public_key: keys.box_public_key, sign_public_key: keys.sign_public_key } });
    assert.equal(admitted.status, 201, admitted.text);
    runner = admitted.json;
    target = await promConnection(nginx);
  });

  after(async () => {
    if (runnerProc && runnerProc.exitCode === null) runnerProc.kill('SIGKILL');
    await Promise.all([stopHosted(hosted), prom && prom.close()]);
  });

  test('posted to A (which has no link): ok, signed by the runner, verified with the pinned key',
    async () => {
      const { a, b } = hosted;
      assert.equal(logged(a, 'runner_connected'), 0);
      assert.equal(logged(b, 'runner_connected'), 1);
      const { answer, sealed } = await runTest(a);
      assert.equal(answer.status, 200, answer.text);
      const payload = cv.verifyTestResult(runner.sign_public_key, answer.json.result,
        sealed.header.job_id, target.connection.id);
      assert.equal(payload.outcome, 'ok');
      assert.equal(payload.runner_id, keys.id);
      assert.equal(answer.json.connection.state, 'connected');
      // Another key does not verify it: the result is the runner's own signature.
      const other = JSON.parse(execFileSync(RUNNER_BIN, ['--print-keys', '--key-dir',
        path.join(makeTempDir('credvault-hosted-other-'), 'keys')], { encoding: 'utf8' }));
      assert.throws(() => cv.verifyTestResult(other.sign_public_key, answer.json.result,
        sealed.header.job_id, target.connection.id));
      // Nothing is left behind in the relay table.
      const rows = execFileSync('psql', [hosted.pg.url, '-At', '-c',
        'SELECT count(*) FROM relay_jobs'], { encoding: 'utf8' }).trim();
      assert.equal(rows, '0');
    });

  test('posted to B (which holds the link) and through nginx: ok each time', async () => {
    const { b, nginx } = hosted;
    for (const server of [b, nginx, nginx, nginx]) {
      const { answer, sealed } = await runTest(server);
      assert.equal(answer.status, 200, answer.text);
      const payload = cv.verifyTestResult(runner.sign_public_key, answer.json.result,
        sealed.header.job_id, target.connection.id);
      assert.equal(payload.outcome, 'ok');
    }
  });

  test('a replayed job relayed through A is refused by the runner, as a local one is',
    async () => {
      const { a, b } = hosted;
      const { answer, sealed } = await runTest(a);
      assert.equal(answer.status, 200, answer.text);
      const again = await call(b, 'POST',
        `/api/v1/workspaces/${ws.id}/connections/${target.connection.id}/tests`,
        { auth: owner.session, body: { runner_id: runner.id, job: sealed.job } });
      assert.notEqual(again.status, 200, again.text);
      const viaA = await call(a, 'POST',
        `/api/v1/workspaces/${ws.id}/connections/${target.connection.id}/tests`,
        { auth: owner.session, body: { runner_id: runner.id, job: sealed.job } });
      assert.equal(viaA.status, again.status, viaA.text);
      assert.equal(errorOf(again).code, 'replayed');
      assert.equal(errorOf(viaA).code, 'replayed');
    });

  // Whether `server`'s runners list says the runner is connected.
  async function listedConnected(server) {
    const list = await call(server, 'GET', `/api/v1/workspaces/${ws.id}/runners`,
      { auth: owner.session });
    assert.equal(list.status, 200, list.text);
    const item = list.json.items.find((r) => r.id === runner.id);
    assert.ok(item, 'the runner is listed');
    return item.connected;
  }

  test('the runners list says connected on A too, and through nginx every time', async () => {
    const { a, b, nginx } = hosted;
    await waitFor('A to learn B holds the runner', () => listedConnected(a));
    for (const server of [a, b, nginx, nginx, nginx, nginx]) {
      assert.equal(await listedConnected(server), true);
    }
    const one = await call(a, 'GET', `/api/v1/workspaces/${ws.id}/runners/${runner.id}`,
      { auth: owner.session });
    assert.equal(one.json.connected, true, one.text);
    // Presence is a row per holding server, refreshed with a short expiry.
    const rows = execFileSync('psql', [hosted.pg.url, '-At', '-c',
      'SELECT count(*) FROM runner_presence'], { encoding: 'utf8' }).trim();
    assert.equal(rows, '1');
  });

  test('the runner connected nowhere: A answers 503 unavailable after the claim wait',
    async () => {
      const { a, b } = hosted;
      runnerProc.kill('SIGKILL');
      await waitFor('the runner gone from B', () => logged(b, 'runner_disconnected') >= 1);
      // Both lists say offline again within a heartbeat or two.
      await waitFor('A and B to list it offline', async () =>
        !(await listedConnected(a)) && !(await listedConnected(b)));
      const started = Date.now();
      const { answer } = await runTest(a);
      assert.equal(answer.status, 503, answer.text);
      assert.equal(errorOf(answer).code, 'unavailable');
      assert.ok(Date.now() - started < 10000, `${Date.now() - started} ms`);
    });
});
