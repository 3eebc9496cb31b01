// make bench, relay part (issue 5): what a connectivity test through the server and the
// built-in runner adds over asking Prometheus directly, in one run.
//
// Starts a real Prometheus (basic auth) and the server (built-in runner admitted to a
// workspace), then times at the client, sequentially:
//   relay        N x POST .../connections/{id}/tests (one keep-alive connection to the server;
//                the runner itself dials Prometheus anew for every test, by design)
//   direct       N x GET /api/v1/status/buildinfo with the same basic auth, keep-alive
//   direct-new   the same with a new TCP connection per request (what the runner pays)
// Sealing the job and verifying the signed result happen in the client's WASM core and are
// timed separately (they are not part of the relay). Every relayed result is verified and
// must be "ok". Env: BENCH_RELAY_N (200), CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { call, loadCredvault, newUser, newWorkspace } from '../web/api_client.mjs';
import { startServer, stopServer } from '../web/harness.mjs';

const N = Number.parseInt(process.env.BENCH_RELAY_N ?? '200', 10);
const WARMUP = 20;
const PASSWORD = 'bench-relay-pw-5d1e';
const nowSeconds = () => Math.floor(Date.now() / 1000);

// One request on `agent`; resolves {status, body}.
function request(agent, url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p90: at(0.9), min: sorted[0] };
}

const cv = await loadCredvault();
// The server as deployed keeps its data directory on disk (SQLite, synchronous=FULL: every
// recorded test is fsynced); a second server with its data on tmpfs shows what the fsync costs.
const shm = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/credvault-relay-') : null;
const [disk, memory, prom] = await Promise.all([startServer(),
  shm ? startServer({ dataDir: path.join(shm, 'data') }) : null,
  startPrometheus({ users: { reader: PASSWORD } })]);
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
const fresh = new http.Agent({ keepAlive: false });
const sealMs = [];
const verifyMs = [];
const runnerMs = [];  // the runner's own latency_ms, as signed (whole ms)

// A workspace with the built-in runner admitted and one Prometheus connection; returns a
// function that runs one relayed test and resolves its client-side time in ms.
async function relayOn(server) {
  const owner = await newUser(server);
  const ws = await newWorkspace(server, owner, 'bench');
  const post = (p, body) => call(server, 'POST', p, { auth: owner.session, body });
  const builtin = await call(server, 'GET', '/api/v1/runners/builtin', { auth: owner.session });
  const { id, name, box_public_key, sign_public_key } = builtin.json;
  const admitted = await post(`/api/v1/workspaces/${ws.id}/runners`,
    { id, name, box_public_key, sign_public_key });
  assert.equal(admitted.status, 201, admitted.text);
  const runner = admitted.json;
  const dataKey = cv.newDataKey();
  const credential = cv.sealCredential(
    { schema_version: 1, name: 'prom', kind: 'prometheus', auth_method: 'basic',
      fields: { username: 'reader', password: PASSWORD } },
    { id: cv.newId(), owner_id: owner.id, workspace_id: ws.id, version: 1,
      created_at: nowSeconds(), updated_at: nowSeconds() }, dataKey, [ws.keys]);
  cv.release(dataKey);
  const stored = (await post(`/api/v1/workspaces/${ws.id}/credentials`, credential)).json;
  const view = { schema_version: 1, id: cv.newId(), workspace_id: ws.id, kind: 'prometheus',
    name: 'prom', endpoint: prom.url,
    tls: { ca_data: '', server_name: '', insecure_skip_verify: false },
    credential_id: stored.id, managed: false, environment_ids: [], state: 'registered',
    version: 1, created_at: nowSeconds(), updated_at: nowSeconds() };
  const connection = (await post(`/api/v1/workspaces/${ws.id}/connections`,
    cv.sealConnection(view, ws.keys))).json;
  const testUrl = `${server.url}/api/v1/workspaces/${ws.id}/connections/${connection.id}/tests`;
  const headers = { authorization: `Bearer ${owner.session.token}`,
    'content-type': 'application/json' };
  // Own keep-alive connection per server.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const connectionUrl = `${server.url}/api/v1/workspaces/${ws.id}/connections/${connection.id}`;
  const run = async () => {
    let t = performance.now();
    const sealed = cv.sealConnectionTest(connection, stored, ws.keys,
      { id: runner.id, box_public_key: runner.box_public_key }, { now: nowSeconds() });
    sealMs.push(performance.now() - t);
    const body = JSON.stringify({ runner_id: runner.id, job: sealed.job });
    t = performance.now();
    const answer = await request(agent, testUrl, { method: 'POST', headers, body });
    const elapsed = performance.now() - t;
    assert.equal(answer.status, 200, answer.body);
    t = performance.now();
    const payload = cv.verifyTestResult(runner.sign_public_key, JSON.parse(answer.body).result,
      sealed.header.job_id, connection.id);
    verifyMs.push(performance.now() - t);
    assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
    runnerMs.push(payload.latency_ms);
    return elapsed;
  };
  // The server's floor: an authenticated read of the same connection on the same socket.
  run.read = async () => {
    const t = performance.now();
    const answer = await request(agent, connectionUrl, { headers });
    const elapsed = performance.now() - t;
    assert.equal(answer.status, 200, answer.body);
    return elapsed;
  };
  return run;
}

// The server's own time for the POST (request log duration_ms: read to written).
function serverDurations(server) {
  return server.logs.filter((e) => e.event === 'request' && e.method === 'POST' &&
    /\/tests$/.test(e.path ?? '') && e.status === 200).map((e) => e.duration_ms);
}

try {
  const basic = { authorization: `Basic ${Buffer.from(`reader:${PASSWORD}`).toString('base64')}` };
  const buildinfo = `${prom.url}/api/v1/status/buildinfo`;
  async function directOnce(agent) {
    const t = performance.now();
    const answer = await request(agent, buildinfo, { headers: basic });
    const elapsed = performance.now() - t;
    assert.equal(answer.status, 200, answer.body);
    return elapsed;
  }
  const relayDisk = await relayOn(disk);
  const relayMemory = memory ? await relayOn(memory) : null;

  // Interleaved rounds, so drift in machine load hits every series alike.
  const samples = { relay: [], memory: [], direct: [], directNew: [], read: [] };
  for (let i = 0; i < WARMUP + N; i += 1) {
    const g = await relayDisk.read();
    const r = await relayDisk();
    const m = relayMemory ? await relayMemory() : NaN;
    const d = await directOnce(keepAlive);
    const n = await directOnce(fresh);
    if (i >= WARMUP) {
      samples.relay.push(r);
      samples.memory.push(m);
      samples.direct.push(d);
      samples.directNew.push(n);
      samples.read.push(g);
    }
  }
  const relay = stats(samples.relay);
  const direct = stats(samples.direct);
  const directNew = stats(samples.directNew);
  const added = relay.median - direct.median;
  const f = (x) => x.toFixed(2).padStart(7);
  const row = (label, x) => console.log(`  ${label.padEnd(46)} median ${f(x.median)} ms   p90 ` +
    `${f(x.p90)} ms   min ${f(x.min)} ms`);
  console.log(`relay latency: ${N} sequential connectivity tests vs ${N} direct requests to the ` +
    `same Prometheus (basic auth), in one run (load average ${os.loadavg()
      .map((l) => l.toFixed(2)).join(' ')}, ${os.cpus().length} cores)`);
  row('through server + built-in runner', relay);
  row('direct, keep-alive', direct);
  row('direct, new TCP connection per request', directNew);
  console.log(`  added by the relay (median): ${added.toFixed(2)} ms (target <= 2 ms: ` +
    `${added <= 2 ? 'met' : 'NOT met'}); p90 difference ${(relay.p90 - direct.p90).toFixed(2)} ms`);
  console.log('  where the time goes:');
  console.log(`    a new TCP connection per test (the runner's, by design): ` +
    `${(directNew.median - direct.median).toFixed(2)} ms (median difference)`);
  row('  server floor: authenticated GET of the connection', stats(samples.read));
  const serverSide = stats(serverDurations(disk).slice(-N));
  console.log(`    the server's own time for the POST (its request log): median ` +
    `${serverSide.median.toFixed(2)} ms, p90 ${serverSide.p90.toFixed(2)} ms; the runner's probe ` +
    `(signed latency_ms, whole ms): median ${stats(runnerMs).median} ms`);
  if (relayMemory) {
    const onTmpfs = stats(samples.memory);
    const memorySide = stats(serverDurations(memory).slice(-N));
    row('  same, data directory on tmpfs (no fsync cost)', onTmpfs);
    console.log(`    recording the result durably (SQLite synchronous=FULL, fsync on this disk): ` +
      `${(relay.median - onTmpfs.median).toFixed(2)} ms (median difference); server time on ` +
      `tmpfs median ${memorySide.median.toFixed(2)} ms; added over direct with tmpfs: ` +
      `${(onTmpfs.median - direct.median).toFixed(2)} ms`);
  }
  console.log(`    not in the relay time: sealing the job ${stats(sealMs).median.toFixed(2)} ms, ` +
    `verifying the result ${stats(verifyMs).median.toFixed(2)} ms (median, client WASM)`);
} finally {
  await Promise.all([stopServer(disk), memory && stopServer(memory), prom.close()]);
  if (shm) fs.rmSync(shm, { recursive: true, force: true });
}
