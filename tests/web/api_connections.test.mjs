// Connections, environments and runners over the REST API, against the built server, with
// records sealed by the WASM module: create (credential visible and fit, environments
// present, starting state), list filters and counts per state, update with version,
// transitions decided by the core's state machine per role, delete as the move to
// `deleted`, environments CRUD and runners, and bad input that writes nothing.
// Run: node --test tests/web/api_connections.test.mjs (CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { addMember, call, errorOf, loadCredvault, newUser, newWorkspace } from './api_client.mjs';
import {
  connectionContext, connectionsPath, createConnection, createCredential, sealConnection,
} from './api_credentials_fixtures.mjs';
import { startServer, stopServer } from './harness.mjs';

let server;
let cv;
let owner;
let admin;
let operator;
let viewer;
let outsider;
let workspace;

before(async () => {
  server = await startServer();
  cv = await loadCredvault();
  [owner, admin, operator, viewer, outsider] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => newUser(server)));
  workspace = await newWorkspace(server, owner, 'Connections');
  await addMember(server, owner, workspace, admin, 'admin');
  await addMember(server, owner, workspace, operator, 'operator');
  await addMember(server, owner, workspace, viewer, 'viewer');
});

after(async () => {
  if (server) await stopServer(server);
});

function environmentsPath(w, rest = '') {
  return `/api/v1/workspaces/${w.id}/environments${rest}`;
}

function runnersPath(w, rest = '') {
  return `/api/v1/workspaces/${w.id}/runners${rest}`;
}

async function createEnvironment(user, w, name) {
  const response = await call(server, 'POST', environmentsPath(w),
    { auth: user.session, body: { id: cv.newId(), name } });
  assert.equal(response.status, 201, response.text);
  return response.json;
}

async function transition(user, w, connection, body) {
  return call(server, 'POST', connectionsPath(w, `/${connection.id}/transitions`),
    { auth: user.session, body });
}

async function read(user, w, id) {
  const response = await call(server, 'GET', connectionsPath(w, `/${id}`), { auth: user.session });
  assert.equal(response.status, 200, response.text);
  return response.json;
}

describe('create', () => {
  test('with a credential of the workspace that fits its kind', async () => {
    const credential = await createCredential(server, operator, workspace,
      { kind: 'http', method: 'basic', secret: { username: 'u', password: 'p' } });
    const connection = await createConnection(server, operator, workspace,
      { kind: 'prometheus', credentialId: credential.json.id, name: 'metrics' });
    assert.equal(connection.state, 'discovered');
    assert.equal(connection.version, 1);
    const again = await read(viewer, workspace, connection.id);
    assert.deepEqual(again, connection);
    const details = JSON.parse(cv.open(workspace.keys,
      connectionContext(workspace.id, connection.id, 1), again.sealed_details));
    assert.equal(details.name, 'metrics');
  });

  test('refuses a credential that does not fit, or is not visible here', async () => {
    const github = await createCredential(server, owner, workspace,
      { kind: 'github', method: 'personal_access_token', secret: { token: 'ghp' } });
    const misfit = await call(server, 'POST', connectionsPath(workspace), {
      auth: owner.session,
      body: await sealConnection(workspace, { kind: 'prometheus', credentialId: github.json.id }),
    });
    assert.equal(misfit.status, 400);
    assert.match(errorOf(misfit).message, /credential_id/);

    const elsewhere = await newWorkspace(server, owner, 'Elsewhere');
    const foreign = await createCredential(server, owner, elsewhere);
    const invisible = await call(server, 'POST', connectionsPath(workspace), {
      auth: owner.session,
      body: await sealConnection(workspace, { credentialId: foreign.json.id }),
    });
    assert.equal(invisible.status, 400);
    assert.match(errorOf(invisible).message, /credential_id/);
  });

  test('refuses environments that do not exist in the workspace', async () => {
    const response = await call(server, 'POST', connectionsPath(workspace), {
      auth: owner.session, body: await sealConnection(workspace, { environmentIds: [cv.newId()] }),
    });
    assert.equal(response.status, 400);
    assert.match(errorOf(response).message, /environment_ids\[0\]/);
  });

  test('starts discovered, or where the role could pick from there', async () => {
    const registered = await createConnection(server, operator, workspace,
      { state: 'registered' });
    assert.equal(registered.state, 'registered');
    for (const state of ['connected', 'not_found']) {
      const response = await call(server, 'POST', connectionsPath(workspace),
        { auth: owner.session, body: await sealConnection(workspace, { state }) });
      assert.equal(response.status, 409, state);
      assert.equal(errorOf(response).code, 'invalid_transition');
    }
    const deleted = await call(server, 'POST', connectionsPath(workspace),
      { auth: owner.session, body: await sealConnection(workspace, { state: 'deleted' }) });
    assert.equal(deleted.status, 400);
  });

  test('roles: a viewer may not create; outsiders and no session are refused', async () => {
    const body = await sealConnection(workspace);
    assert.equal((await call(server, 'POST', connectionsPath(workspace),
      { auth: viewer.session, body })).status, 403);
    assert.equal((await call(server, 'POST', connectionsPath(workspace),
      { auth: outsider.session, body })).status, 404);
    assert.equal((await call(server, 'POST', connectionsPath(workspace), { body })).status, 401);
    assert.equal((await call(server, 'GET', connectionsPath(workspace),
      { auth: outsider.session })).status, 404);
  });
});

describe('isolation between workspaces', () => {
  test("another workspace's objects are not found through this one", async () => {
    const mine = await newWorkspace(server, owner, 'Mine');
    const theirs = await newWorkspace(server, owner, 'Theirs');
    const connection = await createConnection(server, owner, theirs);
    const environment = await createEnvironment(owner, theirs, 'production');
    const credential = await createCredential(server, owner, theirs);
    for (const target of [
      connectionsPath(mine, `/${connection.id}`),
      environmentsPath(mine, `/${environment.id}`),
      `/api/v1/workspaces/${mine.id}/credentials/${credential.json.id}`,
    ]) {
      const response = await call(server, 'GET', target, { auth: owner.session });
      assert.equal(response.status, 404, target);
    }
    const moved = await transition(owner, mine, connection, { version: 1, to: 'registered' });
    assert.equal(moved.status, 404);
    const borrowed = await call(server, 'POST', connectionsPath(mine), {
      auth: owner.session, body: await sealConnection(mine, { environmentIds: [environment.id] }),
    });
    assert.equal(borrowed.status, 400);
    assert.equal((await read(owner, theirs, connection.id)).state, 'discovered');
  });
});

describe('list', () => {
  test('filters by kind, state and environment, with counts per state', async () => {
    const w = await newWorkspace(server, owner, 'Filters');
    const prod = await createEnvironment(owner, w, 'production');
    const staging = await createEnvironment(owner, w, 'staging');
    const a = await createConnection(server, owner, w,
      { kind: 'prometheus', environmentIds: [prod.id] });
    const b = await createConnection(server, owner, w,
      { kind: 'grafana', state: 'registered', environmentIds: [prod.id, staging.id] });
    const c = await createConnection(server, owner, w, { kind: 'prometheus', state: 'ignored' });
    const list = async (query) => {
      const response = await call(server, 'GET', connectionsPath(w, query), { auth: viewer.session });
      return response;
    };
    // The viewer is not a member of this workspace yet.
    assert.equal((await list('')).status, 404);
    await addMember(server, owner, w, viewer, 'viewer');

    const all = (await list('')).json;
    assert.deepEqual(all.items.map((x) => x.id), [a.id, b.id, c.id]);
    assert.equal(all.counts.discovered, 1);
    assert.equal(all.counts.registered, 1);
    assert.equal(all.counts.ignored, 1);
    assert.equal(all.counts.connected, 0);

    const prometheus = (await list('?kind=prometheus')).json;
    assert.deepEqual(prometheus.items.map((x) => x.id), [a.id, c.id]);
    assert.equal(prometheus.counts.registered, 0, 'counts follow the kind filter');

    const ignored = (await list('?state=ignored')).json;
    assert.deepEqual(ignored.items.map((x) => x.id), [c.id]);
    assert.equal(ignored.counts.discovered, 1, 'counts ignore the state filter');

    const inProd = (await list(`?environment=${prod.id}`)).json;
    assert.deepEqual(inProd.items.map((x) => x.id), [a.id, b.id]);
    const inStaging = (await list(`?environment=${staging.id}&kind=grafana`)).json;
    assert.deepEqual(inStaging.items.map((x) => x.id), [b.id]);

    const page = (await list('?limit=2')).json;
    assert.equal(page.items.length, 2);
    const rest = (await list(`?limit=2&cursor=${encodeURIComponent(page.next_cursor)}`)).json;
    assert.deepEqual(rest.items.map((x) => x.id), [c.id]);
    assert.equal(rest.next_cursor, null);

    for (const query of ['?state=gone', '?kind=mysql', '?environment=prod', '?limit=500',
      '?sort=name']) {
      const response = await list(query);
      assert.equal(response.status, 400, query);
      assert.equal(errorOf(response).code, 'validation', query);
    }
  });
});

describe('update with version', () => {
  test('re-sealed at version + 1; stale gets 409 with the current version', async () => {
    const connection = await createConnection(server, operator, workspace, { name: 'old' });
    const v2 = await sealConnection(workspace,
      { id: connection.id, version: 2, name: 'new', state: 'ignored' });
    const updated = await call(server, 'PUT', connectionsPath(workspace, `/${connection.id}`),
      { auth: operator.session, body: v2 });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.version, 2);
    assert.equal(updated.json.state, 'discovered', 'a PUT does not move the state');
    assert.equal(JSON.parse(cv.open(workspace.keys,
      connectionContext(workspace.id, connection.id, 2), updated.json.sealed_details)).name, 'new');

    const stale = await call(server, 'PUT', connectionsPath(workspace, `/${connection.id}`),
      { auth: operator.session, body: v2 });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.current_version, 2);

    assert.equal((await call(server, 'PUT', connectionsPath(workspace, `/${connection.id}`), {
      auth: viewer.session,
      body: await sealConnection(workspace, { id: connection.id, version: 3 }),
    })).status, 403);
    const kind = await call(server, 'PUT', connectionsPath(workspace, `/${connection.id}`), {
      auth: operator.session,
      body: await sealConnection(workspace, { id: connection.id, version: 3, kind: 'github' }),
    });
    assert.equal(kind.status, 400);
  });
});

describe('transitions', () => {
  test('user picks follow the state machine and the role', async () => {
    const connection = await createConnection(server, operator, workspace);
    const registered = await transition(operator, workspace, connection,
      { version: 1, to: 'registered' });
    assert.equal(registered.status, 200, registered.text);
    assert.equal(registered.json.state, 'registered');
    assert.equal(registered.json.version, 1, 'the sealed details keep their version');

    for (const to of ['connected', 'not_found', 'discovered']) {
      const refused = await transition(owner, workspace, connection, { version: 1, to });
      assert.equal(refused.status, 409, to);
      assert.equal(errorOf(refused).code, 'invalid_transition', to);
    }
    const byViewer = await transition(viewer, workspace, connection,
      { version: 1, to: 'maintenance' });
    assert.equal(byViewer.status, 403);
    const deleteByOperator = await transition(operator, workspace, connection,
      { version: 1, to: 'deleted' });
    assert.equal(deleteByOperator.status, 403);
    const stale = await transition(operator, workspace, connection,
      { version: 7, to: 'maintenance' });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.current_version, 1);

    const maintenance = await transition(operator, workspace, connection,
      { version: 1, to: 'maintenance' });
    assert.equal(maintenance.json.state, 'maintenance');
    const deleted = await transition(admin, workspace, connection, { version: 1, to: 'deleted' });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.json.state, 'deleted');
    const afterDelete = await transition(owner, workspace, connection,
      { version: 1, to: 'registered' });
    assert.equal(afterDelete.status, 409);
    assert.equal(errorOf(afterDelete).code, 'invalid_transition');
  });

  test('a verified test result moves the state and is recorded', async () => {
    const connection = await createConnection(server, operator, workspace);
    const runner = cv.newId();
    const failed = await transition(operator, workspace, connection, {
      version: 1,
      test: { outcome: 'unauthorized', tested_at: 1_800_000_000, latency_ms: 20,
        http_status: 401, runner_id: runner },
    });
    assert.equal(failed.status, 200, failed.text);
    assert.equal(failed.json.state, 'disconnected');
    assert.equal(failed.json.last_test.outcome, 'unauthorized');
    assert.equal(failed.json.last_test.runner_id, runner);
    const ok = await transition(operator, workspace, connection,
      { version: 1, test: { outcome: 'ok', tested_at: 1_800_000_100 } });
    assert.equal(ok.json.state, 'connected');
    const byViewer = await transition(viewer, workspace, connection,
      { version: 1, test: { outcome: 'ok', tested_at: 1 } });
    assert.equal(byViewer.status, 403);
  });

  test('bad transition bodies', async () => {
    const connection = await createConnection(server, operator, workspace);
    const cases = [
      { raw: '{"version":1,' },
      { body: { to: 'registered' } },
      { body: { version: 1 } },
      { body: { version: 1, to: 'registered', test: { outcome: 'ok', tested_at: 1 } } },
      { body: { version: '1', to: 'registered' } },
      { body: { version: 1, to: 'exploded' } },
      { body: { version: 1, to: 'registered', why: 'because' } },
      { body: { version: 1, test: { outcome: 'great', tested_at: 1 } } },
      { body: { version: 1, test: { outcome: 'ok', tested_at: 1, body: 'leak' } } },
    ];
    for (const options of cases) {
      const response = await call(server, 'POST',
        connectionsPath(workspace, `/${connection.id}/transitions`),
        { auth: operator.session, ...options });
      assert.equal(response.status, 400, `${JSON.stringify(options)}: ${response.text}`);
      errorOf(response);
    }
    assert.equal((await read(operator, workspace, connection.id)).state, 'discovered');
  });
});

describe('delete', () => {
  test('moves to deleted, which is terminal and still counted', async () => {
    const w = await newWorkspace(server, owner, 'Deletes');
    await addMember(server, owner, w, operator, 'operator');
    const connection = await createConnection(server, owner, w);
    assert.equal((await call(server, 'DELETE', connectionsPath(w, `/${connection.id}`),
      { auth: operator.session })).status, 403);
    const stale = await call(server, 'DELETE', connectionsPath(w, `/${connection.id}?version=3`),
      { auth: owner.session });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.current_version, 1);
    const deleted = await call(server, 'DELETE', connectionsPath(w, `/${connection.id}?version=1`),
      { auth: owner.session });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await read(owner, w, connection.id)).state, 'deleted');
    const again = await call(server, 'DELETE', connectionsPath(w, `/${connection.id}`),
      { auth: owner.session });
    assert.equal(again.status, 409);
    const edit = await call(server, 'PUT', connectionsPath(w, `/${connection.id}`),
      { auth: owner.session, body: await sealConnection(w, { id: connection.id, version: 2 }) });
    assert.equal(edit.status, 409);
    const counts = (await call(server, 'GET', connectionsPath(w), { auth: owner.session })).json;
    assert.equal(counts.counts.deleted, 1);
    const audit = await call(server, 'GET', `/api/v1/workspaces/${w.id}/audit`,
      { auth: owner.session });
    assert.deepEqual(audit.json.items.filter((e) => e.object_id === connection.id)
      .map((e) => e.action).sort(), ['connection.create', 'connection.delete']);
  });
});

describe('bad connection bodies', () => {
  test('each answers 4xx and writes nothing', async () => {
    const w = await newWorkspace(server, owner, 'Bad connections');
    const good = await sealConnection(w);
    const cases = [
      ['malformed', { raw: '{' }, 'parse_error'],
      ['plaintext endpoint', { body: { ...good, endpoint: 'https://leak.example' } }, 'validation'],
      ['wrong type', { body: { ...good, managed: 'yes' } }, 'validation'],
      ['missing', { body: (({ sealed_details: _, ...rest }) => rest)(good) }, 'validation'],
      ['bad id', { body: { ...good, id: 'abc' } }, 'validation'],
      ['bad credential id', { body: { ...good, credential_id: 'x' } }, 'validation'],
      ['not an envelope', { body: { ...good, sealed_details: 'AAAAAAAA' } }, undefined],
      ['other workspace', { body: { ...good, workspace_id: cv.newId() } }, 'validation'],
      ['version 2', { body: { ...good, version: 2 } }, 'validation'],
      ['env twice', { body: { ...good, environment_ids: [good.id, good.id] } }, 'validation'],
    ];
    for (const [label, options, code] of cases) {
      const response = await call(server, 'POST', connectionsPath(w),
        { auth: owner.session, ...options });
      assert.equal(response.status, 400, `${label}: ${response.text}`);
      if (code) assert.equal(errorOf(response).code, code, label);
    }
    const listed = (await call(server, 'GET', connectionsPath(w), { auth: owner.session })).json;
    assert.deepEqual(listed.items, []);
  });
});

describe('environments', () => {
  test('create, read, rename with version, delete (leaving its connections)', async () => {
    const w = await newWorkspace(server, owner, 'Environments');
    await addMember(server, owner, w, operator, 'operator');
    const prod = await createEnvironment(owner, w, 'production');
    assert.equal(prod.version, 1);
    const duplicate = await call(server, 'POST', environmentsPath(w),
      { auth: owner.session, body: { id: cv.newId(), name: 'production' } });
    assert.equal(duplicate.status, 409);
    assert.equal((await call(server, 'POST', environmentsPath(w),
      { auth: operator.session, body: { id: cv.newId(), name: 'ops' } })).status, 403);
    for (const body of [{ id: cv.newId() }, { id: 'x', name: 'a' }, { id: cv.newId(), name: '' },
      { id: cv.newId(), name: 'a', colour: 'red' }, { id: cv.newId(), name: 5 }]) {
      const response = await call(server, 'POST', environmentsPath(w),
        { auth: owner.session, body });
      assert.equal(response.status, 400, JSON.stringify(body));
    }

    const renamed = await call(server, 'PATCH', environmentsPath(w, `/${prod.id}`),
      { auth: owner.session, body: { name: 'prod', version: 1 } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json.version, 2);
    const stale = await call(server, 'PATCH', environmentsPath(w, `/${prod.id}`),
      { auth: owner.session, body: { name: 'prod-eu', version: 1 } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.current_version, 2);
    const got = await call(server, 'GET', environmentsPath(w, `/${prod.id}`),
      { auth: operator.session });
    assert.equal(got.json.name, 'prod');
    const list = await call(server, 'GET', environmentsPath(w), { auth: operator.session });
    assert.deepEqual(list.json.items.map((e) => e.id), [prod.id]);

    const connection = await createConnection(server, owner, w, { environmentIds: [prod.id] });
    const removed = await call(server, 'DELETE', environmentsPath(w, `/${prod.id}`),
      { auth: owner.session });
    assert.equal(removed.status, 204);
    const after = await read(owner, w, connection.id);
    assert.deepEqual(after.environment_ids, []);
    assert.equal(after.version, 1);
    assert.equal((await call(server, 'GET', environmentsPath(w, `/${prod.id}`),
      { auth: owner.session })).status, 404);
  });
});

describe('runners', () => {
  test('register, list, read, remove; admins only', async () => {
    const w = await newWorkspace(server, owner, 'Runners');
    await addMember(server, owner, w, operator, 'operator');
    const key = (byte) => Buffer.alloc(32, byte).toString('base64url');
    const body = { id: cv.newId(), name: 'eu-west', box_public_key: key(1), sign_public_key: key(2) };
    assert.equal((await call(server, 'POST', runnersPath(w),
      { auth: operator.session, body })).status, 403);
    const registered = await call(server, 'POST', runnersPath(w), { auth: owner.session, body });
    assert.equal(registered.status, 201, registered.text);
    assert.equal(registered.json.box_public_key, key(1));
    assert.equal((await call(server, 'POST', runnersPath(w),
      { auth: owner.session, body })).status, 409);
    for (const bad of [{ ...body, id: cv.newId(), box_public_key: key(1).slice(2) },
      { ...body, id: cv.newId(), private_key: 'x' }, { ...body, id: 'r1' }]) {
      assert.equal((await call(server, 'POST', runnersPath(w),
        { auth: owner.session, body: bad })).status, 400);
    }
    const list = await call(server, 'GET', runnersPath(w), { auth: operator.session });
    assert.deepEqual(list.json.items.map((r) => r.id), [body.id]);
    assert.equal((await call(server, 'GET', runnersPath(w, `/${body.id}`),
      { auth: operator.session })).json.sign_public_key, key(2));
    assert.equal((await call(server, 'DELETE', runnersPath(w, `/${body.id}`),
      { auth: operator.session })).status, 403);
    assert.equal((await call(server, 'DELETE', runnersPath(w, `/${body.id}`),
      { auth: owner.session })).status, 204);
    assert.equal((await call(server, 'GET', runnersPath(w, `/${body.id}`),
      { auth: owner.session })).status, 404);
  });
});
