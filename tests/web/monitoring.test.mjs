// Active monitoring against the real server, the built-in runner, a real Prometheus and the
// Kubernetes fixture: an admin grants the built-in runner the workspace keys, connections are
// re-tested on a schedule with no client involved, a changed password flips the state (with
// an audit event, a history entry and a feed entry), a fixed credential flips it back,
// revoking the grant (with a key rotation) stops it, connections in ignored/maintenance are
// never tested, nothing secret reaches the data directory or the log, and a client
// certificate about to expire is reported. The server runs with the test-only
// --monitor-minute-seconds 1, so a 1-minute schedule fires every second.
// Run: CREDVAULT_SERVER_BIN=... NODE_PATH=/usr/share/nodejs node --test tests/web/monitoring.test.mjs
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { startKubernetesFixture } from '../fixtures/kubernetes_fixture.mjs';
import { createPki } from '../fixtures/pki.mjs';
import { startPrometheus } from '../fixtures/prometheus.mjs';
import { filesUnder, scanForSecrets } from './canary.mjs';
import { MODULE_DIR, uniqueEmail } from './api_client.mjs';
import { makeTempDir, startServer, stopServer } from './harness.mjs';

const PASSWORD = 'monitor-canary-first-3f9a1c';
const CHANGED = 'monitor-canary-second-8b2e77';
const USER_PW = 'correct horse battery staple';
const MINUTE_SECONDS = 1;
const WAIT_MS = 20000;  // far beyond one interval: the machine is shared and loaded

const { createClient } = await import(pathToFileURL(path.join(MODULE_DIR, 'client.mjs')).href);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, check, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function promCredential(password) {
  return { schema_version: 1, name: 'prom reader', kind: 'prometheus', auth_method: 'basic',
    fields: { username: 'reader', password } };
}

describe('active monitoring', () => {
  let server;
  let prom;
  let kube;
  let pki;
  let dataDir;
  let client;
  let ws;
  let builtin;
  let credential;
  let watched;   // the monitored Prometheus connection
  let paused;    // monitored, but in maintenance
  let ignored;   // monitored, but ignored

  const stateOf = async (id) => (await ws.connections()).items.find((c) => c.id === id)?.state;

  before(async () => {
    dataDir = path.join(makeTempDir('credvault-monitor-'), 'data');
    pki = createPki({ clients: [{ name: 'alice', groups: ['dev'], days: 5 }] });
    [server, prom, kube] = await Promise.all([
      startServer({ dataDir, args: ['--monitor-minute-seconds', String(MINUTE_SECONDS)] }),
      startPrometheus({ users: { reader: PASSWORD } }),
      startKubernetesFixture({ pki }),
    ]);
    client = await createClient({ baseUrl: server.url });
    await client.signUp(uniqueEmail('monitor'), USER_PW, { kdf: client.cv.kdfMinimum() });
    ws = await client.createWorkspace('Monitored');
    builtin = await ws.admitBuiltinRunner();
    credential = await ws.createCredential(promCredential(PASSWORD));
    const prometheus = { kind: 'prometheus', endpoint: prom.url, credential_id: credential.id };
    watched = await ws.createConnection({ ...prometheus, name: 'watched' });
    paused = await ws.createConnection({ ...prometheus, name: 'paused' });
    ignored = await ws.createConnection({ ...prometheus, name: 'ignored' });
    await ws.transition(paused.id, 'maintenance');
    await ws.transition(ignored.id, 'ignored');
    for (const c of [watched, paused, ignored]) await ws.setMonitor(c.id, 1);
  });

  after(async () => {
    if (client) await client.logOut().catch(() => {});
    await Promise.all([server && stopServer(server), prom && prom.close(), kube && kube.close()]);
    pki?.cleanup();
  });

  test('nothing is granted by default: a schedule alone tests nothing', async () => {
    assert.equal((await ws.runners()).find((r) => r.id === builtin.id).granted, false);
    await sleep(3000 * MINUTE_SECONDS);
    assert.deepEqual(await ws.history(watched.id), []);
    assert.notEqual(await stateOf(watched.id), 'connected');
  });

  test('granted, the runner tests on schedule and the connection goes connected', async () => {
    const granted = await ws.grantRunner(builtin.id);
    assert.equal(granted.generation, 1);
    assert.equal((await ws.runners()).find((r) => r.id === builtin.id).granted, true);
    await until('connected', async () => (await stateOf(watched.id)) === 'connected');
    const [entry] = await ws.history(watched.id);
    assert.equal(entry.source, 'monitor');
    assert.equal(entry.outcome, 'ok');
    assert.equal(entry.runner_id, builtin.id);
    assert.equal(entry.state_after, 'connected');
    assert.ok(entry.latency_ms >= 0);
    // The schedule keeps going: more results arrive with no client call.
    await until('a second result', async () => (await ws.history(watched.id)).length >= 2);
  });

  test('a changed password flips it to disconnected within an interval, and back', async () => {
    await prom.setUsers({ reader: CHANGED });
    const changedAt = Date.now();
    await until('disconnected', async () => (await stateOf(watched.id)) === 'disconnected');
    // One interval plus a scan tick and a test: well under the wait.
    assert.ok(Date.now() - changedAt < WAIT_MS);
    const history = await ws.history(watched.id);
    const flip = history.find((e) => e.state_after === 'disconnected');
    assert.equal(flip.outcome, 'unauthorized');
    assert.equal(flip.state_before, 'connected');
    const feed = await ws.feed();
    assert.ok(feed.some((e) => e.connection_id === watched.id && e.state_after === 'disconnected'));
    const { items: audit } = await ws.audit();
    const monitorEvents = audit.filter((e) => e.action === 'connection.monitor' &&
      e.object_id === watched.id);
    assert.ok(monitorEvents.length >= 2, 'connected and disconnected are audited');
    assert.ok(monitorEvents.every((e) => e.actor_id === builtin.id));

    // The client re-seals the credential with the new password; the runner picks it up.
    await ws.updateCredential(credential.id, promCredential(CHANGED));
    await until('connected again', async () => (await stateOf(watched.id)) === 'connected');
  });

  test('ignored and maintenance connections are never tested', async () => {
    assert.deepEqual(await ws.history(paused.id), []);
    assert.deepEqual(await ws.history(ignored.id), []);
    assert.equal(await stateOf(paused.id), 'maintenance');
    assert.equal(await stateOf(ignored.id), 'ignored');
  });

  test('/metrics has per-state counts and test outcomes by source', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, new RegExp(
      `credvault_connections\\{workspace="${ws.id}",state="connected"\\} 1`));
    assert.match(text, /credvault_connection_tests_total\{outcome="ok",source="monitor"\} \d+/);
    assert.match(text,
      /credvault_connection_tests_total\{outcome="unauthorized",source="monitor"\} \d+/);
  });

  test('a client certificate expiring in 5 days is reported ahead of failure', async () => {
    const alice = pki.clients.alice;
    const kubeCredential = await ws.createCredential({ schema_version: 1, name: 'alice',
      kind: 'kubernetes', auth_method: 'client_certificate',
      fields: { client_certificate: alice.certPem, client_key: alice.keyPem,
        ca_data: pki.ca.certPem } });
    const cluster = await ws.createConnection({ kind: 'kubernetes', name: 'cluster',
      endpoint: kube.url, credential_id: kubeCredential.id });
    await ws.setMonitor(cluster.id, 1);
    const [entry] = await until('a kubernetes result', async () => ws.history(cluster.id)
      .then((items) => items.length && items));
    assert.equal(entry.outcome, 'ok');
    const days = (entry.client_cert_not_after - Date.now() / 1000) / 86400;
    assert.ok(days > 4 && days <= 5, `client certificate expires in ${days} days`);
    assert.equal(entry.token_expires_at, null);
    // The fixture's server certificate (a year) is seen in the handshake.
    const serverDays = (entry.server_cert_not_after - Date.now() / 1000) / 86400;
    assert.ok(serverDays > 360 && serverDays <= 365, `server certificate: ${serverDays} days`);
    const settings = await ws.monitorSettings();
    const latest = settings.latest.find((e) => e.connection_id === cluster.id);
    assert.equal(latest.client_cert_not_after, entry.client_cert_not_after);
    await ws.setMonitor(cluster.id, 0);
  });

  test('revoking the grant rotates the keys and the runner opens nothing more', async () => {
    const revoked = await ws.revokeRunner(builtin.id);
    assert.equal(revoked.key_generation, 2);
    assert.equal(revoked.removed, false);
    assert.deepEqual(revoked.rotate_recommended.sort(),
      (await ws.credentials()).map((c) => c.id).sort());
    assert.equal((await ws.runners()).find((r) => r.id === builtin.id).granted, false);
    const before = (await ws.history(watched.id)).length;
    await sleep(4000 * MINUTE_SECONDS);
    assert.equal((await ws.history(watched.id)).length, before);
    // The workspace itself works on at the new generation: a client test still verifies.
    const result = await ws.testConnection(watched.id);
    assert.equal(result.outcome, 'ok');
    assert.equal((await ws.history(watched.id))[0].source, 'relay');
  });

  test('the canary scan stays at 0 hits with monitoring on', async () => {
    const secrets = { password: PASSWORD, changed: CHANGED,
      clientKeyLine: pki.clients.alice.keyPem.split('\n')[1] };
    const haystacks = [...filesUnder(dataDir), ['log', Buffer.from(server.rawLog)]];
    assert.deepEqual(scanForSecrets(haystacks, secrets), []);
    // The monitoring log lines name ids and codes only.
    assert.ok(server.logs.some((l) => l.event === 'connection_monitor'));
  });
});
