// The browser pipeline end to end: the built server serves web/ and the WASM module, headless
// Chromium (Debian's, driven by playwright-core) creates an account and round-trips a
// credential on the page, with no console error and no CSP violation.
//
//   node --test tests/web/first_page.test.mjs
// Env: CREDVAULT_SERVER_BIN (the server binary), CREDVAULT_MODULE_DIR (default
// build/wasm/wasm: the WASM build's credvault.mjs + credvault_core.wasm).
// Writes a screenshot to build/artifacts/first_page.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { REPO_ROOT, makeTempDir, startServer, stopServer } from './harness.mjs';

const MODULE_DIR = process.env.CREDVAULT_MODULE_DIR ?? path.join(REPO_ROOT, 'build', 'wasm', 'wasm');
const SCREENSHOT = path.join(REPO_ROOT, 'build', 'artifacts', 'first_page.png');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

const EMAIL = 'ops@example.com';
const PASSWORD = 'PASSWORD-canary-correct-horse-8d1f';
const CREDENTIAL_NAME = 'prod-cluster admin token';
const TOKEN = 'TOKEN-canary-eyJhbGciOi-51b7';

// Runs in the page before its own scripts: records CSP violations and every text the account
// status shows (the Argon2id progress text is replaced within a second).
function recordPageEvents() {
  window.__cspViolations = [];
  window.__accountStatusTexts = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
  });
  document.addEventListener('DOMContentLoaded', () => {
    const status = document.getElementById('account-status');
    if (!status) return;
    new MutationObserver(() => window.__accountStatusTexts.push(status.textContent))
      .observe(status, { childList: true, characterData: true, subtree: true });
  });
}

// A fresh browser profile per test, and everything the page reports.
async function openPage(url) {
  const profile = makeTempDir('credvault-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 900, height: 1000 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  const events = { console: [], pageErrors: [], failedRequests: [], httpErrors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      events.console.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => events.pageErrors.push(String(error)));
  page.on('requestfailed', (request) => events.failedRequests.push(request.url()));
  page.on('response', (response) => {
    if (response.status() >= 400) events.httpErrors.push(`${response.status()} ${response.url()}`);
  });
  await context.addInitScript(recordPageEvents);
  await page.goto(url, { waitUntil: 'load' });
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { page, events, close };
}

describe('first page in headless Chromium', () => {
  let server;

  before(async () => {
    assert.ok(fs.existsSync(path.join(MODULE_DIR, 'credvault.mjs')),
      `the WASM module is not built: ${MODULE_DIR}/credvault.mjs (set CREDVAULT_MODULE_DIR)`);
    server = await startServer({ webRoot: path.join(REPO_ROOT, 'web'), moduleDir: MODULE_DIR });
  });

  after(async () => {
    if (server) await stopServer(server);
  });

  test('creates an account and round-trips a credential', { timeout: 180000 }, async () => {
    const { page, events, close } = await openPage(`${server.url}/`);
    try {
      await page.waitForSelector('#module-state[data-state="ready"]', { timeout: 60000 });
      assert.equal(await page.title(), 'credvault');

      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForSelector('#account-status[data-state="ok"], #account-status[data-state="error"]',
        { timeout: 120000 });
      const accountStatus = await page.textContent('#account-status');
      assert.match(accountStatus, /^Account created for ops@example\.com in [\d.]+ s\.$/);
      const progress = await page.evaluate(() => window.__accountStatusTexts);
      assert.ok(progress.some((text) => text.includes('Argon2id')),
        `no progress text while Argon2id ran: ${JSON.stringify(progress)}`);
      const recovery = await page.textContent('#recovery-code');
      assert.ok(recovery.trim().length >= 20, `recovery code too short: ${recovery}`);
      assert.ok(await page.isVisible('#recovery-code'));
      assert.equal(await page.inputValue('#password'), '', 'password field cleared');

      await page.getByLabel('Name').fill(CREDENTIAL_NAME);
      await page.getByLabel('Token').fill(TOKEN);
      await page.getByRole('button', { name: 'Encrypt and open' }).click();
      await page.waitForSelector('#status[data-state="ok"], #status[data-state="error"]',
        { timeout: 30000 });
      assert.equal(await page.textContent('#status'), `round trip ok: decrypted “${CREDENTIAL_NAME}”`);
      assert.match(await page.textContent('#envelope-header'),
        /^format v1, XChaCha20-Poly1305, key generation 1, \d+ padded bytes$/);

      // The token is never shown, and left nowhere on the page.
      const pageText = await page.evaluate(() => document.documentElement.outerHTML +
        [...document.querySelectorAll('input')].map((input) => input.value).join('\n'));
      assert.ok(!pageText.includes(TOKEN), 'the token is visible on the page');
      assert.ok(!pageText.includes(PASSWORD), 'the password is visible on the page');

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
      assert.deepEqual(events.console, [], 'console errors or warnings');
      assert.deepEqual(events.pageErrors, [], 'uncaught page errors');
      assert.deepEqual(events.failedRequests, [], 'failed requests');
      assert.deepEqual(events.httpErrors, [], 'HTTP errors');
      // Zero knowledge, smoke level: nothing secret ever reached the server.
      for (const secret of [PASSWORD, TOKEN, recovery.trim()]) {
        assert.ok(!server.rawLog.includes(secret), 'a secret reached the server log');
      }
      const served = server.logs.filter((entry) => entry.event === 'request').map((e) => e.path);
      for (const file of ['/', '/app.js', '/style.css', '/module/credvault.mjs',
        '/module/credvault_core.wasm']) {
        assert.ok(served.includes(file), `${file} was not requested: ${served}`);
      }
    } finally {
      await close();
    }
  });
});

describe('first page without the module', () => {
  test('says the module is unavailable and keeps the form disabled', { timeout: 60000 }, async () => {
    const emptyModuleDir = makeTempDir('credvault-nomodule-');
    const server = await startServer({ webRoot: path.join(REPO_ROOT, 'web'), moduleDir: emptyModuleDir });
    const { page, events, close } = await openPage(`${server.url}/`);
    try {
      await page.waitForSelector('#module-state[data-state="error"]', { timeout: 30000 });
      assert.equal(await page.textContent('#module-state'),
        'The crypto module did not load: module_unavailable.');
      assert.ok(await page.isDisabled('#create-account'));
      assert.deepEqual(events.httpErrors, [`404 ${server.url}/module/credvault.mjs`]);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
      assert.deepEqual(events.pageErrors, []);
    } finally {
      await close();
      await stopServer(server);
      fs.rmSync(emptyModuleDir, { recursive: true, force: true });
    }
  });
});
