// The hosted deployment (issue 7): one throw-away PostgreSQL (tests/fixtures/postgres.mjs),
// two credvault-server processes on it (own data dirs, no built-in runner), and Debian's
// nginx balancing them round robin, with the WebSocket location runners dial in on.
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
// runner connected to no server makes A answer 503 after the claim wait.
//
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (harness.mjs, api_client.mjs),
// CREDVAULT_RUNNER_BIN (default build/native/server/credvault-runner).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startPostgres } from '../fixtures/postgres.mjs';
import { startPrometheus } from '../fixtures/prometheus.mjs';
import { call, errorOf, loadCredvault, login, newUser, newWorkspace } from './api_client.mjs';
import { REPO_ROOT, makeTempDir, startServer, stopServer } from './harness.mjs';
import { openCredential, sealedCredential } from '../bench/server_records.mjs';

const START_TIMEOUT_MS = 10000;
const WAIT_MS = 15000;
const RUNNER_BIN = process.env.CREDVAULT_RUNNER_BIN ??
  path.join(REPO_ROOT, 'build', 'native', 'server', 'credvault-runner');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// nginx (Debian's) in the foreground with a temporary config, as tests/bench/run_server.sh
// runs it: round robin over `upstreams`, the runner WebSocket location with the upgrade
// headers, and the upstream that answered in X-Upstream (so a test can see both are used).
export async function startNginx(upstreams) {
  const dir = makeTempDir('credvault-nginx-');
  fs.chmodSync(dir, 0o755);  // nginx workers run as an unprivileged user when we are root
  const port = await freePort();
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream credvault {
${servers.join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 2m;
    add_header X-Upstream $upstream_addr always;
    location /api/v1/runners/connect {
      proxy_pass http://credvault;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_read_timeout 120s;
    }
    location / {
      proxy_pass http://credvault;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`);
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
    await sleep(50);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
    },
  };
}

// Everything the hosted tests share: PostgreSQL, servers A and B, nginx in front.
export async function startHosted({ serverArgs = [] } = {}) {
  const pg = await startPostgres();
  const started = await Promise.all(['a', 'b'].map((name) => startServer({
    dataDir: path.join(makeTempDir(`credvault-hosted-${name}-`), 'data'),
    args: ['--store', pg.url, '--builtin-runner', 'off', ...serverArgs],
  })));
  const nginx = await startNginx(started.map((s) => s.port));
  return { pg, a: started[0], b: started[1], nginx };
}

export async function stopHosted(hosted) {
  if (!hosted) return;
  await hosted.nginx?.stop();
  await Promise.all([hosted.a, hosted.b].map((s) => s && s.child.exitCode === null &&
    s.child.signalCode === null && stopServer(s)));
  await hosted.pg?.stop();
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
  const keyDir = path.join(makeTempDir('credvault-hosted-runner-'), 'keys');

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
    keys = JSON.parse(execFileSync(RUNNER_BIN, ['--print-keys', '--key-dir', keyDir],
      { encoding: 'utf8' }));
    runnerProc = spawn(RUNNER_BIN, ['--server', `ws://127.0.0.1:${b.port}`, '--key-dir', keyDir,
      '--jobs', '4'], { stdio: ['ignore', 'ignore', 'ignore'] });
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

  test('the runner connected nowhere: A answers 503 unavailable after the claim wait',
    async () => {
      const { a, b } = hosted;
      runnerProc.kill('SIGKILL');
      await waitFor('the runner gone from B', () => logged(b, 'runner_disconnected') >= 1);
      const started = Date.now();
      const { answer } = await runTest(a);
      assert.equal(answer.status, 503, answer.text);
      assert.equal(errorOf(answer).code, 'unavailable');
      assert.ok(Date.now() - started < 10000, `${Date.now() - started} ms`);
    });
});
