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
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (harness.mjs, api_client.mjs).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startPostgres } from '../fixtures/postgres.mjs';
import { call, loadCredvault, login, newUser, newWorkspace } from './api_client.mjs';
import { makeTempDir, startServer, stopServer } from './harness.mjs';
import { openCredential, sealedCredential } from '../bench/server_records.mjs';

const START_TIMEOUT_MS = 10000;
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
