// Durability (DESIGN §7: every acknowledged write survives kill -9). Several clients write
// concurrently — environments, sealed credentials, and versioned renames of the workspace —
// while the server is SIGKILLed at a random moment. Before the restart, `sqlite3` runs
// PRAGMA integrity_check on the files as the crash left them; after it, every write that had
// been answered 2xx must be there (and the workspace at least at its last acknowledged
// version). Twelve rounds on one data directory.
//
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (see harness.mjs, api_client.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

import { call, loadCredvault, newUser, newWorkspace } from './api_client.mjs';
import { makeTempDir, startServer, stopServer } from './harness.mjs';
import { sealedCredential } from '../bench/server_records.mjs';

const ROUNDS = 12;
const SQLITE3 = '/usr/bin/sqlite3';

function integrityCheck(file) {
  const result = spawnSync(SQLITE3, [file, 'PRAGMA integrity_check;'], { encoding: 'utf8' });
  assert.equal(result.error, undefined, `${SQLITE3}: ${result.error} (scripts/setup.sh installs it)`);
  return `${result.stdout}${result.stderr}`.trim();
}

// Every item of a paginated list.
async function listAll(server, auth, target) {
  const items = [];
  let cursor = '';
  do {
    const page = await call(server, 'GET', `${target}?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      { auth });
    assert.equal(page.status, 200, page.text);
    items.push(...page.json.items);
    cursor = page.json.next_cursor ?? '';
  } while (cursor);
  return items;
}

// Writes until the first request that fails at the network level (the kill). `write`
// returns an error text for an answer it did not expect.
async function writer(write, unexpected) {
  for (;;) {
    let problem;
    try {
      problem = await write();
    } catch {
      return;
    }
    if (problem) {
      unexpected.push(problem);
      return;
    }
  }
}

test(`acknowledged writes survive SIGKILL, ${ROUNDS} times`, { timeout: 120000 }, async (t) => {
  const cv = await loadCredvault();
  const dataDir = path.join(makeTempDir('credvault-durability-'), 'data');
  const database = path.join(dataDir, 'credvault.db');
  let server = await startServer({ dataDir });
  const user = await newUser(server);
  const workspace = await newWorkspace(server, user, 'durable');
  const base = `/api/v1/workspaces/${workspace.id}`;
  const acknowledged = { environments: new Set(), credentials: new Set() };
  let workspaceVersion = workspace.json.version;
  const dataKey = cv.newDataKey();

  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      if (round > 0) server = await startServer({ dataDir });
      const auth = user.session;  // sessions are stored: the token outlives restarts
      const unexpected = [];
      const environmentWriter = () => writer(async () => {
        const id = cv.newId();
        const response = await call(server, 'POST', `${base}/environments`,
          { auth, body: { id, name: `env-${id}` } });
        if (response.status === 201) acknowledged.environments.add(id);
        else return `environment: ${response.status} ${response.text}`;
      }, unexpected);
      const credentialWriter = () => writer(async () => {
        const id = cv.newId();
        const record = sealedCredential(cv, { id, ownerId: user.id, name: `c-${id}`,
          fields: { token: 'not a secret' }, dataKey,
          grants: [{ workspaceId: workspace.id, keys: workspace.keys, generation: 1 }] });
        const response = await call(server, 'POST', `${base}/credentials`, { auth, body: record });
        if (response.status === 201) acknowledged.credentials.add(id);
        else return `credential: ${response.status} ${response.text}`;
      }, unexpected);
      const renamer = () => writer(async () => {
        const response = await call(server, 'PATCH', base,
          { auth, body: { name: `durable ${round}`, version: workspaceVersion } });
        if (response.status === 200) {
          workspaceVersion = response.json.workspace.version;
        } else if (response.status === 409 &&
                   response.json?.error?.current_version === workspaceVersion + 1) {
          // The rename in flight at the last kill was committed but never answered.
          workspaceVersion = response.json.error.current_version;
        } else {
          return `rename: ${response.status} ${response.text}`;
        }
      }, unexpected);
      const before = acknowledged.environments.size + acknowledged.credentials.size;
      const writers = [environmentWriter(), environmentWriter(), credentialWriter(),
        credentialWriter(), renamer()];
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 250));
      server.child.kill('SIGKILL');
      assert.equal((await server.exited).signal, 'SIGKILL');
      await Promise.all(writers);
      assert.deepEqual(unexpected, [], `round ${round}`);
      const after = acknowledged.environments.size + acknowledged.credentials.size;
      assert.ok(after > before, `round ${round}: no write was acknowledged before the kill`);

      // The files exactly as the crash left them (the CLI replays the WAL, as a restart would).
      assert.equal(integrityCheck(database), 'ok', `round ${round}`);
    }

    server = await startServer({ dataDir });
    const environments = new Set((await listAll(server, user.session, `${base}/environments`))
      .map((e) => e.id));
    const credentials = new Set((await listAll(server, user.session, `${base}/credentials`))
      .map((c) => c.id));
    const lostEnvironments = [...acknowledged.environments].filter((id) => !environments.has(id));
    const lostCredentials = [...acknowledged.credentials].filter((id) => !credentials.has(id));
    assert.deepEqual(lostEnvironments, []);
    assert.deepEqual(lostCredentials, []);
    const stored = await call(server, 'GET', base, { auth: user.session });
    assert.ok(stored.json.workspace.version >= workspaceVersion,
      `workspace version ${stored.json.workspace.version} < acknowledged ${workspaceVersion}`);
    assert.ok(acknowledged.environments.size + acknowledged.credentials.size >= ROUNDS * 5);
    t.diagnostic(`acknowledged before the kills: ${acknowledged.environments.size} environments, ` +
      `${acknowledged.credentials.size} credentials, workspace version ${workspaceVersion} ` +
      `(stored ${stored.json.workspace.version})`);
  } finally {
    cv.release(dataKey);
    await stopServer(server);
  }
  assert.equal(integrityCheck(database), 'ok');
});
