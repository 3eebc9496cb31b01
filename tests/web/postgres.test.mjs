// The server on the PostgreSQL engine (issue 7): started with --store postgres://... against a
// throw-away PostgreSQL (tests/fixtures/postgres.mjs), it answers the API as on SQLite — a
// CRUD round trip of accounts, workspaces, credentials and connections, stale versions 409
// with the current version, lists with cursors — and keeps zero knowledge: after the flows,
// a pg_dump of the database, the PostgreSQL data directory (tables and WAL), the
// PostgreSQL log and the server's log hold no canary in any encoding. Positive controls prove
// the scan sees what the server does store (a workspace name in the dump).
//
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (see harness.mjs, api_client.mjs).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startPostgres } from '../fixtures/postgres.mjs';
import { filesUnder, scanForSecrets } from './canary.mjs';
import { call, login, loadCredvault, newUser, newWorkspace } from './api_client.mjs';
import { makeTempDir, startServer, stopServer } from './harness.mjs';
import { openConnection, openCredential, sealedConnection, sealedCredential }
  from '../bench/server_records.mjs';

const run = crypto.randomBytes(6).toString('hex');
const canary = (what) => `zkc-${what}-${run}-${crypto.randomBytes(8).toString('hex')}`;
const C = Object.fromEntries(['password', 'credName', 'token', 'token2', 'connName',
  'endpointHost', 'connCa'].map((name) => [name, canary(name)]));

let pg;
let server;
let cv;
let dataDir;

before(async () => {
  cv = await loadCredvault();
  pg = await startPostgres();
  dataDir = path.join(makeTempDir('credvault-pg-server-'), 'data');
  server = await startServer({ dataDir, args: ['--store', pg.url] });
});

after(async () => {
  if (server) await stopServer(server);
  if (pg) await pg.stop();
});

async function ok(response, status, what) {
  assert.equal(response.status, status, `${what}: ${response.status} ${response.text}`);
  return response.json;
}

test('the server runs on PostgreSQL: the API round trip works and nothing is a SQLite file',
  async () => {
    assert.ok(server.logs.some((e) => e.store === 'postgresql'), server.rawLog);
    const ready = await call(server, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.equal(ready.json.store, 'postgresql');
    const alice = await newUser(server, { password: C.password });
    const w1 = await newWorkspace(server, alice, 'Platform');

    // A credential: create, read back and open, update with the version, stale update 409.
    const home = [{ workspaceId: w1.id, keys: w1.keys, generation: 1 }];
    const cred = { id: cv.newId(), dataKey: cv.newDataKey() };
    await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/credentials`, {
      auth: alice.session,
      body: sealedCredential(cv, { id: cred.id, ownerId: alice.id, name: C.credName,
        fields: { token: C.token }, dataKey: cred.dataKey, grants: home }),
    }), 201, 'create credential');
    const read = await ok(await call(server, 'GET',
      `/api/v1/workspaces/${w1.id}/credentials/${cred.id}`, { auth: alice.session }), 200, 'read');
    assert.equal(read.version, 1);
    assert.equal(openCredential(cv, w1.keys, read, w1.id).fields.token, C.token);
    const v2 = sealedCredential(cv, { id: cred.id, ownerId: alice.id, version: 2,
      name: C.credName, fields: { token: C.token2 }, dataKey: cred.dataKey, grants: home });
    await ok(await call(server, 'PUT', `/api/v1/workspaces/${w1.id}/credentials/${cred.id}`,
      { auth: alice.session, body: v2 }), 200, 'update credential');
    const stale = await call(server, 'PUT', `/api/v1/workspaces/${w1.id}/credentials/${cred.id}`,
      { auth: alice.session, body: v2 });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.code, 'conflict');
    assert.equal(stale.json.error.current_version, 2);
    const reread = await ok(await call(server, 'GET',
      `/api/v1/workspaces/${w1.id}/credentials/${cred.id}`, { auth: alice.session }), 200, 'reread');
    assert.equal(openCredential(cv, w1.keys, reread, w1.id).fields.token, C.token2);

    // A connection using it: create, list with counts, transition, in-use delete refused.
    const connectionId = cv.newId();
    const details = { name: C.connName, endpoint: `https://${C.endpointHost}.example:6443`,
      tls: { ca_data: C.connCa } };
    await ok(await call(server, 'POST', `/api/v1/workspaces/${w1.id}/connections`, {
      auth: alice.session,
      body: sealedConnection(cv, { id: connectionId, workspaceId: w1.id, keys: w1.keys,
        credentialId: cred.id, details }),
    }), 201, 'create connection');
    const listed = await ok(await call(server, 'GET', `/api/v1/workspaces/${w1.id}/connections`,
      { auth: alice.session }), 200, 'list connections');
    assert.equal(listed.items.length, 1);
    assert.equal(openConnection(cv, w1.keys, listed.items[0]).name, C.connName);
    await ok(await call(server, 'POST',
      `/api/v1/workspaces/${w1.id}/connections/${connectionId}/transitions`,
      { auth: alice.session, body: { to: 'registered', version: 1 } }), 200, 'transition');
    const inUse = await call(server, 'DELETE',
      `/api/v1/workspaces/${w1.id}/credentials/${cred.id}`, { auth: alice.session });
    assert.equal(inUse.status, 409, inUse.text);
    await ok(await call(server, 'DELETE',
      `/api/v1/workspaces/${w1.id}/connections/${connectionId}`, { auth: alice.session }),
    204, 'delete connection');
    await ok(await call(server, 'DELETE', `/api/v1/workspaces/${w1.id}/credentials/${cred.id}`,
      { auth: alice.session }), 204, 'delete credential');
    assert.equal((await call(server, 'GET', `/api/v1/workspaces/${w1.id}/credentials/${cred.id}`,
      { auth: alice.session })).status, 404);

    // Paging across several workspaces, then a fresh login: sessions live in the database.
    for (let i = 0; i < 3; i += 1) await newWorkspace(server, alice, `Extra ${i}`);
    const first = await ok(await call(server, 'GET', '/api/v1/workspaces?limit=2',
      { auth: alice.session }), 200, 'page 1');
    assert.equal(first.items.length, 2);
    assert.ok(first.next_cursor);
    const second = await ok(await call(server, 'GET',
      `/api/v1/workspaces?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`,
      { auth: alice.session }), 200, 'page 2');
    assert.equal(second.items.length, 2);
    const again = await login(server, alice.email, alice.authKey);
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: again })).status, 200);

    // The rows are in PostgreSQL, and the data directory holds no SQLite database.
    assert.equal(pg.psql('SELECT count(*) FROM workspaces').trim(), '4');
    assert.ok(!fs.readdirSync(dataDir).some((name) => name.startsWith('credvault.db')),
      fs.readdirSync(dataDir).join(', '));

    // Zero knowledge: pg_dump, the cluster's files (tables and WAL), both logs.
    const secrets = { ...C, auth_key: Buffer.from(alice.authKey, 'base64url'),
      recovery_auth_key: Buffer.from(alice.recoveryAuthKey, 'base64url'),
      recovery_code: alice.recoveryCode, session: alice.session.token, session2: again.token,
      csrf: alice.session.csrf_token };
    const positiveName = canary('positive-workspace-name');
    await newWorkspace(server, alice, positiveName);
    const haystacks = () => [['pg_dump', pg.dump()], ['postgres log', pg.serverLog()],
      ['server log', Buffer.from(server.rawLog)],
      ...filesUnder(pg.dataDir).map(([name, data]) => [`cluster ${name}`, data])];
    const positiveHits = scanForSecrets([['pg_dump', pg.dump()]], { positiveName });
    assert.ok(positiveHits.includes('positiveName (raw) in pg_dump'), positiveHits.join('\n'));
    assert.deepEqual(scanForSecrets(haystacks(), secrets), []);
  });

test('the server answers 503 while PostgreSQL is down and recovers when it is back', async () => {
  const user = await newUser(server);
  await pg.stopServer('fast');
  try {
    const ready = await call(server, 'GET', '/readyz');
    assert.equal(ready.status, 503, ready.text);
    const down = await call(server, 'GET', '/api/v1/account', { auth: user.session });
    assert.equal(down.status, 503, down.text);
  } finally {
    await pg.startServer();
  }
  const ready = await call(server, 'GET', '/readyz');
  assert.equal(ready.status, 200, ready.text);
  const back = await call(server, 'GET', '/api/v1/account', { auth: user.session });
  assert.equal(back.status, 200, back.text);
});
