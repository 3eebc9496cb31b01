// The server's HTTP surface, against the built binary: static files and their types,
// security headers, /healthz, traversal refusals, JSON errors, body limits, request logs,
// pipelining and graceful stop. Run: node --test tests/web/server_static.test.mjs
// (CREDVAULT_SERVER_BIN points at the binary; see harness.mjs for the default).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  REPO_ROOT, makeTempDir, parseResponses, rawExchange, rawRequest, startServer, stopServer,
} from './harness.mjs';

const CANARY = 'CANARY-outside-the-web-root-7f3e';

// <tmp>/web is a copy of web/ plus a hidden file; <tmp>/secret.txt and <tmp>/module-parent
// hold the canary, so any traversal that works would show it.
function makeFixture() {
  const base = makeTempDir('credvault-static-');
  const webRoot = path.join(base, 'web');
  fs.cpSync(path.join(REPO_ROOT, 'web'), webRoot, { recursive: true });
  fs.writeFileSync(path.join(webRoot, '.hidden'), CANARY);
  fs.writeFileSync(path.join(base, 'secret.txt'), CANARY);
  const moduleDir = path.join(base, 'module');
  fs.mkdirSync(moduleDir);
  fs.writeFileSync(path.join(moduleDir, 'credvault.mjs'), 'export default async () => ({});\n');
  fs.writeFileSync(path.join(moduleDir, 'credvault_core.wasm'),
    Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  fs.writeFileSync(path.join(moduleDir, 'credvault.d.ts'), 'export type Handle = number;\n');
  fs.writeFileSync(path.join(moduleDir, 'facts.json'), '{"ok":true}\n');
  fs.writeFileSync(path.join(moduleDir, 'pixel.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  fs.writeFileSync(path.join(moduleDir, 'legacy.js'), 'export {};\n');
  return { base, webRoot, moduleDir };
}

const EXPECTED_CSP_DIRECTIVES = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'",
  "img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
  "form-action 'self'",
];

function assertSecurityHeaders(response, label) {
  const csp = response.headers['content-security-policy'] ?? '';
  for (const directive of EXPECTED_CSP_DIRECTIVES) {
    assert.ok(csp.includes(directive), `${label}: CSP lacks ${directive}: ${csp}`);
  }
  assert.ok(!csp.includes('unsafe-inline'), `${label}: CSP allows unsafe-inline`);
  assert.ok(!/'unsafe-eval'/.test(csp), `${label}: CSP allows unsafe-eval`);
  assert.equal(response.headers['x-content-type-options'], 'nosniff', label);
  assert.equal(response.headers['referrer-policy'], 'no-referrer', label);
  assert.equal(response.headers['x-frame-options'], 'DENY', label);
  assert.ok(response.headers['cache-control'], `${label}: no Cache-Control`);
  assert.match(response.headers['x-request-id'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{12}$/, label);
}

function assertJsonError(response, status, code, label) {
  assert.equal(response.status, status, `${label}: status`);
  assert.equal(response.headers['content-type'], 'application/json', `${label}: type`);
  const body = JSON.parse(response.body);
  assert.match(body.error?.message ?? '', /^[\x20-\x7e]+$/, `${label}: readable message`);
  if (code) assert.equal(body.error.code, code, `${label}: code`);
  else assert.equal(typeof body.error?.code, 'string', `${label}: code`);
}

describe('credvault-server', () => {
  let fixture;
  let server;
  const seen = [];  // every response, to check the security headers on all of them

  const request = async (method, target, options) => {
    const response = await rawRequest(server.port, method, target, options);
    seen.push({ label: `${method} ${JSON.stringify(target)} -> ${response.status}`, response });
    return response;
  };

  before(async () => {
    fixture = makeFixture();
    server = await startServer({ webRoot: fixture.webRoot, moduleDir: fixture.moduleDir });
  });

  after(async () => {
    if (server) await stopServer(server);
    if (fixture) fs.rmSync(fixture.base, { recursive: true, force: true });
  });

  test('GET /healthz answers 200 {"status":"ok"}', async () => {
    const response = await request('GET', '/healthz');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(response.body), { status: 'ok' });
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  test('static files carry the right MIME types', async () => {
    const cases = [
      ['/', 'text/html; charset=utf-8'],
      ['/index.html', 'text/html; charset=utf-8'],
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
      ['/favicon.svg', 'image/svg+xml'],
      ['/module/credvault.mjs', 'text/javascript; charset=utf-8'],
      ['/module/legacy.js', 'text/javascript; charset=utf-8'],
      ['/module/credvault_core.wasm', 'application/wasm'],
      ['/module/credvault.d.ts', 'application/typescript; charset=utf-8'],
      ['/module/facts.json', 'application/json'],
      ['/module/pixel.png', 'image/png'],
    ];
    for (const [target, type] of cases) {
      const response = await request('GET', target);
      assert.equal(response.status, 200, target);
      assert.equal(response.headers['content-type'], type, target);
      assert.equal(response.headers['cache-control'], 'no-cache', target);
    }
    const index = await request('GET', '/');
    assert.equal(index.body, fs.readFileSync(path.join(fixture.webRoot, 'index.html'), 'utf8'));
  });

  test('a query string does not change the file', async () => {
    const response = await request('GET', '/app.js?v=123');
    assert.equal(response.status, 200);
    assert.equal(response.body, fs.readFileSync(path.join(fixture.webRoot, 'app.js'), 'utf8'));
  });

  test('a file revalidated with its ETag is 304 with no body; a changed file is sent again',
    async () => {
      const first = await request('GET', '/module/credvault_core.wasm');
      const etag = first.headers.etag;
      assert.match(etag ?? '', /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
      const again = await request('GET', '/module/credvault_core.wasm',
        { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.body, '');
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers['cache-control'], 'no-cache');
      assert.equal(again.headers['content-length'], undefined);
      // Another file's tag, or none that parses, gets the whole file.
      const other = await request('GET', '/app.js', { headers: { 'If-None-Match': etag } });
      assert.equal(other.status, 200);
      const garbage = await request('GET', '/app.js', { headers: { 'If-None-Match': 'W/' } });
      assert.equal(garbage.status, 200);

      const file = path.join(fixture.webRoot, 'app.js');
      const before = await request('GET', '/app.js');
      fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}// changed\n`);
      const after = await request('GET', '/app.js', { headers: { 'If-None-Match': before.headers.etag } });
      assert.equal(after.status, 200);
      assert.equal(after.body, fs.readFileSync(file, 'utf8'));
      assert.notEqual(after.headers.etag, before.headers.etag);
    });

  test('HEAD answers the headers of GET without a body', async () => {
    const get = await request('GET', '/style.css');
    const head = await request('HEAD', '/style.css');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    assert.equal(head.headers['content-type'], 'text/css; charset=utf-8');
  });

  test('path traversal is refused with a 4xx JSON error and never serves outside the root',
    async () => {
      const attempts = [
        '/../secret.txt',
        '/../../../../../../etc/passwd',
        '/%2e%2e/secret.txt',
        '/%2E%2E/secret.txt',
        '/.%2e/secret.txt',
        '/..%2Fsecret.txt',
        '/%2F../secret.txt',
        '/%2f%2e%2e%2fsecret.txt',
        '/..\\secret.txt',
        '/%5c..%5csecret.txt',
        '/..%5Csecret.txt',
        '/secret.txt%00.html',
        '/index.html%00',
        '/index.html\0',
        '/module/../secret.txt',
        '/module/../../secret.txt',
        '/module/%2e%2e/%2e%2e/secret.txt',
        '/module/..%2f..%2fsecret.txt',
        '/./index.html',
        '//secret.txt',
        '/.hidden',
        '/%2ehidden',
        '/module/%',
        '/module/%zz',
      ];
      for (const target of attempts) {
        const response = await request('GET', target);
        assert.ok(response.status === 400 || response.status === 404,
          `${JSON.stringify(target)} answered ${response.status}`);
        assertJsonError(response, response.status, null, JSON.stringify(target));
        assert.ok(!response.body.includes(CANARY), `${JSON.stringify(target)} leaked the canary`);
        assert.ok(!response.body.includes('root:'), `${JSON.stringify(target)} leaked /etc/passwd`);
      }
      const dotted = await request('GET', '/%2e%2e/secret.txt');
      assertJsonError(dotted, 400, 'invalid_argument', 'encoded dot segment');
      const hidden = await request('GET', '/.hidden');
      assertJsonError(hidden, 404, 'not_found', 'hidden file');
    });

  test('an absolute-form or asterisk target is a 400 JSON error', async () => {
    assertJsonError(await request('GET', 'http://127.0.0.1/secret.txt'), 400, null, 'absolute');
    assertJsonError(await request('OPTIONS', '*'), 400, null, 'asterisk');
  });

  test('an unknown path is 404 JSON', async () => {
    assertJsonError(await request('GET', '/nope.html'), 404, 'not_found', '/nope.html');
    assertJsonError(await request('GET', '/module/nope.mjs'), 404, 'not_found', 'module miss');
    assertJsonError(await request('GET', '/module'), 404, 'not_found', '/module as a file');
  });

  test('a wrong method is 405 JSON with Allow', async () => {
    const response = await request('POST', '/healthz', { body: '{}' });
    assertJsonError(response, 405, 'method_not_allowed', 'POST /healthz');
    assert.equal(response.headers.allow, 'GET, HEAD');
  });

  test('an oversized body is refused with 413 JSON, whether sent or only announced', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);  // the default limit is 1 MiB
    const sent = await request('POST', '/healthz', { body: big });
    assertJsonError(sent, 413, 'body_too_large', 'sent body');
    const announced = await request('PUT', '/x', { headers: { 'Content-Length': '5000000000' } });
    assertJsonError(announced, 413, 'body_too_large', 'announced body');
  });

  test('oversized headers are refused with 431 JSON', async () => {
    const response = await request('GET', '/', { headers: { 'X-Filler': 'a'.repeat(64 * 1024) } });
    assertJsonError(response, 431, 'header_too_large', 'huge header');
  });

  test('garbage instead of HTTP is a 400 JSON error', async () => {
    const bytes = await rawExchange(server.port, Buffer.from('HELLO THERE\r\n\r\n'));
    const [response] = parseResponses(bytes);
    assertJsonError(response, 400, 'bad_request', 'garbage');
    seen.push({ label: 'garbage', response });
  });

  test('more pipelined requests than the queue limit are all answered, in order', async () => {
    const count = 25;  // the session queues at most 8 responses, then pauses reading
    let requests = '';
    for (let i = 0; i < count; i += 1) {
      const last = i === count - 1 ? 'Connection: close\r\n' : '';
      requests += `GET /healthz?n=${i} HTTP/1.1\r\nHost: x\r\n${last}\r\n`;
    }
    const bytes = await rawExchange(server.port, Buffer.from(requests));
    const responses = parseResponses(bytes);
    assert.equal(responses.length, count);
    assert.ok(responses.every((r) => r.status === 200 && r.body === '{"status":"ok"}'));
    const ids = responses.map((r) => r.headers['x-request-id']);
    assert.deepEqual([...ids].sort(), ids, 'answered in request order');
  });

  test('pipelined requests are answered in order on one connection', async () => {
    const requests = '' +
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n' +
      'HEAD /app.js HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const bytes = await rawExchange(server.port, Buffer.from(requests));
    const responses = parseResponses(bytes, [2]);
    assert.deepEqual(responses.map((r) => r.status), [200, 404, 200, 200]);
    assert.equal(responses[3].headers['content-type'], 'text/css; charset=utf-8');
    for (const [i, response] of responses.entries()) seen.push({ label: `pipelined ${i}`, response });
  });

  test('every response carried the security headers', () => {
    assert.ok(seen.length > 40, `only ${seen.length} responses seen`);
    for (const { label, response } of seen) assertSecurityHeaders(response, label);
  });

  test('one JSON log line per request, without query strings or bodies', async () => {
    const secret = 'tok_SECRET_query_value_91c2';
    const response = await request('GET', `/healthz?token=${secret}`);
    const body = 'BODY_SECRET_3d9a';
    await request('POST', '/healthz', { body, headers: { Cookie: 'session=COOKIE_SECRET_55' } });
    // Log lines are written after the response; give the server a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const id = response.headers['x-request-id'];
    const line = server.logs.find((entry) => entry.request_id === id);
    assert.ok(line, `no log line for request ${id}`);
    assert.equal(line.event, 'request');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/healthz');
    assert.equal(line.status, 200);
    assert.equal(typeof line.duration_ms, 'number');
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const leaked of [secret, body, 'COOKIE_SECRET_55']) {
      assert.ok(!server.rawLog.includes(leaked), `log contains ${leaked}`);
    }
    const refused = server.logs.find((entry) => entry.status === 413);
    assert.equal(refused?.method, 'POST', 'a 413 log line names the method');
    assert.equal(refused?.path, '/healthz', 'a 413 log line names the path');
    assert.equal(refused?.error, 'body_too_large');
    const requestLines = server.logs.filter((entry) => entry.event === 'request');
    const ids = new Set(requestLines.map((entry) => entry.request_id));
    assert.equal(ids.size, requestLines.length, 'request ids are unique');
    assert.ok(server.logs.every((entry) => entry.event !== 'unparsed'), 'every log line is JSON');
  });
});

describe('credvault-server lifecycle', () => {
  test('creates a missing data directory 0700 and stops gracefully on SIGTERM', async () => {
    const base = makeTempDir('credvault-life-');
    const dataDir = path.join(base, 'nested', 'data');
    const server = await startServer({ webRoot: path.join(REPO_ROOT, 'web'), dataDir });
    try {
      assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
      // An idle keep-alive connection must not hold the stop up.
      const idle = await new Promise((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () => {
          socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        });
        socket.once('data', () => resolve(socket));
        socket.on('error', reject);
      });
      const closed = new Promise((resolve) => idle.on('close', resolve));
      const started = Date.now();
      const { code, signal } = await stopServer(server);
      assert.equal(signal, null);
      assert.equal(code, 0);
      await closed;
      assert.ok(Date.now() - started < 5000, 'graceful stop took too long');
      assert.ok(server.logs.some((entry) => entry.event === 'stopping'));
      assert.ok(server.logs.some((entry) => entry.event === 'stopped'));
    } finally {
      await stopServer(server);
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  test('refuses a data directory others can read', async () => {
    const base = makeTempDir('credvault-perm-');
    const dataDir = path.join(base, 'open');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    await assert.rejects(startServer({ dataDir }), /permission_denied/);
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('rejects unknown flags with usage and exit code 2', async () => {
    await assert.rejects(startServer({ args: ['--no-such-flag'] }), /exited with 2[\s\S]*usage/);
  });
});
