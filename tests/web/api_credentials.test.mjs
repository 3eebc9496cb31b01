// Credentials over the REST API, against the built server, with records sealed by the WASM
// module: create, read, list (pages, kind filter), update with version, delete refused while
// in use, sharing with a second workspace and revoking it, roles, audit, and bad input that
// leaves nothing half-written.
// Run: node --test tests/web/api_credentials.test.mjs (CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { addMember, call, errorOf, loadCredvault, newUser, newWorkspace } from './api_client.mjs';
import {
  connectionsPath, createConnection, createCredential, credentialGrant, credentialsPath,
  openCredential, sealCredential,
} from './api_credentials_fixtures.mjs';
import { startServer, stopServer } from './harness.mjs';

let server;
let cv;
let owner;
let home;

before(async () => {
  server = await startServer();
  cv = await loadCredvault();
  owner = await newUser(server);
  home = await newWorkspace(server, owner, 'Home');
});

after(async () => {
  if (server) await stopServer(server);
});

async function listAll(user, workspace, query = '') {
  const response = await call(server, 'GET', credentialsPath(workspace, query),
    { auth: user.session });
  assert.equal(response.status, 200, response.text);
  return response.json;
}

describe('create and read', () => {
  test('a created credential reads back and opens in its workspace', async () => {
    const { json } = await createCredential(server, owner, home,
      { name: 'ci token', secret: { token: 'abc' } });
    assert.equal(json.version, 1);
    assert.equal(json.owner_id, owner.id);
    assert.ok(json.created_at > 1_600_000_000, 'the server sets the time');
    const read = await call(server, 'GET', credentialsPath(home, `/${json.id}`),
      { auth: owner.session });
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, json);
    assert.deepEqual(await openCredential(home, read.json),
      { name: 'ci token', secret: { token: 'abc' } });
  });

  test('the same id twice is a conflict', async () => {
    const sealed = await sealCredential(owner, home);
    const first = await call(server, 'POST', credentialsPath(home),
      { auth: owner.session, body: sealed.json });
    assert.equal(first.status, 201);
    const again = await call(server, 'POST', credentialsPath(home),
      { auth: owner.session, body: sealed.json });
    assert.equal(again.status, 409);
    assert.equal(errorOf(again).code, 'conflict');
  });

  test('an unknown or malformed credential id is 404', async () => {
    for (const id of [cv.newId(), 'not-an-id', '..%2F..%2Fetc']) {
      const response = await call(server, 'GET', credentialsPath(home, `/${id}`),
        { auth: owner.session });
      assert.equal(response.status, 404, id);
      assert.equal(errorOf(response).code, 'not_found');
    }
  });
});

describe('list', () => {
  test('pages with a cursor and filters by kind', async () => {
    const user = await newUser(server);
    const workspace = await newWorkspace(server, user, 'Lists');
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await createCredential(server, user, workspace)).json.id);
    }
    ids.push((await createCredential(server, user, workspace,
      { kind: 'grafana', method: 'api_key', secret: { api_key: 'g' } })).json.id);

    const first = await listAll(user, workspace, '?limit=3');
    assert.equal(first.items.length, 3);
    assert.equal(typeof first.next_cursor, 'string');
    const second = await listAll(user, workspace,
      `?limit=3&cursor=${encodeURIComponent(first.next_cursor)}`);
    assert.equal(second.items.length, 1);
    assert.equal(second.next_cursor, null);
    assert.deepEqual([...first.items, ...second.items].map((c) => c.id), ids);

    const grafana = await listAll(user, workspace, '?kind=grafana');
    assert.deepEqual(grafana.items.map((c) => c.id), [ids[3]]);
    const github = await listAll(user, workspace, '?kind=github');
    assert.deepEqual(github.items, []);
  });

  test('bad list queries are 400', async () => {
    for (const query of ['?kind=mysql', '?limit=0', '?limit=201', '?limit=x', '?colour=red',
      '?cursor=forged']) {
      const response = await call(server, 'GET', credentialsPath(home, query),
        { auth: owner.session });
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      errorOf(response);
    }
  });
});

describe('update with version', () => {
  test('a re-sealed version replaces the old one; a stale one gets 409 with the current version',
    async () => {
      const created = await createCredential(server, owner, home, { secret: { token: 'v1' } });
      const id = created.json.id;
      const v2 = await sealCredential(owner, home,
        { id, version: 2, dataKey: created.dataKey, secret: { token: 'v2' }, name: 'renamed' });
      const updated = await call(server, 'PUT', credentialsPath(home, `/${id}`),
        { auth: owner.session, body: v2.json });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.json.version, 2);
      assert.equal(updated.json.created_at, created.json.created_at);
      assert.deepEqual(await openCredential(home, updated.json),
        { name: 'renamed', secret: { token: 'v2' } });

      const stale = await call(server, 'PUT', credentialsPath(home, `/${id}`),
        { auth: owner.session, body: v2.json });
      assert.equal(stale.status, 409);
      assert.equal(errorOf(stale).code, 'conflict');
      assert.equal(stale.json.error.current_version, 2);

      const skipped = await sealCredential(owner, home, { id, version: 4 });
      const ahead = await call(server, 'PUT', credentialsPath(home, `/${id}`),
        { auth: owner.session, body: skipped.json });
      assert.equal(ahead.status, 409);
      assert.equal(ahead.json.error.current_version, 2);
    });

  test('kind, method, owner and id cannot change', async () => {
    const { json } = await createCredential(server, owner, home);
    const cases = [
      { kind: 'grafana', method: 'api_key' },
      { method: 'basic' },
    ];
    for (const change of cases) {
      const body = (await sealCredential(owner, home,
        { id: json.id, version: 2, ...change })).json;
      const response = await call(server, 'PUT', credentialsPath(home, `/${json.id}`),
        { auth: owner.session, body });
      assert.equal(response.status, 400, JSON.stringify(change));
      assert.equal(errorOf(response).code, 'validation');
    }
    const other = (await sealCredential(owner, home, { version: 2 })).json;
    const moved = await call(server, 'PUT', credentialsPath(home, `/${json.id}`),
      { auth: owner.session, body: other });
    assert.equal(moved.status, 400);
  });
});

describe('delete', () => {
  test('refused with 409 listing the connections while in use, then allowed', async () => {
    const { json } = await createCredential(server, owner, home);
    const a = await createConnection(server, owner, home, { credentialId: json.id });
    const b = await createConnection(server, owner, home,
      { credentialId: json.id, kind: 'prometheus' });
    const refused = await call(server, 'DELETE', credentialsPath(home, `/${json.id}`),
      { auth: owner.session });
    assert.equal(refused.status, 409);
    assert.equal(errorOf(refused).code, 'conflict');
    assert.deepEqual(
      refused.json.error.connections.map(({ id, kind }) => ({ id, kind })).sort(
        (x, y) => x.id.localeCompare(y.id)),
      [{ id: a.id, kind: 'http' }, { id: b.id, kind: 'prometheus' }].sort(
        (x, y) => x.id.localeCompare(y.id)));
    assert.equal(refused.json.error.hidden_connections, 0);

    for (const connection of [a, b]) {
      const gone = await call(server, 'DELETE', connectionsPath(home, `/${connection.id}`),
        { auth: owner.session });
      assert.equal(gone.status, 204, gone.text);
    }
    const deleted = await call(server, 'DELETE', credentialsPath(home, `/${json.id}`),
      { auth: owner.session });
    assert.equal(deleted.status, 204, deleted.text);
    const read = await call(server, 'GET', credentialsPath(home, `/${json.id}`),
      { auth: owner.session });
    assert.equal(read.status, 404);
  });
});

describe('sharing with a second workspace', () => {
  test('share, read and open there, update for both, revoke', async () => {
    const second = await newWorkspace(server, owner, 'Second');
    const created = await createCredential(server, owner, home,
      { name: 'shared token', secret: { token: 's-1' } });
    const id = created.json.id;
    const grant = credentialGrant(cv, second, id, 1, created.dataKey, 'shared token');

    const shared = await call(server, 'POST', credentialsPath(home, `/${id}/grants`),
      { auth: owner.session, body: grant });
    assert.equal(shared.status, 201, shared.text);
    assert.deepEqual(shared.json.grants.map((g) => g.workspace_id).sort(),
      [home.id, second.id].sort());

    const there = await call(server, 'GET', credentialsPath(second, `/${id}`),
      { auth: owner.session });
    assert.equal(there.status, 200);
    assert.deepEqual(there.json.grants.map((g) => g.workspace_id), [second.id],
      'a shared workspace sees only its own grant');
    assert.deepEqual(await openCredential(second, there.json),
      { name: 'shared token', secret: { token: 's-1' } });
    const listed = await listAll(owner, second);
    assert.deepEqual(listed.items.map((c) => c.id), [id]);

    const again = await call(server, 'POST', credentialsPath(home, `/${id}/grants`),
      { auth: owner.session, body: grant });
    assert.equal(again.status, 409);

    // A new version must re-wrap the data key for the second workspace too.
    const homeOnly = await sealCredential(owner, home,
      { id, version: 2, dataKey: created.dataKey, name: 'shared token' });
    const missing = await call(server, 'PUT', credentialsPath(home, `/${id}`),
      { auth: owner.session, body: homeOnly.json });
    assert.equal(missing.status, 409);
    assert.match(errorOf(missing).message, /grant/);
    const both = await sealCredential(owner, home, {
      id, version: 2, dataKey: created.dataKey, name: 'shared token',
      secret: { token: 's-2' }, shares: [second],
    });
    const updated = await call(server, 'PUT', credentialsPath(home, `/${id}`),
      { auth: owner.session, body: both.json });
    assert.equal(updated.status, 200, updated.text);
    const reread = await call(server, 'GET', credentialsPath(second, `/${id}`),
      { auth: owner.session });
    assert.deepEqual((await openCredential(second, reread.json)).secret, { token: 's-2' });

    // Edited only at home.
    const fromSecond = await sealCredential(owner, home,
      { id, version: 3, dataKey: created.dataKey, shares: [second] });
    const edit = await call(server, 'PUT', credentialsPath(second, `/${id}`),
      { auth: owner.session, body: fromSecond.json });
    assert.equal(edit.status, 403);
    const del = await call(server, 'DELETE', credentialsPath(second, `/${id}`),
      { auth: owner.session });
    assert.equal(del.status, 403);

    // In use over there: deleting at home and revoking are both refused.
    const connection = await createConnection(server, owner, second, { credentialId: id });
    const inUse = await call(server, 'DELETE', credentialsPath(home, `/${id}`),
      { auth: owner.session });
    assert.equal(inUse.status, 409);
    assert.deepEqual(inUse.json.error.connections.map((c) => c.id), [connection.id]);
    const revokeInUse = await call(server, 'DELETE',
      credentialsPath(home, `/${id}/grants/${second.id}`), { auth: owner.session });
    assert.equal(revokeInUse.status, 409);
    assert.deepEqual(revokeInUse.json.error.connections,
      [{ id: connection.id, kind: 'http', workspace_id: second.id }]);

    const homeGrant = await call(server, 'DELETE',
      credentialsPath(home, `/${id}/grants/${home.id}`), { auth: owner.session });
    assert.equal(homeGrant.status, 409, 'the home workspace keeps its grant');

    const removed = await call(server, 'DELETE', connectionsPath(second, `/${connection.id}`),
      { auth: owner.session });
    assert.equal(removed.status, 204);
    const revoked = await call(server, 'DELETE',
      credentialsPath(home, `/${id}/grants/${second.id}`), { auth: owner.session });
    assert.equal(revoked.status, 204, revoked.text);
    const gone = await call(server, 'GET', credentialsPath(second, `/${id}`),
      { auth: owner.session });
    assert.equal(gone.status, 404);
    const stillHome = await call(server, 'GET', credentialsPath(home, `/${id}`),
      { auth: owner.session });
    assert.deepEqual(stillHome.json.grants.map((g) => g.workspace_id), [home.id]);
    const revokedAgain = await call(server, 'DELETE',
      credentialsPath(home, `/${id}/grants/${second.id}`), { auth: owner.session });
    assert.equal(revokedAgain.status, 404);
  });

  test('a workspace it is shared with may drop its own grant', async () => {
    const second = await newWorkspace(server, owner, 'Drops');
    const created = await createCredential(server, owner, home);
    const id = created.json.id;
    const shared = await call(server, 'POST', credentialsPath(home, `/${id}/grants`), {
      auth: owner.session, body: credentialGrant(cv, second, id, 1, created.dataKey, 'x'),
    });
    assert.equal(shared.status, 201);
    const dropped = await call(server, 'DELETE',
      credentialsPath(second, `/${id}/grants/${second.id}`), { auth: owner.session });
    assert.equal(dropped.status, 204, dropped.text);
  });

  test('the target must be a workspace where the caller may create credentials', async () => {
    const stranger = await newUser(server);
    const theirs = await newWorkspace(server, stranger, 'Theirs');
    const viewing = await newWorkspace(server, stranger, 'Viewing');
    await addMember(server, stranger, viewing, owner, 'viewer');
    const created = await createCredential(server, owner, home);
    const id = created.json.id;

    const notMember = await call(server, 'POST', credentialsPath(home, `/${id}/grants`), {
      auth: owner.session, body: credentialGrant(cv, theirs, id, 1, created.dataKey, 'x'),
    });
    assert.equal(notMember.status, 404);
    const viewer = await call(server, 'POST', credentialsPath(home, `/${id}/grants`), {
      auth: owner.session, body: credentialGrant(cv, viewing, id, 1, created.dataKey, 'x'),
    });
    assert.equal(viewer.status, 403);
    const unknownTarget = await call(server, 'POST', credentialsPath(home, `/${id}/grants`), {
      auth: owner.session,
      body: { ...credentialGrant(cv, home, id, 1, created.dataKey, 'x'), workspace_id: cv.newId() },
    });
    assert.equal(unknownTarget.status, 404);
  });
});

describe('roles', () => {
  test('viewer reads, operator creates and edits, admin deletes and shares', async () => {
    const admin = await newUser(server);
    const operator = await newUser(server);
    const viewer = await newUser(server);
    const outsider = await newUser(server);
    const workspace = await newWorkspace(server, owner, 'Roles');
    await addMember(server, owner, workspace, admin, 'admin');
    await addMember(server, owner, workspace, operator, 'operator');
    await addMember(server, owner, workspace, viewer, 'viewer');

    const viewerCreate = await call(server, 'POST', credentialsPath(workspace),
      { auth: viewer.session, body: (await sealCredential(viewer, workspace)).json });
    assert.equal(viewerCreate.status, 403);
    assert.equal(errorOf(viewerCreate).code, 'permission_denied');

    const created = await createCredential(server, operator, workspace);
    const id = created.json.id;
    assert.equal((await call(server, 'GET', credentialsPath(workspace, `/${id}`),
      { auth: viewer.session })).status, 200);
    assert.equal((await listAll(viewer, workspace)).items.length, 1);

    const v2 = await sealCredential(operator, workspace,
      { id, version: 2, dataKey: created.dataKey });
    assert.equal((await call(server, 'PUT', credentialsPath(workspace, `/${id}`),
      { auth: viewer.session, body: v2.json })).status, 403);
    assert.equal((await call(server, 'PUT', credentialsPath(workspace, `/${id}`),
      { auth: operator.session, body: v2.json })).status, 200);

    assert.equal((await call(server, 'DELETE', credentialsPath(workspace, `/${id}`),
      { auth: operator.session })).status, 403);
    assert.equal((await call(server, 'GET', credentialsPath(workspace, `/${id}`),
      { auth: outsider.session })).status, 404);
    assert.equal((await call(server, 'GET', credentialsPath(workspace))).status, 401);
    assert.equal((await call(server, 'DELETE', credentialsPath(workspace, `/${id}`),
      { auth: admin.session })).status, 204);
  });
});

describe('audit', () => {
  test('each mutation leaves an event without content', async () => {
    const user = await newUser(server);
    const workspace = await newWorkspace(server, user, 'Audited');
    const created = await createCredential(server, user, workspace,
      { name: 'AUDIT-CANARY-NAME', secret: { token: 'AUDIT-CANARY-SECRET' } });
    const deleted = await call(server, 'DELETE', credentialsPath(workspace, `/${created.json.id}`),
      { auth: user.session });
    assert.equal(deleted.status, 204);
    const audit = await call(server, 'GET', `/api/v1/workspaces/${workspace.id}/audit`,
      { auth: user.session });
    assert.equal(audit.status, 200, audit.text);
    const mine = audit.json.items.filter((e) => e.object_id === created.json.id);
    assert.deepEqual(mine.map((e) => e.action).sort(), ['credential.create', 'credential.delete']);
    for (const event of mine) {
      assert.equal(event.actor_id, user.id);
      assert.equal(event.object_type, 'credential');
    }
    assert.ok(!audit.text.includes('AUDIT-CANARY'));
  });
});

describe('bad input', () => {
  test('each answers 4xx with an error body and writes nothing', async () => {
    const user = await newUser(server);
    const workspace = await newWorkspace(server, user, 'Bad input');
    const good = (await sealCredential(user, workspace)).json;
    const withField = (change) => ({ ...good, ...change });
    const without = (name) => {
      const copy = { ...good };
      delete copy[name];
      return copy;
    };
    const cases = [
      ['malformed JSON', { raw: '{"id": ' }, 400, 'parse_error'],
      ['not an object', { raw: '[1,2]' }, 400, 'validation'],
      ['wrong content type', { raw: JSON.stringify(good), contentType: 'text/plain' }, 400,
        'invalid_argument'],
      ['wrong type', { body: withField({ version: '1' }) }, 400, 'validation'],
      ['unknown field', { body: withField({ name: 'plaintext name' }) }, 400, 'validation'],
      ['missing field', { body: without('sealed_secret') }, 400, 'validation'],
      ['invalid id', { body: withField({ id: '../../etc/passwd' }) }, 400, 'validation'],
      // The core's reader names the field of an envelope that is not well-formed.
      ['not an envelope', { body: withField({ sealed_secret: 'bm90IGFuIGVudmVsb3Bl' }) }, 400,
        'validation'],
      ['bad base64', { body: withField({ sealed_secret: '***' }) }, 400, undefined],
      ['unknown kind', { body: withField({ kind: 'mysql' }) }, 400, 'validation'],
      ['another owner', { body: withField({ owner_id: cv.newId() }) }, 400, 'validation'],
      ['another workspace', { body: withField({ workspace_id: cv.newId() }) }, 400, 'validation'],
      ['version 2', { body: withField({ version: 2 }) }, 400, 'validation'],
      ['no grant', { body: withField({ grants: [] }) }, 400, 'validation'],
      ['grant at another generation',
        { body: withField({ grants: [{ ...good.grants[0], key_generation: 2 }] }) }, 400,
        'validation'],
      ['newer schema', { body: withField({ schema_version: 99 }) }, 400, 'unsupported_version'],
      ['too deep', { raw: `${'['.repeat(100)}${']'.repeat(100)}` }, 400, 'invalid_argument'],
    ];
    for (const [label, options, status, code] of cases) {
      const response = await call(server, 'POST', credentialsPath(workspace),
        { auth: user.session, ...options });
      assert.equal(response.status, status, `${label}: ${response.text}`);
      const error = errorOf(response);
      if (code) assert.equal(error.code, code, label);
    }
    const oversized = await call(server, 'POST', credentialsPath(workspace), {
      auth: user.session, raw: JSON.stringify(withField({ padding: 'x'.repeat(2 << 20) })),
    });
    assert.equal(oversized.status, 413);
    errorOf(oversized);

    const listed = await listAll(user, workspace);
    assert.deepEqual(listed.items, [], 'nothing was half-written');
    const audit = await call(server, 'GET', `/api/v1/workspaces/${workspace.id}/audit`,
      { auth: user.session });
    assert.ok(!audit.json.items.some((e) => e.object_type === 'credential'));
  });

  test('bad grant bodies', async () => {
    const second = await newWorkspace(server, owner, 'Grant input');
    const created = await createCredential(server, owner, home);
    const id = created.json.id;
    const good = credentialGrant(cv, second, id, 1, created.dataKey, 'x');
    const cases = [
      [{ ...good, extra: 1 }, 'validation'],
      [{ ...good, key_generation: 'one' }, 'validation'],
      [{ ...good, key_generation: 2 }, 'validation'],
      [{ ...good, wrapped_data_key: 'AAAA' }, 'malformed'],
      [{ ...good, workspace_id: 'nope' }, 'validation'],
      [(({ sealed_name: _, ...rest }) => rest)(good), 'validation'],
    ];
    for (const [body, code] of cases) {
      const response = await call(server, 'POST', credentialsPath(home, `/${id}/grants`),
        { auth: owner.session, body });
      assert.equal(response.status, 400, `${JSON.stringify(Object.keys(body))}: ${response.text}`);
      assert.equal(errorOf(response).code, code);
    }
    const read = await call(server, 'GET', credentialsPath(home, `/${id}`),
      { auth: owner.session });
    assert.equal(read.json.grants.length, 1);
  });
});
