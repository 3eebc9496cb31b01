// Workspaces, key grants, members, key rotation on removal, and audit, against the real
// server with grants made by the WASM module. Bad input must write nothing, which each test
// checks with a follow-up read. Run: node --test tests/web/api_workspaces.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  connectionContext, connectionsPath, createConnection, createCredential, credentialsPath,
} from './api_credentials_fixtures.mjs';
import { startServer, stopServer } from './harness.mjs';
import {
  addMember, call, errorOf, grantFor, loadCredvault, newUser, newWorkspace,
} from './api_client.mjs';

const WS = '/api/v1/workspaces';

describe('workspaces API', () => {
  let server;
  let alice;
  let bob;
  let carol;
  before(async () => {
    server = await startServer();
    [alice, bob, carol] = [await newUser(server), await newUser(server), await newUser(server)];
  });
  after(async () => {
    await stopServer(server);
  });

  test('create makes the caller owner and stores their grant, which opens', async () => {
    const cv = await loadCredvault();
    const ws = await newWorkspace(server, alice, 'Payments');
    assert.equal(ws.json.role, 'owner');
    assert.equal(ws.json.key_generation, 1);
    assert.equal(ws.json.version, 1);
    assert.equal(ws.json.name, 'Payments');
    assert.ok(ws.json.permissions.includes('delete_workspace'));

    const got = await call(server, 'GET', `${WS}/${ws.id}`, { auth: alice.session });
    assert.deepEqual(got.json.workspace, ws.json);
    const listed = await call(server, 'GET', WS, { auth: alice.session });
    assert.ok(listed.json.items.some((item) => item.id === ws.id && item.role === 'owner'));

    const keys = await call(server, 'GET', `${WS}/${ws.id}/keys`, { auth: alice.session });
    assert.equal(keys.status, 200);
    assert.equal(keys.json.items.length, 1);
    const opened = cv.openGrant(alice.handle, keys.json.items[0],
      { [alice.id]: alice.record.sign_public_key });
    assert.equal(cv.workspaceHasSecrets(opened), true);
    cv.release(opened);
  });

  test('bad creations are refused and leave no workspace behind', async () => {
    const cv = await loadCredvault();
    const id = cv.newId();
    const keys = cv.newWorkspaceKeys(id, 1);
    const grant = cv.makeGrant(alice.handle, keys, true, alice.id, alice.record.box_public_key);
    const otherKeys = cv.newWorkspaceKeys(cv.newId(), 1);
    const cases = [
      ['malformed JSON', { raw: '{"id":' }, 400, 'parse_error'],
      ['missing grant', { body: { id, name: 'x' } }, 400, 'validation'],
      ['unknown field', { body: { id, name: 'x', grant, owner: bob.id } }, 400, 'validation'],
      ['name a number', { body: { id, name: 5, grant } }, 400, 'validation'],
      ['blank name', { body: { id, name: '   ', grant } }, 400, 'validation'],
      ['bad id', { body: { id: 'not-an-id', name: 'x', grant } }, 400, 'validation'],
      ['grant for another workspace', {
        body: { id, name: 'x', grant: cv.makeGrant(alice.handle, otherKeys, true, alice.id, alice.record.box_public_key) },
      }, 400, 'validation'],
      ['grant without the secrets key', {
        body: { id, name: 'x', grant: cv.makeGrant(alice.handle, keys, false, alice.id, alice.record.box_public_key) },
      }, 400, 'validation'],
      ['grant to someone else', {
        body: { id, name: 'x', grant: cv.makeGrant(alice.handle, keys, true, bob.id, bob.record.box_public_key) },
      }, 400, 'validation'],
      ['grant signed by someone else', {
        body: { id, name: 'x', grant: cv.makeGrant(bob.handle, keys, true, alice.id, alice.record.box_public_key) },
      }, 400, 'validation'],
      ['forged signature', { body: { id, name: 'x', grant: { ...grant, signature: grant.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } } },
        400, 'bad_signature'],
      ['grant with an extra field', { body: { id, name: 'x', grant: { ...grant, note: 1 } } }, 400,
        'validation'],
      ['grant not an object', { body: { id, name: 'x', grant: 'sealed' } }, 400, 'validation'],
    ];
    for (const [name, request, status, code] of cases) {
      const response = await call(server, 'POST', WS, { auth: alice.session, ...request });
      assert.equal(response.status, status, `${name}: ${response.text}`);
      assert.equal(errorOf(response).code, code, name);
      const probe = await call(server, 'GET', `${WS}/${id}`, { auth: alice.session });
      assert.equal(probe.status, 404, `${name} left a workspace behind`);
    }
    const created = await call(server, 'POST', WS,
      { auth: alice.session, body: { id, name: 'finally', grant } });
    assert.equal(created.status, 201);
    const twice = await call(server, 'POST', WS,
      { auth: alice.session, body: { id, name: 'again', grant } });
    assert.equal(twice.status, 409);
    cv.release(keys);
    cv.release(otherKeys);
  });

  test('rename with a version; a stale version is 409 with the current one', async () => {
    const ws = await newWorkspace(server, alice, 'Before');
    const renamed = await call(server, 'PATCH', `${WS}/${ws.id}`,
      { auth: alice.session, body: { name: 'After', version: 1 } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.json.workspace.name, 'After');
    assert.equal(renamed.json.workspace.version, 2);
    const stale = await call(server, 'PATCH', `${WS}/${ws.id}`,
      { auth: alice.session, body: { name: 'Lost update', version: 1 } });
    assert.equal(stale.status, 409);
    assert.equal(errorOf(stale).code, 'conflict');
    assert.equal(stale.json.error.current_version, 2);
    for (const body of [{ name: 'x' }, { name: 'x', version: '2' }, { name: '', version: 2 },
      { name: 'x', version: -1 }, { name: 'x', version: 2, id: 'y' }]) {
      const bad = await call(server, 'PATCH', `${WS}/${ws.id}`, { auth: alice.session, body });
      assert.equal(bad.status, 400, JSON.stringify(body));
    }
    const now = await call(server, 'GET', `${WS}/${ws.id}`, { auth: alice.session });
    assert.equal(now.json.workspace.name, 'After');
    assert.equal(now.json.workspace.version, 2);
  });

  test('paths with malformed ids are 404', async () => {
    for (const id of ['x', '..', '%2e%2e', 'A'.repeat(23)]) {
      const response = await call(server, 'GET', `${WS}/${id}`, { auth: alice.session });
      assert.equal(response.status, 404, id);
      assert.equal(errorOf(response).code, 'not_found');
    }
  });

  test('list pages with a cursor', async () => {
    const user = await newUser(server);
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await newWorkspace(server, user, `W${i}`)).id);
    const first = await call(server, 'GET', `${WS}?limit=2`, { auth: user.session });
    assert.equal(first.json.items.length, 2);
    assert.equal(typeof first.json.next_cursor, 'string');
    const second = await call(server, 'GET',
      `${WS}?limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`, { auth: user.session });
    assert.equal(second.json.items.length, 1);
    assert.equal(second.json.next_cursor, null);
    const seen = [...first.json.items, ...second.json.items].map((item) => item.id).sort();
    assert.deepEqual(seen, [...ids].sort());
    for (const query of ['limit=0', 'limit=201', 'limit=x', 'cursor=garbage', 'sort=name']) {
      const bad = await call(server, 'GET', `${WS}?${query}`, { auth: user.session });
      assert.equal(bad.status, 400, query);
    }
  });

  test('members: invite with a matching grant, list with public keys, change role', async () => {
    const cv = await loadCredvault();
    const ws = await newWorkspace(server, alice, 'Team');
    const viewerGrant = await grantFor(alice, ws.keys, bob, 'viewer');
    const refused = [
      [{ account_id: bob.id, role: 'viewer', grant: await grantFor(alice, ws.keys, bob, 'operator') },
        400, 'validation'],
      [{ account_id: bob.id, role: 'viewer', grant: await grantFor(alice, ws.keys, carol, 'viewer') },
        400, 'validation'],
      [{ account_id: bob.id, role: 'superuser', grant: viewerGrant }, 400, 'validation'],
      [{ account_id: bob.id, role: 'viewer' }, 400, 'validation'],
      [{ account_id: cv.newId(), role: 'viewer', grant: viewerGrant }, 404, 'not_found'],
    ];
    for (const [body, status, code] of refused) {
      const response = await call(server, 'POST', `${WS}/${ws.id}/members`,
        { auth: alice.session, body });
      assert.equal(response.status, status, response.text);
      assert.equal(errorOf(response).code, code);
    }
    let members = await call(server, 'GET', `${WS}/${ws.id}/members`, { auth: alice.session });
    assert.deepEqual(members.json.items.map((m) => m.account_id), [alice.id]);

    const added = await call(server, 'POST', `${WS}/${ws.id}/members`,
      { auth: alice.session, body: { account_id: bob.id, role: 'viewer', grant: viewerGrant } });
    assert.equal(added.status, 201);
    assert.equal(added.json.member.role, 'viewer');
    const again = await call(server, 'POST', `${WS}/${ws.id}/members`,
      { auth: alice.session, body: { account_id: bob.id, role: 'viewer', grant: viewerGrant } });
    assert.equal(again.status, 409);

    members = await call(server, 'GET', `${WS}/${ws.id}/members`, { auth: bob.session });
    const bobEntry = members.json.items.find((m) => m.account_id === bob.id);
    assert.deepEqual(bobEntry, {
      account_id: bob.id, role: 'viewer', version: 1, added_at: bobEntry.added_at,
      email: bob.email, box_public_key: bob.record.box_public_key,
      sign_public_key: bob.record.sign_public_key,
    });
    // Bob's grant opens with Alice's pinned key, and carries no secrets key.
    const bobKeys = await call(server, 'GET', `${WS}/${ws.id}/keys`, { auth: bob.session });
    const opened = cv.openGrant(bob.handle, bobKeys.json.items[0],
      { [alice.id]: alice.record.sign_public_key });
    assert.equal(cv.workspaceHasSecrets(opened), false);
    cv.release(opened);
    // A viewer may not invite.
    const byViewer = await call(server, 'POST', `${WS}/${ws.id}/members`, {
      auth: bob.session,
      body: { account_id: carol.id, role: 'viewer', grant: await grantFor(bob, ws.keys, carol, 'viewer') },
    });
    assert.equal(byViewer.status, 403);

    const path = `${WS}/${ws.id}/members/${bob.id}`;
    const noGrant = await call(server, 'PATCH', path,
      { auth: alice.session, body: { role: 'operator', version: 1 } });
    assert.equal(noGrant.status, 400);
    const promoted = await call(server, 'PATCH', path, {
      auth: alice.session,
      body: { role: 'operator', version: 1, grant: await grantFor(alice, ws.keys, bob, 'operator') },
    });
    assert.equal(promoted.status, 200, promoted.text);
    assert.deepEqual([promoted.json.member.role, promoted.json.member.version], ['operator', 2]);
    const stale = await call(server, 'PATCH', path, {
      auth: alice.session,
      body: { role: 'viewer', version: 1, grant: await grantFor(alice, ws.keys, bob, 'viewer') },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.current_version, 2);
    const upgraded = await call(server, 'GET', `${WS}/${ws.id}/keys`, { auth: bob.session });
    const withSecrets = cv.openGrant(bob.handle, upgraded.json.items.at(-1),
      { [alice.id]: alice.record.sign_public_key });
    assert.equal(cv.workspaceHasSecrets(withSecrets), true);
    cv.release(withSecrets);
    // The last owner cannot step down.
    const selfDemote = await call(server, 'PATCH', `${WS}/${ws.id}/members/${alice.id}`, {
      auth: alice.session,
      body: { role: 'admin', version: 1, grant: await grantFor(alice, ws.keys, alice, 'admin') },
    });
    assert.equal(selfDemote.status, 409);
  });

  test('removal applies a complete rotation in one transaction, or nothing', async () => {
    const cv = await loadCredvault();
    const ws = await newWorkspace(server, alice, 'Rotating');
    await addMember(server, alice, ws, bob, 'operator');
    await addMember(server, alice, ws, carol, 'viewer');
    const next = cv.newWorkspaceKeys(ws.id, 2);
    const aliceGrant = cv.makeGrant(alice.handle, next, true, alice.id, alice.record.box_public_key);
    const carolGrant = cv.makeGrant(alice.handle, next, false, carol.id, carol.record.box_public_key);
    const path = `${WS}/${ws.id}/members/${bob.id}`;
    const rotation = {
      new_generation: 2, grants: [aliceGrant, carolGrant], credential_keys: [], connections: [],
    };
    const incomplete = [
      [{ ...rotation, grants: [aliceGrant] }, 'validation'],
      [{ ...rotation, new_generation: 3 }, 'validation'],
      [{ ...rotation, grants: [aliceGrant, carolGrant, cv.makeGrant(alice.handle, next, true, bob.id, bob.record.box_public_key)] },
        'validation'],
      [{ ...rotation, grants: [aliceGrant, { ...carolGrant, includes_secrets: true }] },
        'validation'],
      [{ ...rotation, credential_keys: [{ credential_id: cv.newId(), wrapped_data_key: 'AAAA', sealed_name: 'AAAA' }] },
        'malformed'],
      [{ ...rotation, connections: undefined }, 'validation'],
      [{ ...rotation, note: 'why' }, 'validation'],
    ];
    for (const [body, code] of incomplete) {
      const response = await call(server, 'DELETE', path, { auth: alice.session, body });
      assert.equal(response.status, 400, response.text);
      assert.equal(errorOf(response).code, code);
    }
    const empty = await call(server, 'DELETE', path, { auth: alice.session });
    assert.equal(empty.status, 400);
    // Nothing was written: Bob is still a member and the generation is 1.
    const still = await call(server, 'GET', `${WS}/${ws.id}/members`, { auth: alice.session });
    assert.ok(still.json.items.some((m) => m.account_id === bob.id));
    assert.equal((await call(server, 'GET', `${WS}/${ws.id}`, { auth: alice.session })).json.workspace.key_generation, 1);

    // A viewer may not remove someone else.
    const byViewer = await call(server, 'DELETE', path, { auth: carol.session, body: rotation });
    assert.equal(byViewer.status, 403);

    const removed = await call(server, 'DELETE', path, { auth: alice.session, body: rotation });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.json, {
      removed_account_id: bob.id, key_generation: 2, grants: 2, credential_keys: 0,
      connections: 0, rotate_recommended: [],
    });
    assert.equal((await call(server, 'GET', `${WS}/${ws.id}`, { auth: bob.session })).status, 404);
    assert.equal((await call(server, 'GET', `${WS}/${ws.id}/keys`, { auth: bob.session })).status, 404);
    const workspace = await call(server, 'GET', `${WS}/${ws.id}`, { auth: carol.session });
    assert.equal(workspace.json.workspace.key_generation, 2);
    const carolKeys = await call(server, 'GET', `${WS}/${ws.id}/keys`, { auth: carol.session });
    assert.deepEqual(carolKeys.json.items.map((g) => g.generation), [1, 2]);
    const opened = cv.openGrant(carol.handle, carolKeys.json.items[1],
      { [alice.id]: alice.record.sign_public_key });
    cv.release(opened);
    cv.release(next);

    // Leaving needs no manage_members, but still rotates.
    const next3 = cv.newWorkspaceKeys(ws.id, 3);
    const leave = await call(server, 'DELETE', `${WS}/${ws.id}/members/${carol.id}`, {
      auth: carol.session,
      body: {
        new_generation: 3,
        grants: [cv.makeGrant(carol.handle, next3, true, alice.id, alice.record.box_public_key)],
        credential_keys: [],
        connections: [],
      },
    });
    assert.equal(leave.status, 200, leave.text);
    cv.release(next3);
  });

  test('rotation re-wraps credential keys and re-seals connections, and flags credentials',
    async () => {
      const cv = await loadCredvault();
      const ws = await newWorkspace(server, alice, 'With secrets');
      await addMember(server, alice, ws, bob, 'operator');
      const credential = await createCredential(server, alice, ws, { name: 'db password' });
      const credentialId = credential.json.id;
      const connection = await createConnection(server, alice, ws, {
        credentialId, endpoint: 'https://db.example.test', name: 'db',
      });
      const stored = connection;

      const next = cv.newWorkspaceKeys(ws.id, 2);
      const version = credential.json.version;
      const credentialKey = {
        credential_id: credentialId,
        wrapped_data_key: cv.wrapDataKey(next, credentialId, version, credential.dataKey),
        sealed_name: cv.seal(next, { purpose: 'credential-name', workspace_id: ws.id,
          object_id: credentialId, object_version: version }, 'db password'),
      };
      const resealed = {
        ...stored,
        version: stored.version + 1,
        sealed_details: cv.seal(next, connectionContext(ws.id, stored.id, stored.version + 1),
          JSON.stringify({ name: 'db', endpoint: 'https://db.example.test' })),
      };
      const rotation = {
        new_generation: 2,
        grants: [cv.makeGrant(alice.handle, next, true, alice.id, alice.record.box_public_key)],
        credential_keys: [credentialKey],
        connections: [resealed],
      };
      const path = `${WS}/${ws.id}/members/${bob.id}`;
      for (const body of [
        { ...rotation, credential_keys: [] },
        { ...rotation, connections: [] },
        { ...rotation, credential_keys: [{ ...credentialKey,
          wrapped_data_key: cv.wrapDataKey(ws.keys, credentialId, version, credential.dataKey) }] },
        { ...rotation, connections: [{ ...resealed, version: stored.version }] },
      ]) {
        const refused = await call(server, 'DELETE', path, { auth: alice.session, body });
        assert.equal(refused.status, 400, refused.text);
      }
      const unchanged = await call(server, 'GET', credentialsPath(ws, `/${credentialId}`),
        { auth: alice.session });
      assert.equal(unchanged.json.rotate_recommended, false);
      assert.equal(unchanged.json.grants[0].key_generation, 1);

      const removed = await call(server, 'DELETE', path, { auth: alice.session, body: rotation });
      assert.equal(removed.status, 200, removed.text);
      assert.deepEqual(removed.json.rotate_recommended, [credentialId]);
      assert.deepEqual([removed.json.credential_keys, removed.json.connections], [1, 1]);

      const after = await call(server, 'GET', credentialsPath(ws, `/${credentialId}`),
        { auth: alice.session });
      assert.equal(after.json.rotate_recommended, true);
      const grant = after.json.grants.find((g) => g.workspace_id === ws.id);
      assert.equal(grant.key_generation, 2);
      const dataKey = cv.unwrapDataKey(next, credentialId, version, grant.wrapped_data_key);
      cv.release(dataKey);
      const conn = await call(server, 'GET', connectionsPath(ws, `/${stored.id}`),
        { auth: alice.session });
      assert.equal(conn.json.version, stored.version + 1);
      const details = JSON.parse(cv.open(next,
        connectionContext(ws.id, stored.id, conn.json.version),
        conn.json.sealed_details));
      assert.equal(details.endpoint, 'https://db.example.test');
      cv.release(next);
    });

  test('audit lists who did what to which object, and nothing secret', async () => {
    const ws = await newWorkspace(server, alice, 'Audit name canary 5d1e');
    await addMember(server, alice, ws, bob, 'viewer');
    await call(server, 'PATCH', `${WS}/${ws.id}`,
      { auth: alice.session, body: { name: 'Renamed canary 77c2', version: 1 } });
    const audit = await call(server, 'GET', `${WS}/${ws.id}/audit`, { auth: alice.session });
    assert.equal(audit.status, 200);
    const actions = audit.json.items.map((e) => [e.action, e.object_type, e.object_id, e.actor_id]);
    assert.deepEqual(actions, [
      ['workspace.update', 'workspace', ws.id, alice.id],
      ['member.add', 'member', bob.id, alice.id],
      ['workspace.create', 'workspace', ws.id, alice.id],
    ]);
    for (const event of audit.json.items) {
      assert.deepEqual(Object.keys(event).sort(),
        ['action', 'actor_id', 'at', 'id', 'object_id', 'object_type']);
    }
    assert.doesNotMatch(audit.text, /canary/);
    const page = await call(server, 'GET', `${WS}/${ws.id}/audit?limit=1`, { auth: alice.session });
    assert.equal(page.json.items.length, 1);
    assert.equal(typeof page.json.next_cursor, 'string');
    assert.equal((await call(server, 'GET', `${WS}/${ws.id}/audit`, { auth: bob.session })).status, 403);
  });

  test('delete removes the workspace for every member', async () => {
    const ws = await newWorkspace(server, alice, 'Short-lived');
    await addMember(server, alice, ws, bob, 'admin');
    const byAdmin = await call(server, 'DELETE', `${WS}/${ws.id}`, { auth: bob.session });
    assert.equal(byAdmin.status, 403);
    const deleted = await call(server, 'DELETE', `${WS}/${ws.id}`, { auth: alice.session });
    assert.equal(deleted.status, 204);
    assert.equal((await call(server, 'GET', `${WS}/${ws.id}`, { auth: alice.session })).status, 404);
    assert.equal((await call(server, 'GET', `${WS}/${ws.id}/members`, { auth: bob.session })).status, 404);
  });
});
