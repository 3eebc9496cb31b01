// Connectivity tests through a standalone runner (issue 5): the WASM client in Node seals a
// job to `credvault-runner`, a separate process that dialled out to the server over a
// WebSocket and proved its key; the server relays the job down that socket, the runner tests
// a real Prometheus (Debian's package, basic auth) and signs the result, and the client
// verifies it against the key the workspace pinned.
//
// Also: the runner is listed connected only while it is; a job while it is down is 503; it
// reconnects after the server restarts; a process dialling in with an admitted id but
// another key never gets that workspace's jobs; a hello with a bad signature closes the
// socket (checked with a raw WebSocket client written here over node:net).
//
// CREDVAULT_RUNNER_BIN names the runner binary (default build/native/server/credvault-runner).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { call, errorOf, loadCredvault, newUser, newWorkspace } from './api_client.mjs';
import { makeTempDir, startServer, stopServer } from './harness.mjs';
import { printKeys, sleep, startRunner as startRunnerWith } from './monitoring_support.mjs';

// credvault-runner dialling the server on `port`, four jobs at a time.
const startRunner = (port, keyDir, extra = []) =>
  startRunnerWith(port, keyDir, ['--jobs', '4', ...extra]);

const PASSWORD = 'prom-remote-canary-5d1e';
const WRONG = 'prom-remote-wrong-88b0';
const HELLO_DOMAIN = Buffer.from('credvault/v1/runner-hello\0', 'latin1');
const WAIT_MS = 15000;

const nowSeconds = () => Math.floor(Date.now() / 1000);

// Resolves once `logs` holds `count` lines of `event`.
async function waitForLog(owner, event, count = 1) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (owner.logs.filter((entry) => entry.event === event).length >= count) return;
    await sleep(20);
  }
  throw new Error(`no ${event} log line (${count}) in:\n${owner.rawLog}`);
}

async function waitUntil(what, predicate) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A minimal WebSocket client (RFC 6455) over node:net: enough to play a runner by hand.
// Frames from the server are unmasked; ours are masked, as a client's must be.
async function rawWebSocket(port, target = '/api/v1/runners/connect') {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const key = crypto.randomBytes(16).toString('base64');
  socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let buffer = Buffer.alloc(0);
  let upgraded = null;
  const messages = [];
  const waiters = [];
  let ended = false;
  const deliver = (message) => {
    if (waiters.length > 0) waiters.shift()(message);
    else messages.push(message);
  };
  const sendFrame = (opcode, payload) => {
    const mask = crypto.randomBytes(4);
    const length = payload.length;
    const head = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length])
      : length < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : (() => {
          const h = Buffer.alloc(10);
          h[0] = 0x80 | opcode;
          h[1] = 0x80 | 127;
          h.writeBigUInt64BE(BigInt(length), 2);
          return h;
        })();
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; ++i) body[i] ^= mask[i % 4];
    if (!socket.destroyed) socket.write(Buffer.concat([head, mask, body]));
  };
  const parse = () => {
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x1 || opcode === 0x2) {
        deliver({ type: 'text', data: payload.toString('utf8') });
      } else if (opcode === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        deliver({ type: 'close', code, reason: payload.subarray(2).toString('utf8') });
        sendFrame(0x8, payload.subarray(0, 2));
      } else if (opcode === 0x9) {
        sendFrame(0xa, payload);
      }
    }
  };
  const head = new Promise((resolve, reject) => {
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (upgraded === null) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        resolve(upgraded);
      }
      parse();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      ended = true;
      if (upgraded === null) reject(new Error('closed before the handshake'));
      while (waiters.length > 0) waiters.shift()({ type: 'end' });
    });
  });
  const status = Number((await head).split(' ')[1]);
  return {
    status,
    // The next message ({type: 'text'|'close'|'end'}), or {type: 'timeout'}.
    next(timeoutMs = WAIT_MS) {
      if (messages.length > 0) return Promise.resolve(messages.shift());
      if (ended) return Promise.resolve({ type: 'end' });
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(done), 1);
          resolve({ type: 'timeout' });
        }, timeoutMs);
        const done = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
        waiters.push(done);
      });
    },
    sendText(text) {
      sendFrame(0x1, Buffer.from(text, 'utf8'));
    },
    destroy() {
      socket.destroy();
    },
  };
}

// A hand-made runner identity (Ed25519 by node:crypto) and the hello it sends.
function handMadeKeys() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  return { privateKey, sign_public_key: publicKey.export({ format: 'jwk' }).x };
}

function helloFrame(challenge, runnerId, keys, { boxKey, corrupt = false } = {}) {
  const message = Buffer.concat([HELLO_DOMAIN, Buffer.from(challenge, 'base64url'),
    Buffer.from(runnerId, 'utf8')]);
  const signature = crypto.sign(null, message, keys.privateKey);
  if (corrupt) signature[0] ^= 0x01;
  return JSON.stringify({ type: 'hello', runner_id: runnerId,
    box_public_key: boxKey ?? crypto.randomBytes(32).toString('base64url'),
    sign_public_key: keys.sign_public_key, signature: signature.toString('base64url') });
}

async function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe('connection tests through a standalone runner over WebSocket', () => {
  let server;
  let prom;
  let cv;
  let owner;
  let ws;
  let runnerProc;
  let keys;    // from --print-keys
  let runner;  // as admitted
  const dataDir = path.join(makeTempDir('credvault-remote-'), 'data');
  const keyDir = path.join(makeTempDir('credvault-runner-'), 'keys');

  async function post(target, body) {
    return call(server, 'POST', target, { auth: owner.session, body });
  }

  async function promConnection() {
    const dataKey = cv.newDataKey();
    const credentialId = cv.newId();
    const credential = cv.sealCredential(
      { schema_version: 1, name: 'prom reader', kind: 'prometheus', auth_method: 'basic',
        fields: { username: 'reader', password: PASSWORD } },
      { id: credentialId, owner_id: owner.id, workspace_id: ws.id, version: 1,
        created_at: nowSeconds(), updated_at: nowSeconds() },
      dataKey, [ws.keys]);
    cv.release(dataKey);
    const created = await post(`/api/v1/workspaces/${ws.id}/credentials`, credential);
    assert.equal(created.status, 201, created.text);
    const view = { schema_version: 1, id: cv.newId(), workspace_id: ws.id, kind: 'prometheus',
      name: 'prom local', endpoint: prom.url, tls: { ca_data: '', server_name: '',
        insecure_skip_verify: false }, credential_id: credentialId, managed: false,
      environment_ids: [], state: 'registered', version: 1, created_at: nowSeconds(),
      updated_at: nowSeconds() };
    const connection = await post(`/api/v1/workspaces/${ws.id}/connections`,
      cv.sealConnection(view, ws.keys));
    assert.equal(connection.status, 201, connection.text);
    return { credential: created.json, connection: connection.json };
  }

  function seal(target, to = runner, options = {}) {
    return cv.sealConnectionTest(target.connection, target.credential, ws.keys,
      { id: to.id, box_public_key: to.box_public_key }, { now: nowSeconds(), ...options });
  }

  async function runTest(target, sealed = seal(target), to = runner) {
    return post(`/api/v1/workspaces/${ws.id}/connections/${target.connection.id}/tests`,
      { runner_id: to.id, job: sealed.job });
  }

  function verified(answer, sealed, connectionId) {
    return cv.verifyTestResult(runner.sign_public_key, answer.json.result,
      sealed.header.job_id, connectionId);
  }

  async function listedConnected() {
    const listed = await call(server, 'GET', `/api/v1/workspaces/${ws.id}/runners/${runner.id}`,
      { auth: owner.session });
    assert.equal(listed.status, 200, listed.text);
    return listed.json.connected;
  }

  before(async () => {
    cv = await loadCredvault();
    [server, prom] = await Promise.all([
      startServer({ dataDir, args: ['--builtin-runner', 'off'] }),
      startPrometheus({ users: { reader: PASSWORD } })]);
    owner = await newUser(server);
    ws = await newWorkspace(server, owner);
    keys = printKeys(keyDir);
    runnerProc = startRunner(server.port, keyDir);
    await waitForLog(runnerProc, 'connected');
    const admitted = await post(`/api/v1/workspaces/${ws.id}/runners`,
      { id: keys.id, name: 'edge runner', box_public_key: keys.box_public_key,
        sign_public_key: keys.sign_public_key });
    assert.equal(admitted.status, 201, admitted.text);
    runner = admitted.json;
  });

  after(async () => {
    if (runnerProc && runnerProc.child.exitCode === null) runnerProc.child.kill('SIGKILL');
    await Promise.all([server && stopServer(server), prom && prom.close()]);
  });

  test('--print-keys: a 0600 key file, the same id and fingerprint the runner logs', async () => {
    assert.equal(fs.statSync(path.join(keyDir, 'runner.key')).mode & 0o777, 0o600);
    assert.equal(keys.fingerprint, cv.fingerprint(keys.sign_public_key));
    assert.deepEqual(printKeys(keyDir), keys);  // loaded, not made again
    const started = runnerProc.logs.find((entry) => entry.event === 'runner_started');
    assert.equal(started.runner_id, keys.id);
    assert.equal(started.fingerprint, keys.fingerprint);
    const connected = server.logs.find((entry) => entry.event === 'runner_connected');
    assert.equal(connected.runner_id, keys.id);
    assert.equal(connected.fingerprint, keys.fingerprint);
  });

  test('the server has no built-in runner; the standalone one is listed connected', async () => {
    const builtin = await call(server, 'GET', '/api/v1/runners/builtin', { auth: owner.session });
    assert.equal(builtin.status, 404);
    assert.equal(await listedConnected(), true);
  });

  test('right password: ok and connected; wrong password: unauthorized and disconnected',
    async () => {
      const target = await promConnection();
      const sealed = seal(target);
      const answer = await runTest(target, sealed);
      assert.equal(answer.status, 200, answer.text);
      const payload = verified(answer, sealed, target.connection.id);
      assert.equal(payload.outcome, 'ok');
      assert.equal(payload.runner_id, keys.id);
      assert.match(payload.server_version, /^\d+\.\d+/);
      assert.equal(answer.json.connection.state, 'connected');
      assert.equal(answer.json.connection.last_test.runner_id, runner.id);

      await prom.setUsers({ reader: WRONG });
      try {
        const again = seal(target);
        const refused = await runTest(target, again);
        assert.equal(refused.status, 200, refused.text);
        const unauthorized = verified(refused, again, target.connection.id);
        assert.equal(unauthorized.outcome, 'unauthorized');
        assert.equal(unauthorized.http_status, 401);
        assert.ok(unauthorized.remediations.length > 0);
        assert.equal(refused.json.connection.state, 'disconnected');
      } finally {
        await prom.setUsers({ reader: PASSWORD });
      }
      // Believed only with the pinned key.
      const stranger = cv.accountInfo(owner.handle).sign_public_key;
      assert.throws(() => cv.verifyTestResult(stranger, answer.json.result,
        sealed.header.job_id, target.connection.id), (err) => err.code === 'bad_signature');
    });

  test("the runner's refusals come back with their codes: replayed 409, expired 410", async () => {
    const target = await promConnection();
    const sealed = seal(target);
    assert.equal((await runTest(target, sealed)).status, 200);
    const replay = await runTest(target, sealed);
    assert.equal(replay.status, 409, replay.text);
    assert.equal(errorOf(replay).code, 'replayed');
    const expired = await runTest(target,
      seal(target, runner, { now: nowSeconds() - 120, lifetime_seconds: 30 }));
    assert.equal(expired.status, 410, expired.text);
    assert.equal(errorOf(expired).code, 'expired');
    const jobs = runnerProc.logs.filter((entry) => entry.event === 'job');
    assert.ok(jobs.some((entry) => entry.status === 'replayed'));
    assert.ok(jobs.some((entry) => entry.status === 'signed'));
  });

  test('GET /api/v1/runners/connect without an upgrade: 204 naming the protocol', async () => {
    const plain = await call(server, 'GET', '/api/v1/runners/connect');
    assert.equal(plain.status, 204);
    assert.equal(plain.headers.get('upgrade'), 'websocket');
    assert.equal(plain.headers.get('x-credvault-runner-protocol'), 'credvault-runner/1');
  });

  test('a hello with a bad signature closes the socket (1008); nothing is attached', async () => {
    const client = await rawWebSocket(server.port);
    assert.equal(client.status, 101);
    const challenge = await client.next();
    assert.equal(challenge.type, 'text');
    const frame = JSON.parse(challenge.data);
    assert.equal(frame.type, 'challenge');
    assert.equal(frame.protocol, 'credvault-runner/1');
    assert.equal(Buffer.from(frame.challenge, 'base64url').length, 32);
    const impostor = handMadeKeys();
    client.sendText(helloFrame(frame.challenge, keys.id, impostor, { corrupt: true }));
    const closed = await client.next();
    assert.equal(closed.type, 'close');
    assert.equal(closed.code, 1008);
    client.destroy();
    await waitUntil('the refusal log line', () => server.logs.some((entry) =>
      entry.event === 'runner_refused' && entry.reason === 'hello_bad_signature'));
    // The real runner is untouched.
    assert.equal(await listedConnected(), true);
  });

  test('garbage and silence close the socket', async () => {
    const garbage = await rawWebSocket(server.port);
    assert.equal((await garbage.next()).type, 'text');
    garbage.sendText('{"type":"result","request_id":1,"result":{}}');
    const closed = await garbage.next();
    assert.equal(closed.type, 'close');
    assert.equal(closed.code, 1008);
    garbage.destroy();
    const notJson = await rawWebSocket(server.port);
    assert.equal((await notJson.next()).type, 'text');
    notJson.sendText('hello?');
    assert.equal((await notJson.next()).code, 1008);
    notJson.destroy();
  });

  test('a challenge is fresh per socket: a hello recorded on one is refused on another',
    async () => {
      const impostor = handMadeKeys();
      const first = await rawWebSocket(server.port);
      const challenge = JSON.parse((await first.next()).data).challenge;
      const second = await rawWebSocket(server.port);
      const other = JSON.parse((await second.next()).data).challenge;
      assert.notEqual(challenge, other);
      second.sendText(helloFrame(challenge, cv.newId(), impostor));
      assert.equal((await second.next()).code, 1008);
      first.destroy();
      second.destroy();
    });

  test('runner down: listed not connected, a test is 503; an impostor with its id gets no job',
    async () => {
      runnerProc.child.kill('SIGTERM');
      const exit = await runnerProc.exited;
      assert.equal(exit.code, 0, runnerProc.rawLog);
      assert.ok(runnerProc.logs.some((entry) => entry.event === 'stopping'));
      await waitUntil('the runner to be detached', async () => !(await listedConnected()));
      const target = await promConnection();
      const down = await runTest(target);
      assert.equal(down.status, 503, down.text);
      assert.equal(errorOf(down).code, 'unavailable');

      // A process that knows the admitted id but not its key: it proves its own key and is
      // attached under it, which is not the key the workspace pinned.
      const impostor = handMadeKeys();
      const client = await rawWebSocket(server.port);
      const challenge = JSON.parse((await client.next()).data).challenge;
      client.sendText(helloFrame(challenge, keys.id, impostor, { boxKey: keys.box_public_key }));
      assert.deepEqual(JSON.parse((await client.next()).data), { type: 'ready' });
      assert.equal(await listedConnected(), false);
      const refused = await runTest(target);
      assert.equal(refused.status, 503, refused.text);
      assert.equal((await client.next(300)).type, 'timeout');  // no job came down
      client.destroy();
    });

  test('it reconnects after the server restarts and tests work again', async () => {
    runnerProc = startRunner(server.port, keyDir);
    await waitForLog(runnerProc, 'connected');
    await waitUntil('the runner to be attached', () => listedConnected());
    const port = server.port;
    assert.equal((await stopServer(server)).code, 0);
    await waitForLog(runnerProc, 'disconnected');
    server = await startServer({ dataDir,
      args: ['--builtin-runner', 'off', '--listen', `127.0.0.1:${port}`] });
    assert.equal(server.port, port);
    await waitForLog(runnerProc, 'connected', 2);
    await waitUntil('the runner to be attached again', () => listedConnected());
    const target = await promConnection();
    const sealed = seal(target);
    const answer = await runTest(target, sealed);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(verified(answer, sealed, target.connection.id).outcome, 'ok');
  });

  test('no password reaches the server or runner log', () => {
    for (const log of [server.rawLog, runnerProc.rawLog]) {
      assert.equal(log.includes(PASSWORD), false);
      assert.equal(log.includes(WRONG), false);
    }
  });
});

// Added latency of the WebSocket hop: the same tests through the built-in runner and through
// a standalone runner on the same machine, against the same Prometheus.
describe('latency: built-in runner vs standalone runner', () => {
  let server;
  let prom;
  let runnerProc;

  after(async () => {
    if (runnerProc && runnerProc.child.exitCode === null) runnerProc.child.kill('SIGKILL');
    await Promise.all([server && stopServer(server), prom && prom.close()]);
  });

  test('20 tests through each; both all ok (medians in the diagnostics)', async (t) => {
    const cv = await loadCredvault();
    [server, prom] = await Promise.all([startServer(),
      startPrometheus({ users: { reader: PASSWORD } })]);
    const owner = await newUser(server);
    const ws = await newWorkspace(server, owner);
    const keyDir = path.join(makeTempDir('credvault-runner-'), 'keys');
    const remoteKeys = printKeys(keyDir);
    runnerProc = startRunner(server.port, keyDir);
    await waitForLog(runnerProc, 'connected');
    const builtin = (await call(server, 'GET', '/api/v1/runners/builtin',
      { auth: owner.session })).json;
    const post = (target, body) => call(server, 'POST', target, { auth: owner.session, body });
    const runners = [];
    for (const r of [{ ...builtin, name: 'built-in' }, { ...remoteKeys, name: 'edge' }]) {
      const admitted = await post(`/api/v1/workspaces/${ws.id}/runners`, { id: r.id,
        name: r.name, box_public_key: r.box_public_key, sign_public_key: r.sign_public_key });
      assert.equal(admitted.status, 201, admitted.text);
      runners.push(admitted.json);
    }
    const dataKey = cv.newDataKey();
    const credentialId = cv.newId();
    const credential = (await post(`/api/v1/workspaces/${ws.id}/credentials`, cv.sealCredential(
      { schema_version: 1, name: 'prom', kind: 'prometheus', auth_method: 'basic',
        fields: { username: 'reader', password: PASSWORD } },
      { id: credentialId, owner_id: owner.id, workspace_id: ws.id, version: 1,
        created_at: nowSeconds(), updated_at: nowSeconds() }, dataKey, [ws.keys]))).json;
    cv.release(dataKey);
    const connection = (await post(`/api/v1/workspaces/${ws.id}/connections`, cv.sealConnection(
      { schema_version: 1, id: cv.newId(), workspace_id: ws.id, kind: 'prometheus',
        name: 'prom', endpoint: prom.url, tls: { ca_data: '', server_name: '',
          insecure_skip_verify: false }, credential_id: credentialId, managed: false,
        environment_ids: [], state: 'registered', version: 1, created_at: nowSeconds(),
        updated_at: nowSeconds() }, ws.keys))).json;
    const times = [[], []];
    for (let round = 0; round < 21; ++round) {
      for (const [index, r] of runners.entries()) {
        const sealed = cv.sealConnectionTest(connection, credential, ws.keys,
          { id: r.id, box_public_key: r.box_public_key }, { now: nowSeconds() });
        const started = process.hrtime.bigint();
        const answer = await post(`/api/v1/workspaces/${ws.id}/connections/${connection.id}/tests`,
          { runner_id: r.id, job: sealed.job });
        const millis = Number(process.hrtime.bigint() - started) / 1e6;
        assert.equal(answer.status, 200, answer.text);
        assert.equal(cv.verifyTestResult(r.sign_public_key, answer.json.result,
          sealed.header.job_id, connection.id).outcome, 'ok');
        if (round > 0) times[index].push(millis);  // the first round warms both up
      }
    }
    const [builtinMs, remoteMs] = [await median(times[0]), await median(times[1])];
    t.diagnostic(`median test latency: built-in ${builtinMs.toFixed(2)} ms, ` +
      `standalone over WebSocket ${remoteMs.toFixed(2)} ms, ` +
      `added ${(remoteMs - builtinMs).toFixed(2)} ms (20 runs each)`);
  });
});
