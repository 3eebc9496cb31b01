// Active monitoring in the web app, in headless Chromium against the real server (with the
// test-only --monitor-minute-seconds 1, so a 1-minute schedule fires every second), its
// built-in runner, a real Prometheus and the Kubernetes fixture: sign up, a workspace, the
// built-in runner admitted and granted monitoring on the Runners page, a 1-minute schedule
// set on a Prometheus connection in its detail view, the timeline filling and the state
// going connected with nobody clicking Test; the password changed on Prometheus turns it
// disconnected, shown in the detail and in the feed; a client certificate expiring in 5 days
// warns (the core's expiry rule); revoking shows the key rotation. No console error, no CSP
// violation, every control labelled, a narrow screen.
//
//   NODE_PATH=/usr/share/nodejs node --test tests/web/monitoring_web.test.mjs
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (default build/wasm/wasm).
// Screenshots go to build/artifacts/monitoring-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { startKubernetesFixture } from '../fixtures/kubernetes_fixture.mjs';
import { createPki } from '../fixtures/pki.mjs';
import { startPrometheus } from '../fixtures/prometheus.mjs';
import { REPO_ROOT, startServer, stopServer } from './harness.mjs';
import {
  CHROMIUM_ARGS, MODULE_DIR, recordCspViolations, unlabelledControls,
} from './journey_steps.mjs';

const ARTIFACTS = path.join(REPO_ROOT, 'build', 'artifacts');
const SLOW = 90000;  // Argon2id at the default parameters on a shared, loaded machine
const WAIT = 45000;  // scheduled results: one interval is a second, the view refreshes every 3

const OWNER = { email: 'monitor-owner@example.test', password: 'owner-PASSWORD-canary-5d1e' };
const PROM_PASSWORD = 'PROM-monitor-canary-2c7f';
const PROM_CHANGED = 'prom-changed-upstream-e41b';
const CREDENTIAL = 'prom reader';
const CONNECTION = 'prom watched';

const b64 = (text) => Buffer.from(text).toString('base64');

describe('active monitoring in the web app', () => {
  let server;
  let prom;
  let kube;
  let pki;
  let browser;
  let page;
  const events = { console: [], pageErrors: [] };

  const dialog = () => page.locator('#dialog');
  const dialogClosed = () => page.waitForFunction(() => !document.getElementById('dialog').open);

  async function shot(name, options = {}) {
    await page.evaluate(() => { document.getElementById('toast').textContent = ''; });
    await page.screenshot({ path: path.join(ARTIFACTS, `monitoring-${name}.png`), fullPage: true,
      ...options });
  }

  async function assertLabelled(where) {
    assert.deepEqual(await page.evaluate(unlabelledControls), [], `unlabelled controls: ${where}`);
  }

  async function section(label, heading = label) {
    await page.locator('#sections').getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  // The connection's detail, by its name in the list.
  async function openDetail(name) {
    await section('Connections');
    await page.locator('tbody a.conn-name', { hasText: name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.locator('#timeline').waitFor();
  }

  const detailChips = () => page.locator('#connection-chips');

  before(async () => {
    assert.ok(fs.existsSync(path.join(MODULE_DIR, 'client.mjs')),
      `the WASM module is not built: ${MODULE_DIR}/client.mjs (set CREDVAULT_MODULE_DIR)`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    pki = createPki({ clients: [{ name: 'alice', groups: ['dev'], days: 5 }], githubApp: false });
    [server, prom, kube, browser] = await Promise.all([
      startServer({ webRoot: path.join(REPO_ROOT, 'web'), moduleDir: MODULE_DIR,
        args: ['--monitor-minute-seconds', '1'] }),
      startPrometheus({ users: { reader: PROM_PASSWORD } }),
      startKubernetesFixture({ pki }),
      chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS }),
    ]);
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.addInitScript(recordCspViolations);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        events.console.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => events.pageErrors.push(String(error)));
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
  });

  after(async () => {
    await browser?.close();
    await Promise.all([server && stopServer(server), prom?.close(), kube?.close()]);
    pki?.cleanup();
  });

  // A failing step leaves a screenshot (monitoring-failure.png).
  function step(name, options, body) {
    test(name, options, async () => {
      try {
        await body();
      } catch (error) {
        await page?.screenshot({ path: path.join(ARTIFACTS, 'monitoring-failure.png'),
          fullPage: true }).catch(() => {});
        throw error;
      }
    });
  }

  step('sign up, a workspace, and the built-in runner admitted', { timeout: 180000 }, async () => {
    await page.waitForSelector('#auth-title', { timeout: 30000 });
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Repeat the password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.locator('#recovery-code').waitFor({ timeout: SLOW });
    await page.getByLabel('I have stored the recovery code somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();

    await page.getByLabel('New workspace name').fill('Monitored');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await section('Runners');
    await page.getByRole('button', { name: 'Admit the built-in runner' }).click();
    await page.locator('tr[data-runner-id]').waitFor();
  });

  let runnerName;

  step('grant monitoring: explained first, then shown on the runner', { timeout: 60000 },
    async () => {
      const row = page.locator('tr[data-runner-id]');
      assert.equal(await row.getAttribute('data-granted'), 'false', 'nothing is granted by default');
      assert.match(await row.textContent(), /not granted/);
      runnerName = (await row.locator('th').textContent()).trim();
      // The default schedule is there for an owner, off.
      assert.match(await page.locator('#default-schedule').textContent(), /Now: off/);
      await assertLabelled('runners');

      // Keyboard: focus the grant button and press Enter.
      await page.getByRole('button', { name: `Grant monitoring to ${runnerName}` }).focus();
      await page.keyboard.press('Enter');
      const text = await dialog().textContent();
      assert.match(text, /able to open this workspace's credentials/);
      assert.match(text, /server still cannot open them/);
      await dialog().getByRole('button', { name: 'Grant monitoring' }).click();
      await dialogClosed();
      await page.locator('tr[data-runner-id][data-granted="true"]').waitFor();
      assert.match(await row.textContent(), /monitoring/);
      assert.equal(await page.getByRole('button',
        { name: `Revoke monitoring from ${runnerName}` }).count(), 1);
      await shot('runners');
    });

  step('a Prometheus credential and connection', { timeout: 60000 }, async () => {
    await section('Credentials');
    await page.getByRole('button', { name: 'New credential' }).click();
    const form = dialog();
    await form.getByLabel('Kind').selectOption('prometheus');
    await form.locator('select[name="auth_method"]').selectOption('basic');
    await form.getByLabel('Name', { exact: true }).fill(CREDENTIAL);
    await form.getByLabel(/^Username/).fill('reader');
    await form.getByLabel(/^Password/).fill(PROM_PASSWORD);
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await dialogClosed();
    await page.locator('tr[data-credential-id]', { hasText: CREDENTIAL }).waitFor();

    await section('Connections');
    await page.getByRole('button', { name: 'New connection' }).click();
    await form.getByLabel('Kind').selectOption('prometheus');
    await form.getByLabel('Name', { exact: true }).fill(CONNECTION);
    await form.getByLabel('Endpoint URL').fill(prom.url);
    await form.getByLabel('Credential', { exact: true })
      .selectOption({ label: `${CREDENTIAL} (basic)` });
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await page.locator(`button[aria-label="Test ${CONNECTION}"]`).waitFor();
  });

  step('a 1-minute schedule set in the detail: the timeline fills and it goes connected',
    { timeout: 90000 }, async () => {
      await openDetail(CONNECTION);
      assert.match(await detailChips().textContent(), /Registered/);
      assert.match(await page.locator('#timeline').textContent(), /No results recorded yet/);
      assert.match(await page.locator('#schedule-status').textContent(),
        /Tested off \(the workspace default\)/);
      const schedule = page.getByLabel('Schedule', { exact: true });
      assert.equal(await schedule.inputValue(), 'inherit');
      // The minutes field only shows for "every N minutes".
      assert.equal(await page.getByLabel('Minutes between tests').isVisible(), false);
      await schedule.selectOption('every');
      await page.getByLabel('Minutes between tests').fill('0');
      await page.getByRole('button', { name: 'Save schedule' }).click();
      await page.locator('.field-message', { hasText: 'at least 1' }).waitFor();
      await page.getByLabel('Minutes between tests').fill('1');
      await assertLabelled('connection detail');
      await page.getByRole('button', { name: 'Save schedule' }).click();
      await page.locator('#schedule-status', { hasText: 'Saved: tested every minute.' }).waitFor();

      // Nobody presses Test: the granted runner's results arrive and the view refreshes.
      await detailChips().locator('.chip', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
      await page.waitForFunction(() => document.querySelectorAll('.timeline .mark').length >= 3,
        null, { timeout: WAIT });
      const mark = page.locator('.timeline .mark').first();
      assert.match(await mark.getAttribute('class'), /tone-success/);
      assert.match(await mark.textContent(), /Signed in, \d+ ms, /);
      const first = page.locator('table.history tbody tr').first();
      assert.match(await first.textContent(), /Signed in/);
      assert.match(await first.textContent(), /\d+ ms/);
      assert.match(await first.textContent(), new RegExp(`${runnerName} · scheduled`));
      // The oldest result is the one that connected it.
      assert.match(await page.locator('table.history tbody tr').last().textContent(),
        /Registered→ to Connected/);
      await shot('connection');
    });

  step('a password changed on Prometheus: disconnected in the detail and in the feed',
    { timeout: 90000 }, async () => {
      await prom.setUsers({ reader: PROM_CHANGED });
      await detailChips().locator('.chip', { hasText: 'Disconnected' }).waitFor({ timeout: WAIT });
      await page.locator('table.history tbody tr', { hasText: 'Connected→ to Disconnected' })
        .waitFor({ timeout: WAIT });
      assert.match(await page.locator('.timeline .mark').first().getAttribute('class'),
        /tone-danger/);
      await shot('disconnected');

      await section('Monitoring feed');
      const flip = page.locator('tr[data-to="disconnected"]', { hasText: CONNECTION });
      await flip.waitFor({ timeout: WAIT });
      const text = await flip.textContent();
      assert.match(text, /Connected→ to Disconnected/);
      assert.match(text, /Credential rejected/);
      assert.match(text, new RegExp(`${runnerName} · scheduled`));
      assert.equal(await page.locator('tr[data-to="connected"]', { hasText: CONNECTION }).count(), 1);
      // The name is a link to the connection's detail.
      assert.match(await flip.getByRole('link', { name: CONNECTION }).getAttribute('href'),
        /#\/w\/[^/]+\/connections\/[^/]+$/);
      await shot('feed');
    });

  step('a client certificate expiring in 5 days is warned about', { timeout: 120000 },
    async () => {
      const alice = pki.clients.alice;
      const kubeconfig = 'apiVersion: v1\nkind: Config\ncurrent-context: dev\n' +
        `clusters:\n- name: fixture\n  cluster:\n    server: ${kube.url}\n` +
        `    certificate-authority-data: ${b64(pki.ca.certPem)}\n` +
        'contexts:\n- name: dev\n  context:\n    cluster: fixture\n    user: alice\n' +
        'users:\n- name: alice\n  user:\n' +
        `    client-certificate-data: ${b64(alice.certPem)}\n` +
        `    client-key-data: ${b64(alice.keyPem)}\n`;
      await section('Import kubeconfig', 'Import a kubeconfig');
      await page.getByLabel('Kubeconfig file').setInputFiles({ name: 'config',
        mimeType: 'application/yaml', buffer: Buffer.from(kubeconfig) });
      await page.locator('.plan tbody tr').first().waitFor();
      await page.getByRole('button', { name: 'Import selected' }).click();
      await page.locator('#import-outcomes li').first().waitFor({ timeout: SLOW });

      // The workspace default, set on the Runners page, covers the imported connection.
      await section('Runners');
      await page.getByLabel('Default schedule', { exact: true }).selectOption('every');
      await page.getByLabel('Minutes between tests').fill('1');
      await page.getByRole('button', { name: 'Save default' }).click();
      await page.locator('#default-schedule', { hasText: 'Now: every minute.' }).waitFor();

      await openDetail('dev');
      assert.match(await page.locator('#schedule-status').textContent(),
        /Tested every minute \(the workspace default\)/);
      const warning = detailChips().locator('.chip.expiry');
      await warning.waitFor({ timeout: WAIT });
      assert.equal((await warning.textContent()).trim(), 'client certificate expires in 5 days');
      assert.match(await warning.getAttribute('class'), /tone-warning/);
      assert.match(await warning.getAttribute('title'), /not valid after \d{4}-\d\d-\d\d/);
      await shot('expiry');

      // The list shows it too, beside the state.
      await section('Connections');
      const row = page.locator('tr', { has: page.locator('a.conn-name', { hasText: 'dev' }) });
      assert.equal((await row.locator('.chip.expiry').textContent()).trim(),
        'client certificate expires in 5 days');
      await shot('list');
    });

  step('revoking monitoring rotates the workspace keys, and says so', { timeout: 90000 },
    async () => {
      await section('Runners');
      await page.getByRole('button', { name: `Revoke monitoring from ${runnerName}` }).click();
      const text = await dialog().textContent();
      assert.match(text, /rotates the workspace keys/);
      assert.match(text, /new key generation/);
      await shot('revoke-confirm');
      await dialog().getByRole('button', { name: 'Revoke and rotate keys' }).click();
      const result = page.locator('#revoke-result');
      await result.waitFor({ timeout: SLOW });
      assert.match(await result.textContent(), /rotated to generation 2/);
      assert.match(await result.textContent(), /open nothing written from now on/);
      await page.locator('tr[data-runner-id][data-granted="false"]').waitFor();
      assert.equal(await page.getByRole('button',
        { name: `Grant monitoring to ${runnerName}` }).count(), 1);
      await shot('revoked');
    });

  step('a narrow screen reads the detail and the feed', { timeout: 60000 }, async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openDetail(CONNECTION);
    await page.locator('table.history tbody tr').first().waitFor();
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
    await shot('narrow-detail');
    await section('Monitoring feed');
    await page.locator('tr[data-to="disconnected"]').first().waitFor();
    await shot('narrow-feed');
  });

  step('no console error, no CSP violation, no uncaught error', async () => {
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
    assert.deepEqual(events.console, [], 'console errors or warnings');
    assert.deepEqual(events.pageErrors, [], 'uncaught page errors');
  });
});
