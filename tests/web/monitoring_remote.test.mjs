// Active monitoring through a standalone runner: the server runs with no built-in runner
// (--builtin-runner off); a real credvault-runner process dials in over the WebSocket; an
// admin admits it and grants it the workspace keys; the server's scheduler sends it
// monitoring frames (ciphertext, grants and public keys only); it opens them itself, tests a
// real Prometheus and answers signed results, which the server verifies against the pinned
// key and records. A changed password flips the connection with no client involved; a
// revoked grant stops the results; a runner that pins another key for the admin
// (--trust-granter) refuses the jobs, and only an error code reaches the logs. On two servers
// sharing PostgreSQL, only the server holding a runner's link dispatches to it.
// The servers run with the test-only --monitor-minute-seconds 1.
// Run: CREDVAULT_SERVER_BIN=... CREDVAULT_RUNNER_BIN=... NODE_PATH=/usr/share/nodejs \
//   node --test tests/web/monitoring_remote.test.mjs
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { scanForSecrets } from './canary.mjs';
import { MODULE_DIR, uniqueEmail } from './api_client.mjs';
import { makeTempDir, startServer, stopServer } from './harness.mjs';
import { printKeys, sessionFetch, sleep, startRunner, until, waitForLog }
  from './monitoring_support.mjs';

const PASSWORD = 'remote-monitor-canary-first-71c3';
const CHANGED = 'remote-monitor-canary-second-0d9e';
const USER_PW = 'correct horse battery staple';
const MINUTE_SECONDS = 1;

const { createClient } = await import(pathToFileURL(path.join(MODULE_DIR, 'client.mjs')).href);

function promCredential(password) {
  return { schema_version: 1, name: 'prom reader', kind: 'prometheus', auth_method: 'basic',
    fields: { username: 'reader', password } };
}

// The fields of a runner's "monitor" log line: a request id, a code and a duration.
const MONITOR_LINE_FIELDS = new Set(['time', 'event', 'request_id', 'status', 'duration_ms']);

describe('active monitoring by a standalone runner', () => {
  let server;
  let prom;
  let client;
  let session;
  let ws;
  let keys;
  let runner;
  const extraRunners = [];
  let watched;

  const stateOf = async (id) => (await ws.connections()).items.find((c) => c.id === id)?.state;
  const admitRemote = (workspace, runnerKeys, name) => workspace.admitRunner({ id: runnerKeys.id,
    name, box_public_key: runnerKeys.box_public_key, sign_public_key: runnerKeys.sign_public_key });

  before(async () => {
    [server, prom] = await Promise.all([
      startServer({ args: ['--builtin-runner', 'off',
        '--monitor-minute-seconds', String(MINUTE_SECONDS)] }),
      startPrometheus({ users: { reader: PASSWORD } }),
    ]);
    session = sessionFetch();
    client = await createClient({ baseUrl: server.url, fetch: session });
    await client.signUp(uniqueEmail('remote-monitor'), USER_PW, { kdf: client.cv.kdfMinimum() });
    ws = await client.createWorkspace('Monitored remotely');
    const keyDir = makeTempDir('credvault-monitor-runner-');
    keys = printKeys(keyDir);
    runner = startRunner(server.port, keyDir, ['--jobs', '2']);
    await waitForLog(runner, 'connected');
    await admitRemote(ws, keys, 'remote');
    const credential = await ws.createCredential(promCredential(PASSWORD));
    watched = await ws.createConnection({ kind: 'prometheus', name: 'watched',
      endpoint: prom.url, credential_id: credential.id });
    await ws.setMonitor(watched.id, 1);
    watched.credentialId = credential.id;
  });

  after(async () => {
    if (client) await client.logOut().catch(() => {});
    await Promise.all([runner?.stop(), ...extraRunners.map((r) => r.stop())]);
    await Promise.all([server && stopServer(server), prom && prom.close()]);
  });

  test('no built-in runner, nothing granted: a schedule alone tests nothing', async () => {
    const listening = server.logs.find((l) => l.event === 'listening');
    assert.equal(listening.builtin_runner, '');
    const [row] = await ws.runners();
    assert.equal(row.id, keys.id);
    assert.equal(row.granted, false);
    await sleep(3000 * MINUTE_SECONDS);
    assert.deepEqual(await ws.history(watched.id), []);
    assert.equal(runner.logs.filter((l) => l.event === 'monitor').length, 0);
  });

  test('granted, the standalone runner tests on schedule: connected with no client', async () => {
    await ws.grantRunner(keys.id);
    await until('connected', async () => (await stateOf(watched.id)) === 'connected');
    const [entry] = await ws.history(watched.id);
    assert.equal(entry.source, 'monitor');
    assert.equal(entry.outcome, 'ok');
    assert.equal(entry.runner_id, keys.id);
    assert.equal(entry.state_after, 'connected');
    const [signed] = await waitForLog(runner, 'monitor', { filter: (l) => l.status === 'signed' });
    for (const field of Object.keys(signed)) assert.ok(MONITOR_LINE_FIELDS.has(field), field);
    // More results keep arriving, every one of them from the standalone runner.
    await until('a second result', async () => (await ws.history(watched.id)).length >= 2);
    assert.ok((await ws.history(watched.id)).every((e) => e.runner_id === keys.id));
  });

  test('a changed password flips it to disconnected within an interval, and back', async () => {
    await prom.setUsers({ reader: CHANGED });
    const changedAt = Date.now();
    await until('disconnected', async () => (await stateOf(watched.id)) === 'disconnected');
    // One 1 s interval, a scan tick and a probe: far under the 20 s the wait allows, on a
    // loaded shared machine.
    const took = Date.now() - changedAt;
    assert.ok(took < 20000, `took ${took} ms`);
    const flip = (await ws.history(watched.id)).find((e) => e.state_after === 'disconnected');
    assert.equal(flip.outcome, 'unauthorized');
    assert.equal(flip.runner_id, keys.id);
    const { items: audit } = await ws.audit();
    assert.ok(audit.some((e) => e.action === 'connection.monitor' && e.object_id === watched.id &&
      e.actor_id === keys.id));
    await ws.updateCredential(watched.credentialId, promCredential(CHANGED));
    await until('connected again', async () => (await stateOf(watched.id)) === 'connected');
  });

  test('a runner pinning another key for the admin refuses: nothing recorded', async () => {
    const pinnedWs = await client.createWorkspace('Pinned elsewhere');
    const { items: members } = await session.get(
      `${server.url}/api/v1/workspaces/${pinnedWs.id}/members`);
    const admin = members.find((m) => m.account_id === client.account.id);
    assert.ok(admin.sign_public_key);
    const wrongKey = crypto.randomBytes(32).toString('base64url');
    const keyDir = makeTempDir('credvault-monitor-pinned-');
    const pinnedKeys = printKeys(keyDir);
    const pinned = startRunner(server.port, keyDir,
      ['--trust-granter', `${client.account.id}=${wrongKey}`]);
    extraRunners.push(pinned);
    await waitForLog(pinned, 'connected');
    assert.equal(pinned.logs.find((l) => l.event === 'runner_started').trusted_granters, 1);
    await admitRemote(pinnedWs, pinnedKeys, 'pinned elsewhere');
    const credential = await pinnedWs.createCredential(promCredential(CHANGED));
    const target = await pinnedWs.createConnection({ kind: 'prometheus', name: 'pinned',
      endpoint: prom.url, credential_id: credential.id });
    await pinnedWs.setMonitor(target.id, 1);
    await pinnedWs.grantRunner(pinnedKeys.id);

    // The runner refuses (the grant's signature is not the pinned key's), logging a code only.
    const [refused] = await waitForLog(pinned, 'monitor',
      { filter: (l) => l.status !== 'signed' });
    assert.equal(refused.status, 'bad_signature');
    for (const field of Object.keys(refused)) assert.ok(MONITOR_LINE_FIELDS.has(field), field);
    const [notRecorded] = await waitForLog(server, 'monitor_not_recorded',
      { filter: (l) => l.connection_id === target.id });
    assert.equal(notRecorded.error, 'bad_signature');
    assert.equal(notRecorded.runner_id, pinnedKeys.id);
    assert.deepEqual(Object.keys(notRecorded).sort(),
      ['connection_id', 'error', 'event', 'runner_id', 'time', 'workspace_id'].sort());
    await sleep(2000 * MINUTE_SECONDS);
    assert.deepEqual(await pinnedWs.history(target.id), []);
    assert.notEqual(await (async () => (await pinnedWs.connections()).items
      .find((c) => c.id === target.id).state)(), 'connected');
    assert.ok(pinned.logs.every((l) => l.event !== 'monitor' || l.status !== 'signed'));

    // The same runner pinning the admin's real key tests it (the refusal was the pin).
    await pinned.stop();
    const trusting = startRunner(server.port, keyDir,
      ['--trust-granter', `${client.account.id}=${admin.sign_public_key}`]);
    extraRunners.push(trusting);
    await until('a result through the pinned runner',
      async () => (await pinnedWs.history(target.id)).length > 0);
    const [entry] = await pinnedWs.history(target.id);
    assert.equal(entry.runner_id, pinnedKeys.id);
    assert.equal(entry.outcome, 'ok');
    await trusting.stop();
  });

  test('revoking the grant stops the results; the runner stays connected', async () => {
    const revoked = await ws.revokeRunner(keys.id);
    assert.equal(revoked.removed, false);
    // A run already handed out may still land: let it, then count.
    await sleep(1500);
    const count = (await ws.history(watched.id)).length;
    await sleep(4000 * MINUTE_SECONDS);
    assert.equal((await ws.history(watched.id)).length, count);
    const row = (await ws.runners()).find((r) => r.id === keys.id);
    assert.equal(row.granted, false);
    assert.equal(runner.child.exitCode, null);
  });

  test('no secret in the server log or the runners\' logs', async () => {
    const haystacks = [['server log', Buffer.from(server.rawLog)],
      ['runner log', Buffer.from(runner.rawLog)],
      ...extraRunners.map((r, i) => [`runner ${i} log`, Buffer.from(r.rawLog)])];
    assert.deepEqual(scanForSecrets(haystacks, { password: PASSWORD, changed: CHANGED }), []);
  });
});

// Two servers on one PostgreSQL (hosted_support.mjs: no built-in runners): a runner is
// connected to one server only, so only that server's scheduler dispatches to it — the other
// holds no link and skips the granted runner. With a second granted runner on the other
// server, each connection has one owner and both servers dispatch their own share.
describe('active monitoring on two servers sharing PostgreSQL', () => {
  let hosted;
  let prom;
  let client;
  let ws;
  const runners = [];
  const connections = [];

  const monitorTests = async (server) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return [...text.matchAll(/^credvault_connection_tests_total\{outcome="[^"]+",source="monitor"\} (\d+)/gm)]
      .reduce((sum, [, n]) => sum + Number(n), 0);
  };

  before(async () => {
    const { startHosted } = await import('./hosted_support.mjs');
    [hosted, prom] = await Promise.all([
      startHosted({ serverArgs: ['--monitor-minute-seconds', String(MINUTE_SECONDS)] }),
      startPrometheus({ users: { reader: PASSWORD } }),
    ]);
    client = await createClient({ baseUrl: hosted.a.url });
    await client.signUp(uniqueEmail('remote-monitor-pg'), USER_PW, { kdf: client.cv.kdfMinimum() });
    ws = await client.createWorkspace('Monitored on two servers');
    const credential = await ws.createCredential(promCredential(PASSWORD));
    for (let i = 0; i < 12; ++i) {
      connections.push(await ws.createConnection({ kind: 'prometheus', name: `pg ${i}`,
        endpoint: prom.url, credential_id: credential.id }));
    }
    await ws.setMonitorDefault(1);
  });

  after(async () => {
    if (client) await client.logOut().catch(() => {});
    await Promise.all(runners.map((r) => r.stop()));
    const { stopHosted } = await import('./hosted_support.mjs');
    await Promise.all([stopHosted(hosted), prom && prom.close()]);
  });

  const addRunner = async (server, name) => {
    const keyDir = makeTempDir('credvault-monitor-pg-runner-');
    const keys = printKeys(keyDir);
    const runner = startRunner(server.port, keyDir, ['--jobs', '2']);
    runners.push(runner);
    await waitForLog(runner, 'connected');
    await ws.admitRunner({ id: keys.id, name, box_public_key: keys.box_public_key,
      sign_public_key: keys.sign_public_key });
    await ws.grantRunner(keys.id);
    return keys;
  };

  test('only the server holding the runner\'s link dispatches to it', async () => {
    const onB = await addRunner(hosted.b, 'on b');
    await until('every connection tested twice', async () => {
      for (const c of connections) if ((await ws.history(c.id)).length < 2) return false;
      return true;
    });
    assert.equal(await monitorTests(hosted.a), 0);
    assert.ok(await monitorTests(hosted.b) >= 2 * connections.length);
    for (const c of connections) {
      assert.ok((await ws.history(c.id)).every((e) => e.runner_id === onB.id));
    }
  });

  test('with a granted runner on each server, both dispatch their own share', async () => {
    const beforeA = await monitorTests(hosted.a);
    const onA = await addRunner(hosted.a, 'on a');
    await until('server A records results', async () => (await monitorTests(hosted.a)) >
      beforeA + connections.length / 4);
    const latest = await Promise.all(connections.map(async (c) => (await ws.history(c.id))[0]));
    const byRunner = new Set(latest.map((e) => e.runner_id));
    assert.ok(byRunner.has(onA.id), 'some connections are runner A\'s');
    assert.ok(byRunner.size === 2, 'and some stay with runner B');
  });
});
