// Operations endpoints of the running server: /healthz, /readyz, /metrics (parsed here and
// linted by promtool), /api/openapi.json (linted by Redocly, offline, and compared with the
// routes the server logs as registered), and `make run`'s script.
//
// Env: CREDVAULT_SERVER_BIN (see harness.mjs).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { freePort } from '../fixtures/free_port.mjs';
import { call, loadCredvault, newUser } from './api_client.mjs';
import { REPO_ROOT, SERVER_BIN, makeTempDir, startServer, stopServer } from './harness.mjs';

const REDOCLY = path.join(REPO_ROOT, 'node_modules', '.bin', 'redocly');
const PROMTOOL = '/usr/bin/promtool';

// Prometheus text exposition format 0.0.4: TYPE lines and samples; throws on a bad line.
export function parseExposition(text) {
  const types = new Map();
  const samples = [];
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      assert.ok(['counter', 'gauge', 'histogram'].includes(type), line);
      assert.ok(!types.has(name), `TYPE twice: ${line}`);
      types.set(name, type);
      continue;
    }
    const match = sample.exec(line);
    assert.ok(match, `not a sample: ${line}`);
    const labels = {};
    if (match[2] !== undefined) {
      label.lastIndex = 0;
      while (label.lastIndex < match[2].length) {
        const start = label.lastIndex;
        const pair = label.exec(match[2]);
        assert.ok(pair && pair.index === start, `bad labels: ${line}`);
        labels[pair[1]] = pair[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      }
    }
    const value = match[3] === '+Inf' ? Infinity : Number(match[3]);
    assert.ok(!Number.isNaN(value), `bad value: ${line}`);
    const family = [...types.keys()].find((name) => match[1] === name ||
      (types.get(name) === 'histogram' && ['_bucket', '_sum', '_count']
        .some((suffix) => match[1] === name + suffix)));
    assert.ok(family, `sample before its TYPE: ${line}`);
    samples.push({ name: match[1], labels, value });
  }
  return { types, samples };
}

function valueOf(exposition, name, labels) {
  const found = exposition.samples.filter((s) => s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.length === 1 ? found[0].value : undefined;
}

function projectVersion() {
  const cmake = fs.readFileSync(path.join(REPO_ROOT, 'CMakeLists.txt'), 'utf8');
  return /project\(credvault VERSION ([0-9.]+)/.exec(cmake)[1];
}

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  if (server) await stopServer(server);
});

test('healthz and readyz answer JSON', async () => {
  const health = await call(server, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(health.json, { status: 'ok' });
  const ready = await call(server, 'GET', '/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.json, { status: 'ready', store: 'sqlite' });
  assert.equal(ready.headers.get('cache-control'), 'no-store');
});

test('metrics count requests by route pattern and status, and time the store', async () => {
  const cv = await loadCredvault();
  const workspaceId = cv.newId();
  assert.equal((await call(server, 'GET', '/api/v1/workspaces')).status, 401);
  assert.equal((await call(server, 'GET', `/api/v1/workspaces/${workspaceId}`)).status, 401);
  const user = await newUser(server);
  assert.equal((await call(server, 'GET', `/api/v1/workspaces/${workspaceId}`,
    { auth: user.session })).status, 404);
  assert.equal((await call(server, 'DELETE', '/healthz')).status, 405);

  const scraped = await call(server, 'GET', '/metrics');
  assert.equal(scraped.status, 200);
  assert.equal(scraped.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const metrics = parseExposition(scraped.text);
  assert.equal(metrics.types.get('credvault_http_requests_total'), 'counter');
  assert.equal(metrics.types.get('credvault_http_request_duration_seconds'), 'histogram');
  assert.equal(metrics.types.get('credvault_store_operation_duration_seconds'), 'histogram');

  const requests = 'credvault_http_requests_total';
  assert.equal(valueOf(metrics, requests,
    { method: 'GET', route: '/api/v1/workspaces', status: '401' }), 1);
  assert.equal(valueOf(metrics, requests,
    { method: 'GET', route: '/api/v1/workspaces/{ws}', status: '401' }), 1);
  assert.equal(valueOf(metrics, requests,
    { method: 'GET', route: '/api/v1/workspaces/{ws}', status: '404' }), 1);
  assert.equal(valueOf(metrics, requests,
    { method: 'POST', route: '/api/v1/accounts', status: '201' }), 1);
  assert.equal(valueOf(metrics, requests, { method: 'DELETE', route: '/healthz', status: '405' }), 1);
  assert.equal(valueOf(metrics, 'credvault_http_request_duration_seconds_count',
    { method: 'POST', route: '/api/v1/auth/login', status: '200' }), 1);
  // Ids in paths never become label values.
  assert.ok(!scraped.text.includes(workspaceId));

  const storeCount = 'credvault_store_operation_duration_seconds_count';
  assert.ok(valueOf(metrics, storeCount,
    { engine: 'sqlite', operation: 'transact', outcome: 'ok' }) >= 2);
  assert.ok(valueOf(metrics, storeCount,
    { engine: 'sqlite', operation: 'read', outcome: 'ok' }) >= 1);
  assert.ok(valueOf(metrics, storeCount,
    { engine: 'sqlite', operation: 'ping', outcome: 'ok' }) >= 1);

  const started = valueOf(metrics, 'process_start_time_seconds', {});
  assert.ok(started > Date.now() / 1000 - 600 && started <= Date.now() / 1000, String(started));
  assert.equal(valueOf(metrics, 'credvault_build_info',
    { version: projectVersion(), store: 'sqlite' }), 1);
});

test('promtool accepts the metrics', async () => {
  const scraped = await call(server, 'GET', '/metrics');
  const checked = spawnSync(PROMTOOL, ['check', 'metrics'], { input: scraped.text, encoding: 'utf8' });
  assert.equal(checked.error, undefined, `${PROMTOOL}: ${checked.error} (scripts/setup.sh installs it)`);
  assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
});

test('the OpenAPI document lists exactly the registered routes', async () => {
  const response = await call(server, 'GET', '/api/openapi.json');
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(response.json.openapi, '3.1.0');
  assert.equal(response.json.info.version, projectVersion());
  const documented = [];
  for (const [route, item] of Object.entries(response.json.paths)) {
    for (const method of Object.keys(item)) documented.push(`${method.toUpperCase()} ${route}`);
  }
  const listening = server.logs.find((entry) => entry.event === 'listening');
  const registered = listening.routes.filter((route) => !route.endsWith('/*'));
  assert.deepEqual(documented.sort(), registered.sort());
});

test('the OpenAPI document passes the Redocly linter with no error or warning', async () => {
  const response = await call(server, 'GET', '/api/openapi.json');
  const file = path.join(makeTempDir('credvault-openapi-'), 'openapi.json');
  fs.writeFileSync(file, response.text);
  // No license yet: the project has not chosen one, so that one rule is off.
  const linted = spawnSync(REDOCLY, ['lint', file, '--format=json', '--skip-rule=info-license'], {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    timeout: 60000,
  });
  assert.equal(linted.error, undefined, `${REDOCLY}: ${linted.error} (npm install adds it)`);
  const report = JSON.parse(linted.stdout);
  const problems = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ` +
    `${p.location?.[0]?.pointer}`);
  assert.deepEqual(problems, []);
  assert.equal(report.totals.errors, 0);
  assert.equal(linted.status, 0, linted.stderr);
});

test('a second server on the same SQLite data directory exits, and the first keeps serving',
  async () => {
    const dataDir = server.logs.find((entry) => entry.event === 'listening').data_dir;
    const second = spawnSync(SERVER_BIN, ['--listen', '127.0.0.1:0', '--data-dir', dataDir,
      '--builtin-runner', 'off'], { encoding: 'utf8', timeout: 15000 });
    assert.equal(second.status, 1, second.stderr);
    const failed = second.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line))
      .find((entry) => entry.event === 'startup_failed');
    assert.ok(failed, second.stderr);
    assert.match(failed.error, /^unavailable: .*in use by another process/);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  });

test('make run: the script prints the address and serves on the SQLite default', async () => {
  const port = await freePort();
  const dataDir = path.join(makeTempDir('credvault-run-'), 'data');
  const child = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'run.sh')], {
    cwd: REPO_ROOT,
    env: { ...process.env, CREDVAULT_LISTEN: `127.0.0.1:${port}`, CREDVAULT_DATA_DIR: dataDir,
      CREDVAULT_SERVER_BIN: SERVER_BIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const deadline = Date.now() + 15000;
    while (!stderr.includes('"listening"') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(stdout.includes(`http://127.0.0.1:${port}/`), stdout);
    const listening = JSON.parse(stderr.split('\n').find((line) => line.includes('"listening"')));
    assert.equal(listening.store, 'sqlite');
    assert.equal(listening.data_dir, dataDir);
    const health = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(health.status, 200);
    assert.ok(fs.existsSync(path.join(dataDir, 'credvault.db')));
  } finally {
    child.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0, stderr);
  }
});
