// The JavaScript client (wasm/client.mjs) against the real server, a real Prometheus and the
// built-in runner: accounts, workspaces, credentials, connections, sharing, members with key
// rotation, verified connectivity tests and kubeconfig import. The client is loaded from the
// module folder (CREDVAULT_MODULE_DIR, default build/wasm/wasm), where CMake copies it.
// Run: NODE_PATH=/usr/share/nodejs node --test tests/web/js_client.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { MODULE_DIR, uniqueEmail } from './api_client.mjs';
import { REPO_ROOT, startServer, stopServer } from './harness.mjs';

const PASSWORD = 'prom-client-canary-5b1d';
const WRONG = 'prom-client-wrong-77e0';
const USER_PW = 'correct horse battery staple';

const { createClient, CredvaultError } =
  await import(pathToFileURL(path.join(MODULE_DIR, 'client.mjs')).href);

// Rejects with a CredvaultError of `code` (and HTTP `status` when given; core errors have
// none). Returns the error.
async function rejectsWith(promise, code, status) {
  let caught;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof CredvaultError, `not a CredvaultError: ${caught}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.status, status, caught.message);
  return caught;
}

function promCredential(password = PASSWORD, name = 'prom reader') {
  return { schema_version: 1, name, kind: 'prometheus', auth_method: 'basic',
    fields: { username: 'reader', password } };
}

// A fetch that lets a test rewrite answers: `edit(url, method, json)` returns the JSON to
// hand to the client instead (or undefined to leave it).
function editingFetch(edit) {
  return async (url, init = {}) => {
    const response = await fetch(url, init);
    const text = await response.text();
    if (text.length === 0) return new Response(null, { status: response.status });
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      return new Response(text, { status: response.status, headers: response.headers });
    }
    const edited = edit(String(url), init.method ?? 'GET', json) ?? json;
    return new Response(JSON.stringify(edited),
      { status: response.status, headers: { 'content-type': 'application/json' } });
  };
}

describe('JS client', () => {
  let server;
  let prom;
  let owner;   // a client signed up in before()
  let ws;      // owner's workspace, with the built-in runner admitted

  const newClient = (options = {}) => createClient({ baseUrl: server.url, ...options });
  const signUp = async (client, email = uniqueEmail('js')) => {
    const made = await client.signUp(email, USER_PW, { kdf: client.cv.kdfMinimum() });
    return { email, ...made };
  };

  before(async () => {
    [server, prom] = await Promise.all([startServer(),
      startPrometheus({ users: { reader: PASSWORD } })]);
    owner = await newClient();
    await signUp(owner);
    ws = await owner.createWorkspace('Platform');
    await ws.admitBuiltinRunner();
  });

  after(async () => {
    await Promise.all([server && stopServer(server), prom && prom.close()]);
  });

  test('account: sign up, log in again, lock and unlock, change password, recover, log out',
    async () => {
      const first = await newClient();
      const { email, accountId, recoveryCode } = await signUp(first);
      assert.match(recoveryCode, /\S{16,}/);
      assert.equal(first.unlocked, true);
      assert.equal(first.account.id, accountId);
      assert.equal(first.account.email, email);
      assert.equal(typeof first.account.fingerprint, 'string');
      assert.ok(first.account.fingerprint.length >= 16);
      const mine = await first.createWorkspace('Mine');
      await mine.createCredential(promCredential());
      assert.ok(first.cv.handleCount() >= 2);

      // lock: every handle released, the session kept.
      first.lock();
      assert.equal(first.unlocked, false);
      assert.equal(first.cv.handleCount(), 0);
      await rejectsWith(mine.credentials(), 'locked');
      await rejectsWith(first.createWorkspace('x'), 'locked');
      assert.ok((await first.workspaces()).some((w) => w.id === mine.id && w.role === 'owner'));
      await rejectsWith(first.unlock('not the password'), 'decrypt_failed');
      assert.equal(first.unlocked, false);
      await first.unlock(USER_PW);
      assert.equal((await mine.credentials())[0].name, 'prom reader');

      // log in again elsewhere, with progress.
      const second = await newClient();
      const stages = [];
      const account = await second.logIn(email, USER_PW, { onProgress: (s) => stages.push(s) });
      assert.deepEqual(stages, ['deriving', 'signing_in', 'unlocking']);
      assert.deepEqual(account, first.account);
      await rejectsWith((await newClient()).logIn(email, 'wrong password'), 'unauthenticated', 401);

      // change password: other sessions end, this one stays.
      await rejectsWith(first.changePassword('wrong password', 'new password 1'),
        'permission_denied', 403);
      await first.changePassword(USER_PW, 'new password 1');
      await rejectsWith(second.workspaces(), 'unauthenticated', 401);
      assert.equal((await first.workspaces()).length, 1);
      await rejectsWith((await newClient()).logIn(email, USER_PW), 'unauthenticated', 401);
      await (await newClient()).logIn(email, 'new password 1');

      // recover with the code: a new password, every session ends, and the keys still open.
      const third = await newClient();
      await rejectsWith(third.recover(email, 'not-the-code', 'x'), 'invalid_argument');
      await rejectsWith(third.recover(email, 'ab'.repeat(32), 'x'), 'unauthenticated', 401);
      assert.deepEqual(await third.recover(email, recoveryCode, 'recovered password'),
        first.account);
      await rejectsWith(first.workspaces(), 'unauthenticated', 401);
      const again = await third.workspace(mine.id);
      const [credential] = await again.credentials();
      assert.equal((await again.openCredential(credential.id)).fields.password, PASSWORD);
      await (await newClient()).logIn(email, 'recovered password');

      // log out: no session, no account, no handle.
      await third.logOut();
      assert.equal(third.account, null);
      assert.equal(third.unlocked, false);
      assert.equal(third.cv.handleCount(), 0);
      await rejectsWith(third.workspaces(), 'unauthenticated', 401);
      await rejectsWith(again.credentials(), 'closed');
    });

  test('credentials: create, list, open, update; delete refused while in use', async () => {
    const created = await ws.createCredential(promCredential(PASSWORD, 'prom reader A'));
    assert.equal(created.name, 'prom reader A');
    assert.equal(created.kind, 'prometheus');
    assert.equal(created.version, 1);
    assert.ok((await ws.credentials()).some((c) => c.id === created.id));
    assert.ok((await ws.credentials({ kind: 'prometheus' })).some((c) => c.id === created.id));
    assert.equal((await ws.credentials({ kind: 'github' })).length, 0);
    const opened = await ws.openCredential(created.id);
    assert.deepEqual(opened.fields, { username: 'reader', password: PASSWORD });
    assert.equal(opened.name, 'prom reader A');

    const updated = await ws.updateCredential(created.id,
      promCredential('second password', 'prom reader A2'));
    assert.deepEqual([updated.name, updated.version], ['prom reader A2', 2]);
    assert.equal((await ws.openCredential(created.id)).fields.password, 'second password');

    // The core checks the view before anything is sent.
    const bad = await rejectsWith(ws.createCredential({ ...promCredential(), fields: {} }),
      'validation');
    assert.match(bad.message, /password|username/);

    const connection = await ws.createConnection({ kind: 'prometheus', name: 'uses A',
      endpoint: 'https://prom.example.test', credential_id: created.id });
    const refused = await rejectsWith(ws.deleteCredential(created.id), 'conflict', 409);
    assert.deepEqual(refused.details.connections.map((c) => c.id), [connection.id]);
    assert.ok((await ws.credentials()).some((c) => c.id === created.id));
    await ws.deleteConnection(connection.id);
    await ws.deleteCredential(created.id);
    assert.equal((await ws.credentials()).some((c) => c.id === created.id), false);
    await rejectsWith(ws.openCredential(created.id), 'not_found', 404);
  });

  test('connections: create, list with counts, open, update, transition, delete', async () => {
    const other = await owner.createWorkspace('Connections');
    try {
      const made = await other.createConnection({ kind: 'prometheus', name: 'metrics',
        endpoint: 'https://metrics.example.test:9090' });
      assert.deepEqual([made.name, made.state, made.kind], ['metrics', 'registered', 'prometheus']);
      assert.equal(made.host, 'metrics.example.test');
      assert.equal(made.endpoint, 'https://metrics.example.test:9090');
      assert.equal(made.chips.state.label.length > 0, true);
      const list = await other.connections();
      assert.deepEqual(list.items.map((c) => c.id), [made.id]);
      assert.equal(list.counts.registered, 1);
      assert.equal((await other.openConnection(made.id)).endpoint,
        'https://metrics.example.test:9090');

      const renamed = await other.updateConnection(made.id, { name: 'metrics (eu)' });
      assert.equal(renamed.name, 'metrics (eu)');
      assert.equal((await other.openConnection(made.id)).endpoint,
        'https://metrics.example.test:9090');
      const paused = await other.transition(made.id, 'maintenance');
      assert.equal(paused.state, 'maintenance');
      // Only a verified test reaches `connected`.
      const picked = await other.transition(made.id, 'connected').then(() => null, (e) => e);
      assert.ok(picked instanceof CredvaultError);
      assert.ok([403, 409].includes(picked.status), `${picked.status} ${picked.message}`);
      assert.equal((await other.connections({ state: 'maintenance' })).items.length, 1);
      assert.equal((await other.connections({ kind: 'kubernetes' })).items.length, 0);

      await other.deleteConnection(made.id);
      assert.equal((await other.connections()).items.length, 0);
      const all = await other.connections({ includeDeleted: true });
      assert.deepEqual(all.items.map((c) => c.state), ['deleted']);
      assert.equal(all.counts.deleted, 1);
    } finally {
      other.close();
    }
  });

  test('a credential shared to a second workspace opens there, until revoked', async () => {
    const credential = await ws.createCredential(promCredential(PASSWORD, 'shared reader'));
    const second = await owner.createWorkspace('Second');
    try {
      const shared = await ws.shareCredential(credential.id, second);
      assert.equal(shared.shared_workspaces, 2);
      const seen = await second.credentials();
      assert.deepEqual(seen.map((c) => [c.id, c.name]), [[credential.id, 'shared reader']]);
      assert.equal((await second.openCredential(credential.id)).fields.password, PASSWORD);
      // Used there by a connection, tested through the built-in runner.
      await second.admitBuiltinRunner();
      const connection = await second.createConnection({ kind: 'prometheus',
        name: 'prom via share', endpoint: prom.url, credential_id: credential.id });
      assert.equal((await second.testConnection(connection.id)).outcome, 'ok');
      // Edited in its own workspace only.
      await rejectsWith(second.updateCredential(credential.id, promCredential()),
        'permission_denied');
      await rejectsWith(ws.revokeShare(credential.id, second.id), 'conflict', 409);
      await second.deleteConnection(connection.id);
      await ws.revokeShare(credential.id, second.id);
      assert.deepEqual(await second.credentials(), []);
    } finally {
      second.close();
    }
  });

  test('members: an invitee sees the connections; removal rotates the keys', async () => {
    const team = await owner.createWorkspace('Team');
    const secret = await team.createCredential(promCredential(PASSWORD, 'team reader'));
    const connection = await team.createConnection({ kind: 'prometheus', name: 'team prom',
      endpoint: 'https://prom.team.example.test', credential_id: secret.id });
    let leak = null;  // a session to put on Bob's requests
    const bob = await newClient({ fetch: (url, init) => fetch(url, leak === null ? init :
      { ...init, headers: { ...init.headers, authorization: leak } }) });
    const { email: bobEmail } = await signUp(bob);

    const invited = await team.invite(bobEmail, 'viewer');
    assert.deepEqual([invited.account_id, invited.role], [bob.account.id, 'viewer']);
    assert.equal(invited.fingerprint, bob.account.fingerprint);
    const members = await team.members();
    assert.deepEqual(members.map((m) => [m.email, m.role]).sort(),
      [[bobEmail, 'viewer'], [owner.account.email, 'owner']].sort());
    assert.equal(members.find((m) => m.email === owner.account.email).fingerprint,
      owner.account.fingerprint);

    let bobTeam = await bob.workspace(team.id);
    assert.equal(bobTeam.role, 'viewer');
    assert.equal(bobTeam.can('open_credential_secrets'), false);
    assert.deepEqual((await bobTeam.connections()).items.map((c) => c.name), ['team prom']);
    assert.deepEqual((await bobTeam.credentials()).map((c) => c.name), ['team reader']);
    await rejectsWith(bobTeam.openCredential(secret.id), 'permission_denied');
    bobTeam.close();

    const promoted = await team.changeRole(bob.account.id, 'operator');
    assert.equal(promoted.role, 'operator');
    bobTeam = await bob.workspace(team.id);
    assert.equal((await bobTeam.openCredential(secret.id)).fields.password, PASSWORD);

    // Bob's requests from here on carry the owner's session: what a server that ignored the
    // removal could hand him. Only the keys then stand between him and new records.
    let ownerAuth;
    const spy = await newClient({ fetch: async (url, init) => {
      ownerAuth = init.headers.authorization;
      return fetch(url, init);
    } });
    await spy.logIn(owner.account.email, USER_PW);
    await spy.workspaces();

    const removed = await team.removeMember(bob.account.id);
    assert.equal(removed.generation, 2);
    assert.deepEqual(removed.rotated, { grants: 1, credentials: 1, connections: 1 });
    assert.deepEqual(removed.rotateRecommended, [{ id: secret.id, name: 'team reader' }]);
    assert.equal(team.generation, 2);
    // The owner works on with the new keys.
    assert.equal((await team.openCredential(secret.id)).fields.password, PASSWORD);
    assert.equal((await team.openConnection(connection.id)).name, 'team prom');
    const fresh = await team.createCredential(promCredential('after removal', 'new secret'));
    const listed = await team.credentials();
    assert.equal(listed.find((c) => c.id === secret.id).rotate_recommended, true);
    const reopened = await owner.workspace(team.id);
    assert.equal(reopened.generation, 2);
    assert.equal((await reopened.openCredential(fresh.id)).fields.password, 'after removal');
    reopened.close();

    // Bob: the server refuses him.
    await rejectsWith(bob.workspace(team.id), 'not_found', 404);
    await rejectsWith(bobTeam.openCredential(fresh.id), 'not_found', 404);
    // With a session the server should not have honoured, his old keys still open nothing
    // sealed since: every record is now under generation 2.
    leak = ownerAuth;
    for (const attempt of [() => bobTeam.openCredential(fresh.id),
      () => bobTeam.openCredential(secret.id), () => bobTeam.openConnection(connection.id)]) {
      const error = await attempt().then(() => null, (e) => e);
      assert.ok(error instanceof CredvaultError, 'opened with the old keys');
      assert.equal(error.status, undefined, `refused by the core: ${error.message}`);
    }
    bobTeam.close();
    team.close();
  });

  test('testConnection against Prometheus: ok and connected, wrong password unauthorized',
    async () => {
      const credential = await ws.createCredential(promCredential(PASSWORD, 'prom for tests'));
      const connection = await ws.createConnection({ kind: 'prometheus', name: 'prom local',
        endpoint: prom.url, credential_id: credential.id });
      const ok = await ws.testConnection(connection.id);
      assert.equal(ok.outcome, 'ok');
      assert.equal(ok.verified, true);
      assert.equal(ok.connection.id, connection.id);
      assert.equal(ok.connection.state, 'connected');
      assert.equal(ok.connection.last_test.outcome, 'ok');
      assert.match(ok.server_version, /^\d+\.\d+/);
      assert.equal(ok.http_status, 200);
      assert.ok(ok.latency_ms >= 0);
      assert.ok(Array.isArray(ok.remediations));

      await ws.updateCredential(credential.id, promCredential(WRONG, 'prom for tests'));
      const refused = await ws.testConnection(connection.id);
      assert.equal(refused.outcome, 'unauthorized');
      assert.equal(refused.http_status, 401);
      assert.equal(refused.connection.state, 'disconnected');
      assert.ok(refused.remediations.length > 0);
      assert.ok(refused.remediations.every((r) => typeof r.code === 'string' &&
        typeof r.label === 'string'));

      const runners = await ws.runners();
      assert.equal((await ws.testConnection(connection.id, { runnerId: runners[0].id })).outcome,
        'unauthorized');
      await rejectsWith(ws.testConnection(connection.id, { runnerId: owner.cv.newId() }),
        'not_found');
      assert.equal(server.rawLog.includes(PASSWORD), false);
      assert.equal(server.rawLog.includes(WRONG), false);
    });

  test('a test result that does not verify is refused', async () => {
    const credential = await ws.createCredential(promCredential(PASSWORD, 'prom tamper'));
    const connection = await ws.createConnection({ kind: 'prometheus', name: 'prom tamper',
      endpoint: prom.url, credential_id: credential.id });
    const stranger = owner.cv.createAccount('stranger@example.test', 'pw',
      owner.cv.kdfMinimum());
    owner.cv.release(stranger.account);
    let previous;  // a signed result of an earlier test of this connection
    const cases = [
      // The runner list names a key the workspace did not admit.
      ['another runner key', (url, method, json) => (/\/runners\?/.test(url) ?
        { ...json, items: json.items.map((r) => ({ ...r,
          sign_public_key: stranger.record.sign_public_key })) } : undefined)],
      // The signed payload altered on the way back.
      ['a forged payload', (url, method, json) => (url.endsWith('/tests') ?
        { ...json, result: { ...json.result,
          payload: json.result.payload.replace('"ok"', '"unauthorized"') } } : undefined)],
      // The genuine signed result of an earlier job, replayed.
      ['a result of another job', (url, method, json) => (url.endsWith('/tests') ?
        { ...json, result: previous } : undefined)],
    ];
    previous = (await (async () => {
      let captured;
      const client = await newClient({ fetch: editingFetch((url, method, json) => {
        if (url.endsWith('/tests')) captured = json.result;
      }) });
      await client.logIn(owner.account.email, USER_PW);
      const there = await client.workspace(ws.id);
      assert.equal((await there.testConnection(connection.id)).outcome, 'ok');
      await client.logOut();
      return captured;
    })());
    for (const [name, edit] of cases) {
      const client = await newClient({ fetch: editingFetch(edit) });
      await client.logIn(owner.account.email, USER_PW);
      const there = await client.workspace(ws.id);
      const error = await there.testConnection(connection.id).then(() => null, (e) => e);
      assert.ok(error instanceof CredvaultError, `${name}: not refused`);
      assert.equal(error.status, undefined, `${name}: ${error.message}`);
      assert.ok(['bad_signature', 'wrong_job', 'wrong_recipient'].includes(error.code),
        `${name}: ${error.code} ${error.message}`);
      await client.logOut();
    }
  });

  test('no runner admitted: testConnection says what to do', async () => {
    const bare = await owner.createWorkspace('No runner');
    try {
      const connection = await bare.createConnection({ kind: 'prometheus', name: 'p',
        endpoint: prom.url });
      const error = await rejectsWith(bare.testConnection(connection.id), 'not_found');
      assert.match(error.message, /admit/);
    } finally {
      bare.close();
    }
  });

  test('cookie sessions: no token kept, the CSRF header sent with every request', async () => {
    let cookie = '';
    const sent = [];
    const jar = async (url, init) => {
      const headers = { ...init.headers };
      sent.push(headers);
      if (cookie) headers.cookie = cookie;
      const response = await fetch(url, { ...init, headers });
      const set = response.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0];
      return response;
    };
    const client = await newClient({ fetch: jar, session: 'cookie' });
    await client.logIn(owner.account.email, USER_PW);
    const mine = await client.createWorkspace('Cookie made');
    assert.equal(mine.role, 'owner');
    assert.ok(sent.every((h) => h.authorization === undefined));
    assert.ok(sent.slice(2).every((h) => /^[A-Za-z0-9_-]{43}$/.test(h['x-csrf-token'])));
    await client.logOut();
    assert.match(cookie, /^cv_session=$/);
    mine.close();
  });

  test('the client keeps nothing in browser storage', () => {
    const sources = [path.join(MODULE_DIR, 'client.mjs'),
      ...fs.readdirSync(path.join(MODULE_DIR, 'client')).map((f) =>
        path.join(MODULE_DIR, 'client', f))];
    assert.ok(sources.length >= 5);
    for (const file of sources) {
      assert.doesNotMatch(fs.readFileSync(file, 'utf8'),
        /(localStorage|sessionStorage|indexedDB|caches)\.\w|document\.cookie/, file);
    }
  });

  test('kubeconfig: preview, import of several contexts, re-import updates', async () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'tests/data/kubeconfig/multi.yaml'), 'utf8');
    const kube = await owner.createWorkspace('Kube');
    try {
      const contexts = ['dev', 'staging', 'prod', 'lab', 'qa'];
      const plan = await kube.previewKubeconfig(text);
      assert.deepEqual(plan.contexts.map((c) => [c.context, c.outcome]),
        contexts.map((c) => [c, 'imported']));
      assert.equal(plan.current_context, 'staging');
      assert.deepEqual((await kube.connections()).items, [], 'a preview writes nothing');
      assert.doesNotMatch(JSON.stringify(plan), /shared-ci-token/);

      const first = await kube.importKubeconfig(text, { select_all: true });
      assert.deepEqual(first.results.map((r) => [r.context, r.outcome]),
        contexts.map((c) => [c, 'imported']));
      const { items } = await kube.connections();
      assert.deepEqual(items.map((c) => c.id).sort(),
        first.results.map((r) => r.connection_id).sort());
      assert.ok(items.every((c) => c.kind === 'kubernetes' && c.managed));
      // One credential per distinct material: the CI token is shared by three contexts.
      const credentials = await kube.credentials();
      assert.deepEqual(credentials.map((c) => c.auth_method).sort(),
        ['basic', 'bearer_token', 'client_certificate']);
      const ci = items.filter((c) => ['staging', 'prod', 'qa'].includes(c.name));
      assert.equal(new Set(ci.map((c) => c.credential_id)).size, 1);

      // Again, one context picked and renamed: updated in place, the others skipped.
      const again = await kube.importKubeconfig(text,
        { selected: [{ context: 'dev', new_name: 'dev cluster' }] });
      assert.deepEqual(again.results.map((r) => [r.context, r.outcome]),
        [['dev', 'updated'], ...contexts.slice(1).map((c) => [c, 'skipped'])]);
      assert.equal(again.results[0].connection_id,
        first.results[0].connection_id);
      assert.equal(again.results[1].error.code, 'not_selected');
      const after = await kube.connections();
      assert.equal(after.items.length, 5);
      assert.equal(after.items.find((c) => c.id === again.results[0].connection_id).name,
        'dev cluster');
      assert.equal((await kube.credentials()).length, 3);

      const broken = await rejectsWith(kube.previewKubeconfig('apiVersion: v1\nclusters: [\n'),
        'parse_error');
      assert.match(broken.message, /line/);
    } finally {
      kube.close();
    }
  });
});
