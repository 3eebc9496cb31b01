// The permission matrix: every session-guarded endpoint × every role × a member of another
// workspace ("foreign") × no session × an expired session, with the exact status of each
// cell. The role cells come from the core's permission table as the server reports it
// (GET /workspaces/{ws} → "permissions", the core's AllowedActions), so the test and the
// server cannot drift from the core. Run: node --test tests/web/permissions_matrix.test.mjs
//
// To cover a new endpoint, add an entry to ENDPOINTS below (nothing else changes):
//   name     shown in failures
//   method   HTTP method
//   scope    'workspace': a route under /workspaces/{ws} (foreign → 404, roles by `action`)
//            'account':   needs a session only (columns: session, none, expired)
//   action   for 'workspace': the core's action name that guards it ("read_credentials",
//            "manage_members", ...), or null when membership alone is enough
//   ok       the status of an allowed call
//   prepare  async (f) → {path, body?, auth?}: makes what the request needs in the cell's
//            fresh workspace. `f` is the cell's fixture:
//              f.server, f.cv, f.role ('owner'... or 'foreign'/'none'/'expired'/'session'),
//              f.owner (owns f.ws), f.actor (the caller: a member with f.role, a stranger
//              for 'foreign'), f.ws ({id, keys, json}), f.members (users in f.ws),
//              f.session(user) (a live session), f.newUser(), f.addMember(user, role)
//            Return `auth` to call with a session other than f.actor's.
//   expect   optional (role, allowedByTable) → status, for rules beyond the table (e.g. the
//            core's member rules); default: allowed ? ok : 403.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer, stopServer } from './harness.mjs';
import {
  addMember, call, grantFor, loadCredvault, login, newUser, newWorkspace, ROLES_WITH_SECRETS,
} from './api_client.mjs';
import {
  createConnection, createCredential, credentialGrant, sealConnection, sealCredential,
} from './api_credentials_fixtures.mjs';

const ROLES = ['owner', 'admin', 'operator', 'viewer'];
const SESSION_TTL_SECONDS = 4;
const ACTION_COUNT = 18;  // permissions.h kActionCount

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const wsPath = (f, rest = '') => `/api/v1/workspaces/${f.ws.id}${rest}`;

// Credentials, connections, environments and runners are made by f.owner in f.ws.
async function ownerCredential(f) {
  f.owner.session = await f.session(f.owner);
  return createCredential(f.server, f.owner, f.ws);
}
async function ownerConnection(f) {
  f.owner.session = await f.session(f.owner);
  return createConnection(f.server, f.owner, f.ws);
}
async function ownerEnvironment(f) {
  const response = await call(f.server, 'POST', wsPath(f, '/environments'), {
    auth: await f.session(f.owner), body: { id: f.cv.newId(), name: `env ${f.cv.newId()}` },
  });
  assert.equal(response.status, 201, response.text);
  return response.json;
}
function runnerBody(f) {
  const key = (byte) => Buffer.alloc(32, byte).toString('base64url');
  return { id: f.cv.newId(), name: 'matrix runner', box_public_key: key(1), sign_public_key: key(2) };
}
// The built-in runner, admitted to f.ws by its owner, and a job sealed to it for a new
// connection of f.ws (aimed at a closed local port: the test itself answers unreachable).
async function builtinTestJob(f) {
  const auth = await f.session(f.owner);
  const builtin = await call(f.server, 'GET', '/api/v1/runners/builtin', { auth });
  assert.equal(builtin.status, 200, builtin.text);
  const { id, name, box_public_key, sign_public_key } = builtin.json;
  const admitted = await call(f.server, 'POST', wsPath(f, '/runners'),
    { auth, body: { id, name, box_public_key, sign_public_key } });
  assert.equal(admitted.status, 201, admitted.text);
  const connection = await ownerConnection(f);
  const now = Math.floor(Date.now() / 1000);
  const job = f.cv.sealTestJob(box_public_key, {
    job_id: f.cv.newId(), workspace_id: f.ws.id, connection_id: connection.id, runner_id: id,
    issued_at: now, expires_at: now + 30,
  }, { kind: 'http', endpoint: 'http://127.0.0.1:9' });
  return { path: wsPath(f, `/connections/${connection.id}/tests`), body: { runner_id: id, job } };
}

// A second workspace of `user`'s own, where `user` may create credentials.
async function ownWorkspace(f, user) {
  user.session = await f.session(user);
  return newWorkspace(f.server, user, 'Share target');
}

// A rotation removing `target` from f.ws, signed by f.actor: a grant at generation 2 for
// every other member, with the secrets key where their role receives it.
function rotationWithout(f, target) {
  const next = f.cv.newWorkspaceKeys(f.ws.id, 2);
  const grants = f.members
    .filter((m) => m.user.id !== target.id)
    .map((m) => f.cv.makeGrant(f.actor.handle, next, ROLES_WITH_SECRETS.has(m.role), m.user.id,
      m.user.record.box_public_key));
  f.cv.release(next);
  return { new_generation: 2, grants, credential_keys: [], connections: [] };
}

export const ENDPOINTS = [
  // ---- Accounts (any session) -----------------------------------------------------------
  {
    name: 'GET /account', method: 'GET', scope: 'account', ok: 200,
    prepare: async () => ({ path: '/api/v1/account' }),
  },
  {
    name: 'GET /accounts/lookup', method: 'GET', scope: 'account', ok: 200,
    prepare: async (f) => ({
      path: `/api/v1/accounts/lookup?email=${encodeURIComponent(f.owner.email)}`,
    }),
  },
  {
    name: 'PUT /account/password', method: 'PUT', scope: 'account', ok: 200,
    prepare: async (f) => {
      const user = await f.newUser();  // its password changes: a user of its own
      const changed = f.cv.changePassword(user.handle, user.record, 'next password',
        f.cv.kdfMinimum());
      return {
        path: '/api/v1/account/password',
        auth: await f.session(user),
        body: { auth_key: user.authKey, record: changed.record, new_auth_key: changed.auth_key },
      };
    },
  },
  {
    name: 'POST /auth/logout', method: 'POST', scope: 'account', ok: 204,
    prepare: async (f) => ({
      path: '/api/v1/auth/logout', auth: await login(f.server, f.actor.email, f.actor.authKey),
    }),
  },
  {
    name: 'GET /workspaces', method: 'GET', scope: 'account', ok: 200,
    prepare: async () => ({ path: '/api/v1/workspaces' }),
  },
  {
    name: 'POST /workspaces', method: 'POST', scope: 'account', ok: 201,
    prepare: async (f) => {
      const id = f.cv.newId();
      const keys = f.cv.newWorkspaceKeys(id, 1);
      const grant = f.cv.makeGrant(f.actor.handle, keys, true, f.actor.id,
        f.actor.record.box_public_key);
      f.cv.release(keys);
      return { path: '/api/v1/workspaces', body: { id, name: 'Matrix', grant } };
    },
  },
  // ---- Workspaces -----------------------------------------------------------------------
  {
    name: 'GET /workspaces/{ws}', method: 'GET', scope: 'workspace', action: null, ok: 200,
    prepare: async (f) => ({ path: wsPath(f) }),
  },
  {
    name: 'PATCH /workspaces/{ws}', method: 'PATCH', scope: 'workspace',
    action: 'edit_workspace', ok: 200,
    prepare: async (f) => ({ path: wsPath(f), body: { name: 'Renamed', version: 1 } }),
  },
  {
    name: 'DELETE /workspaces/{ws}', method: 'DELETE', scope: 'workspace',
    action: 'delete_workspace', ok: 204,
    prepare: async (f) => ({ path: wsPath(f) }),
  },
  {
    name: 'GET /workspaces/{ws}/keys', method: 'GET', scope: 'workspace', action: null, ok: 200,
    prepare: async (f) => ({ path: wsPath(f, '/keys') }),
  },
  // ---- Members --------------------------------------------------------------------------
  {
    name: 'GET /members', method: 'GET', scope: 'workspace', action: null, ok: 200,
    prepare: async (f) => ({ path: wsPath(f, '/members') }),
  },
  {
    name: 'POST /members', method: 'POST', scope: 'workspace', action: 'manage_members',
    ok: 201,
    prepare: async (f) => {
      const invited = await f.newUser();
      return {
        path: wsPath(f, '/members'),
        body: {
          account_id: invited.id, role: 'viewer',
          grant: await grantFor(f.actor, f.ws.keys, invited, 'viewer'),
        },
      };
    },
  },
  {
    name: 'PATCH /members/{id}', method: 'PATCH', scope: 'workspace',
    action: 'manage_members', ok: 200,
    prepare: async (f) => {
      const target = await f.addMember(await f.newUser(), 'viewer');
      return {
        path: wsPath(f, `/members/${target.id}`),
        body: {
          role: 'operator', version: 1,
          grant: await grantFor(f.actor, f.ws.keys, target, 'operator'),
        },
      };
    },
  },
  {
    name: 'DELETE /members/{id}', method: 'DELETE', scope: 'workspace',
    action: 'manage_members', ok: 200,
    prepare: async (f) => {
      const target = await f.addMember(await f.newUser(), 'viewer');
      return { path: wsPath(f, `/members/${target.id}`), body: rotationWithout(f, target) };
    },
  },
  // ---- Credentials ----------------------------------------------------------------------
  {
    name: 'GET /credentials', method: 'GET', scope: 'workspace', action: 'read_credentials',
    ok: 200, prepare: async (f) => ({ path: wsPath(f, '/credentials') }),
  },
  {
    name: 'POST /credentials', method: 'POST', scope: 'workspace', action: 'create_credential',
    ok: 201,
    prepare: async (f) => ({
      path: wsPath(f, '/credentials'), body: (await sealCredential(f.actor, f.ws)).json,
    }),
  },
  {
    name: 'GET /credentials/{id}', method: 'GET', scope: 'workspace',
    action: 'read_credentials', ok: 200,
    prepare: async (f) => ({
      path: wsPath(f, `/credentials/${(await ownerCredential(f)).json.id}`),
    }),
  },
  {
    name: 'PUT /credentials/{id}', method: 'PUT', scope: 'workspace', action: 'edit_credential',
    ok: 200,
    prepare: async (f) => {
      const { json, dataKey } = await ownerCredential(f);
      const next = await sealCredential(f.owner, f.ws, { id: json.id, version: 2, dataKey });
      return { path: wsPath(f, `/credentials/${json.id}`), body: next.json };
    },
  },
  {
    name: 'DELETE /credentials/{id}', method: 'DELETE', scope: 'workspace',
    action: 'delete_credential', ok: 204,
    prepare: async (f) => ({
      path: wsPath(f, `/credentials/${(await ownerCredential(f)).json.id}`),
    }),
  },
  {
    name: 'POST /credentials/{id}/grants', method: 'POST', scope: 'workspace',
    action: 'share_credential', ok: 201,
    prepare: async (f) => {
      const { json, dataKey } = await ownerCredential(f);
      const target = await ownWorkspace(f, f.actor);
      return {
        path: wsPath(f, `/credentials/${json.id}/grants`),
        body: credentialGrant(f.cv, target, json.id, 1, dataKey, 'shared'),
      };
    },
  },
  {
    name: 'DELETE /credentials/{id}/grants/{ws}', method: 'DELETE', scope: 'workspace',
    action: 'share_credential', ok: 204,
    prepare: async (f) => {
      const { json, dataKey } = await ownerCredential(f);
      const target = await ownWorkspace(f, f.owner);
      const shared = await call(f.server, 'POST', wsPath(f, `/credentials/${json.id}/grants`), {
        auth: await f.session(f.owner),
        body: credentialGrant(f.cv, target, json.id, 1, dataKey, 'shared'),
      });
      assert.equal(shared.status, 201, shared.text);
      return { path: wsPath(f, `/credentials/${json.id}/grants/${target.id}`) };
    },
  },
  // ---- Connections ----------------------------------------------------------------------
  {
    name: 'GET /connections', method: 'GET', scope: 'workspace', action: 'read_connections',
    ok: 200, prepare: async (f) => ({ path: wsPath(f, '/connections') }),
  },
  {
    name: 'POST /connections', method: 'POST', scope: 'workspace', action: 'create_connection',
    ok: 201,
    prepare: async (f) => ({ path: wsPath(f, '/connections'), body: await sealConnection(f.ws) }),
  },
  {
    name: 'GET /connections/{id}', method: 'GET', scope: 'workspace',
    action: 'read_connections', ok: 200,
    prepare: async (f) => ({ path: wsPath(f, `/connections/${(await ownerConnection(f)).id}`) }),
  },
  {
    name: 'PUT /connections/{id}', method: 'PUT', scope: 'workspace', action: 'edit_connection',
    ok: 200,
    prepare: async (f) => {
      const { id } = await ownerConnection(f);
      return {
        path: wsPath(f, `/connections/${id}`), body: await sealConnection(f.ws, { id, version: 2 }),
      };
    },
  },
  {
    name: 'DELETE /connections/{id}', method: 'DELETE', scope: 'workspace',
    action: 'delete_connection', ok: 204,
    prepare: async (f) => ({ path: wsPath(f, `/connections/${(await ownerConnection(f)).id}`) }),
  },
  {
    name: 'POST /connections/{id}/transitions', method: 'POST', scope: 'workspace',
    action: 'change_connection_state', ok: 200,
    prepare: async (f) => ({
      path: wsPath(f, `/connections/${(await ownerConnection(f)).id}/transitions`),
      body: { version: 1, to: 'registered' },
    }),
  },
  {
    name: 'POST /connections/{id}/tests', method: 'POST', scope: 'workspace',
    action: 'run_test', ok: 200, prepare: builtinTestJob,
  },
  // ---- Environments ---------------------------------------------------------------------
  {
    name: 'GET /environments', method: 'GET', scope: 'workspace', action: 'read_connections',
    ok: 200, prepare: async (f) => ({ path: wsPath(f, '/environments') }),
  },
  {
    name: 'POST /environments', method: 'POST', scope: 'workspace',
    action: 'manage_environments', ok: 201,
    prepare: async (f) => ({
      path: wsPath(f, '/environments'), body: { id: f.cv.newId(), name: 'production' },
    }),
  },
  {
    name: 'GET /environments/{id}', method: 'GET', scope: 'workspace',
    action: 'read_connections', ok: 200,
    prepare: async (f) => ({ path: wsPath(f, `/environments/${(await ownerEnvironment(f)).id}`) }),
  },
  {
    name: 'PATCH /environments/{id}', method: 'PATCH', scope: 'workspace',
    action: 'manage_environments', ok: 200,
    prepare: async (f) => ({
      path: wsPath(f, `/environments/${(await ownerEnvironment(f)).id}`),
      body: { name: 'renamed', version: 1 },
    }),
  },
  {
    name: 'DELETE /environments/{id}', method: 'DELETE', scope: 'workspace',
    action: 'manage_environments', ok: 204,
    prepare: async (f) => ({ path: wsPath(f, `/environments/${(await ownerEnvironment(f)).id}`) }),
  },
  // ---- Runners --------------------------------------------------------------------------
  {
    name: 'GET /runners/builtin', method: 'GET', scope: 'account', ok: 200,
    prepare: async () => ({ path: '/api/v1/runners/builtin' }),
  },
  {
    name: 'GET /runners', method: 'GET', scope: 'workspace', action: 'read_connections',
    ok: 200, prepare: async (f) => ({ path: wsPath(f, '/runners') }),
  },
  {
    name: 'POST /runners', method: 'POST', scope: 'workspace', action: 'manage_runners',
    ok: 201, prepare: async (f) => ({ path: wsPath(f, '/runners'), body: runnerBody(f) }),
  },
  {
    name: 'GET /runners/{id}', method: 'GET', scope: 'workspace', action: 'read_connections',
    ok: 200,
    prepare: async (f) => {
      const body = runnerBody(f);
      const made = await call(f.server, 'POST', wsPath(f, '/runners'),
        { auth: await f.session(f.owner), body });
      assert.equal(made.status, 201, made.text);
      return { path: wsPath(f, `/runners/${body.id}`) };
    },
  },
  {
    name: 'DELETE /runners/{id}', method: 'DELETE', scope: 'workspace',
    action: 'manage_runners', ok: 204,
    prepare: async (f) => {
      const body = runnerBody(f);
      const made = await call(f.server, 'POST', wsPath(f, '/runners'),
        { auth: await f.session(f.owner), body });
      assert.equal(made.status, 201, made.text);
      return { path: wsPath(f, `/runners/${body.id}`) };
    },
  },
  {
    name: 'POST /runners/{id}/grant', method: 'POST', scope: 'workspace',
    action: 'manage_runners', ok: 201,
    prepare: async (f) => {
      const body = runnerBody(f);
      const made = await call(f.server, 'POST', wsPath(f, '/runners'),
        { auth: await f.session(f.owner), body });
      assert.equal(made.status, 201, made.text);
      // Signed by the caller, as the server requires.
      const grant = f.cv.makeGrant(f.actor.handle, f.ws.keys, true, body.id, body.box_public_key);
      return { path: wsPath(f, `/runners/${body.id}/grant`), body: { grant } };
    },
  },
  {
    name: 'DELETE /runners/{id}/grant', method: 'DELETE', scope: 'workspace',
    action: 'manage_runners', ok: 200,
    prepare: async (f) => {
      const auth = await f.session(f.owner);
      const body = runnerBody(f);
      const made = await call(f.server, 'POST', wsPath(f, '/runners'), { auth, body });
      assert.equal(made.status, 201, made.text);
      const grant = f.cv.makeGrant(f.owner.handle, f.ws.keys, true, body.id, body.box_public_key);
      const granted = await call(f.server, 'POST', wsPath(f, `/runners/${body.id}/grant`),
        { auth, body: { grant } });
      assert.equal(granted.status, 201, granted.text);
      return { path: wsPath(f, `/runners/${body.id}/grant`), body: rotationWithout(f, body) };
    },
  },
  // ---- Active monitoring ----------------------------------------------------------------
  {
    name: 'GET /monitor', method: 'GET', scope: 'workspace', action: 'read_connections',
    ok: 200, prepare: async (f) => ({ path: wsPath(f, '/monitor') }),
  },
  {
    name: 'PUT /monitor', method: 'PUT', scope: 'workspace', action: 'edit_workspace', ok: 200,
    prepare: async (f) => ({ path: wsPath(f, '/monitor'), body: { default_interval_minutes: 5 } }),
  },
  {
    name: 'PUT /connections/{id}/monitor', method: 'PUT', scope: 'workspace',
    action: 'edit_connection', ok: 200,
    prepare: async (f) => ({
      path: wsPath(f, `/connections/${(await ownerConnection(f)).id}/monitor`),
      body: { interval_minutes: 1 },
    }),
  },
  {
    name: 'GET /connections/{id}/history', method: 'GET', scope: 'workspace',
    action: 'read_connections', ok: 200,
    prepare: async (f) => ({
      path: wsPath(f, `/connections/${(await ownerConnection(f)).id}/history`),
    }),
  },
  {
    name: 'GET /feed', method: 'GET', scope: 'workspace', action: 'read_connections', ok: 200,
    prepare: async (f) => ({ path: wsPath(f, '/feed') }),
  },
  // ---- Audit ----------------------------------------------------------------------------
  {
    name: 'GET /audit', method: 'GET', scope: 'workspace', action: 'read_audit', ok: 200,
    prepare: async (f) => ({ path: wsPath(f, '/audit') }),
  },
];

describe('permission matrix', () => {
  let server;
  let cv;
  let owner;
  const actors = {};  // role or 'foreign' → user
  let expiredSession;
  const table = {};   // role → Set of action names, from the server (the core's table)
  const sessions = new Map();  // user id → live session
  const spareUsers = [];

  async function session(user) {
    const cached = sessions.get(user.id);
    // Sessions last SESSION_TTL_SECONDS here: renew with margin for the cell's requests.
    if (cached && cached.expires_at - Date.now() / 1000 > 2.5) return cached;
    const fresh = await login(server, user.email, user.authKey);
    sessions.set(user.id, fresh);
    return fresh;
  }

  async function spareUser() {
    return spareUsers.pop() ?? newUser(server);
  }

  // A fresh workspace of `owner` with the column's actor in it (for a role column).
  async function fixture(column) {
    const f = { server, cv, role: column, owner };
    f.session = session;
    f.newUser = spareUser;
    owner.session = await session(owner);
    f.ws = await newWorkspace(server, owner, `Matrix ${column}`);
    f.members = [{ user: owner, role: 'owner' }];
    f.addMember = async (user, role) => {
      owner.session = await session(owner);
      await addMember(server, owner, f.ws, user, role);
      f.members.push({ user, role });
      return user;
    };
    f.actor = actors[column] ?? actors.foreign;
    if (ROLES.includes(column)) await f.addMember(f.actor, column);
    return f;
  }

  async function run(endpoint, column) {
    const f = await fixture(column);
    const prepared = await endpoint.prepare(f);
    let auth = prepared.auth;
    if (column === 'none') auth = undefined;
    else if (column === 'expired') auth = expiredSession;
    else auth ??= await session(f.actor);
    const response = await call(server, endpoint.method, prepared.path,
      { auth, body: prepared.body });
    return response;
  }

  function expected(endpoint, column) {
    if (column === 'none' || column === 'expired') return 401;
    if (endpoint.scope === 'account') return endpoint.ok;
    if (column === 'foreign') return 404;
    const allowed = endpoint.action === null || table[column].has(endpoint.action);
    if (endpoint.expect) return endpoint.expect(column, allowed);
    return allowed ? endpoint.ok : 403;
  }

  before(async () => {
    server = await startServer({ args: ['--session-ttl-seconds', String(SESSION_TTL_SECONDS)] });
    cv = await loadCredvault();
    owner = await newUser(server);
    for (const column of [...ROLES, 'foreign']) actors[column] = await newUser(server);
    const doomed = await newUser(server);
    expiredSession = doomed.session;
    for (let i = 0; i < 8; i += 1) spareUsers.push(await newUser(server));
    // The core's table, as the server reports it to each role.
    for (const role of ROLES) {
      const f = await fixture(role);
      const seen = await call(server, 'GET', wsPath(f), { auth: await session(f.actor) });
      assert.equal(seen.status, 200);
      assert.equal(seen.json.workspace.role, role);
      table[role] = new Set(seen.json.workspace.permissions);
    }
  });
  after(async () => {
    await stopServer(server);
  });

  test('the table is the core\'s: owners may do everything, viewers never open secrets', () => {
    assert.equal(table.owner.size, ACTION_COUNT);
    assert.ok(!table.viewer.has('open_credential_secrets'));
    assert.ok(!table.viewer.has('manage_members'));
    for (const role of ROLES) assert.ok(table[role].size > 0, role);
    // Every action an endpoint names exists in the table.
    for (const endpoint of ENDPOINTS) {
      if (endpoint.action) assert.ok(table.owner.has(endpoint.action), endpoint.name);
    }
  });

  for (const endpoint of ENDPOINTS) {
    const columns = endpoint.scope === 'account' ? ['session', 'none'] : [...ROLES, 'foreign', 'none'];
    test(`${endpoint.name}: ${columns.join(', ')}`, async () => {
      const failures = [];
      for (const column of columns) {
        const want = expected(endpoint, column);
        const response = await run(endpoint, column === 'session' ? 'foreign' : column);
        if (response.status !== want) {
          failures.push(`${column}: got ${response.status}, want ${want} ${response.text}`);
        }
        if (want >= 400 && !response.json?.error?.code) failures.push(`${column}: no error body`);
      }
      assert.deepEqual(failures, []);
    });
  }

  test('every endpoint with an expired session: 401', async () => {
    while (Date.now() / 1000 < expiredSession.expires_at + 0.05) await sleep(100);
    const failures = [];
    for (const endpoint of ENDPOINTS) {
      const response = await run(endpoint, 'expired');
      if (response.status !== 401 || response.json?.error?.code !== 'unauthenticated') {
        failures.push(`${endpoint.name}: ${response.status} ${response.text}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
