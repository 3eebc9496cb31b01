// The web app's whole journey in headless Chromium (Debian's, driven by playwright-core), as
// one describe() block any deployment can run: a single server (journey.test.mjs) or two
// servers behind nginx (hosted_journey.test.mjs). Against a real Prometheus and the
// Kubernetes fixture API server: sign up with the once-shown recovery code, a workspace, a
// runner admitted, a kubeconfig import, a Prometheus credential and connection tested
// connected and then unauthorized, sharing into a second workspace, a second user invited as
// a viewer and removed with the key rotation shown, log out and in, lock and unlock. Along
// the way: no console error, no CSP violation, no secret left in the DOM after its dialog
// closes or in any server log, every control labelled, a narrow-screen rendering.
//
// The deployment is what `startApp` resolves: {url, rawLog(), stop()} — the web app is
// loaded from `url`, and rawLog() is every server log line, scanned for secrets.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { startKubernetesFixture } from '../fixtures/kubernetes_fixture.mjs';
import { createPki } from '../fixtures/pki.mjs';
import { startPrometheus } from '../fixtures/prometheus.mjs';
import { REPO_ROOT } from './harness.mjs';

export const MODULE_DIR = process.env.CREDVAULT_MODULE_DIR ??
  path.join(REPO_ROOT, 'build', 'wasm', 'wasm');
export const WEB_ROOT = path.join(REPO_ROOT, 'web');

const ARTIFACTS = path.join(REPO_ROOT, 'build', 'artifacts');
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SLOW = 60000;  // Argon2id at the default parameters, a runner round trip

const OWNER = { email: 'ops-owner@example.test', password: 'owner-PASSWORD-canary-3f9a' };
const GUEST = { email: 'guest-viewer@example.test', password: 'guest-PASSWORD-canary-71c2' };
const PROM_PASSWORD = 'PROM-canary-secret-6b0e2d';
const PROM_WRONG = 'prom-rotated-elsewhere-91aa';
const KUBE_TOKEN = 'KUBE-canary-token-0a8f7c3e5d';
const CREDENTIAL = 'prom reader';
const CONNECTION = 'prom local';

const b64 = (text) => Buffer.from(text).toString('base64');

// Runs in every page before its scripts: records CSP violations.
export function recordCspViolations() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
  });
}

// Every <input>, <select> and <textarea> shown has a name: a <label for>, a wrapping label,
// aria-label or aria-labelledby. Returns the unlabelled ones.
export function unlabelledControls() {
  const missing = [];
  for (const control of document.querySelectorAll('input, select, textarea')) {
    if (control.type === 'hidden' || control.closest('[hidden]')) continue;
    const byFor = control.id
      ? document.querySelector(`label[for="${CSS.escape(control.id)}"]`) : null;
    const named = byFor?.textContent.trim() || control.closest('label')?.textContent.trim() ||
      control.getAttribute('aria-label')?.trim() || control.getAttribute('aria-labelledby');
    if (!named) missing.push(control.outerHTML.slice(0, 120));
  }
  return missing;
}

// The built-in runner, as a user admits it: the button on the Runners page.
export async function admitBuiltinRunner(page) {
  await page.getByRole('button', { name: 'Admit the built-in runner' }).click();
  await page.locator('tr[data-runner-id]').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Admit the built-in runner' }).count(), 0);
}

// Defines the journey's tests in a describe() block.
//   title: the block's name; shotPrefix: screenshots are build/artifacts/<shotPrefix>-*.png.
//   startApp(): resolves {url, rawLog(), stop()}, given {webRoot, moduleDir}.
//   admitRunner(page, {section}): admits the deployment's runner in the workspace the page
//     shows, from the Runners page, and leaves its row shown (admitBuiltinRunner for a single
//     server). section(page, label) navigates by the sections bar.
//   finalChecks(deployment): more assertions once the journey is done (optional).
export function defineJourney({ title, startApp, shotPrefix = 'journey', admitRunner: admit,
  finalChecks }) {
  describe(title, () => {
    let deployment;
    let prom;
    let kube;         // two fixture API servers: contexts differ by cluster or user
    let kubeB;
    let pki;
    let browser;
    let kubeconfigText;
    const pages = [];      // every page opened, with what it reported

    // A browser context of its own (its own storage): one user.
    async function openUser({ width = 1100, height = 900 } = {}) {
      const context = await browser.newContext({ viewport: { width, height } });
      await context.addInitScript(recordCspViolations);
      const page = await context.newPage();
      const events = { console: [], pageErrors: [], failedRequests: [] };
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          events.console.push(`${message.type()}: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => events.pageErrors.push(String(error)));
      page.on('requestfailed', (request) => events.failedRequests.push(request.url()));
      pages.push({ page, events });
      await page.goto(`${deployment.url}/`, { waitUntil: 'load' });
      return page;
    }

    // A screenshot in build/artifacts. A toast still showing from an earlier step is cleared
    // first: it would cover the screen's own content.
    async function shot(page, name, options = {}) {
      await page.evaluate(() => { document.getElementById('toast').textContent = ''; });
      await page.screenshot({ path: path.join(ARTIFACTS, `${shotPrefix}-${name}.png`),
          fullPage: true, ...options });
    }

    const dialog = (page) => page.locator('#dialog');
    const dialogClosed = (page) =>
      page.waitForFunction(() => !document.getElementById('dialog').open);
    const html = (page) => page.evaluate(() => document.documentElement.outerHTML +
      [...document.querySelectorAll('input, textarea')].map((c) => c.value).join('\n'));

    async function assertLabelled(page, where) {
      assert.deepEqual(await page.evaluate(unlabelledControls), [],
          `unlabelled controls: ${where}`);
    }

    // Navigates by the sections bar, as a user would, and waits for the heading.
    async function section(page, label, heading = label) {
      await page.locator('#sections').getByRole('link', { name: label, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    }

    async function signUp(page, { email, password }) {
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByRole('heading', { name: 'Create an account' }).waitFor();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Repeat the password').fill(password);
      await page.getByRole('button', { name: 'Create an account' }).click();
      await page.locator('#recovery-code').waitFor({ timeout: SLOW });
      return (await page.textContent('#recovery-code')).trim();
    }

    async function logIn(page, { email, password }) {
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('#account-menu').getByRole('button', { name: 'Log out' })
        .waitFor({ timeout: SLOW });
    }

    async function createWorkspace(page, name) {
      await page.goto(`${deployment.url}/#/workspaces`);
      await page.getByLabel('New workspace name').fill(name);
      await page.getByRole('button', { name: 'Create workspace' }).click();
      await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
      return page.evaluate(() => location.hash.split('/')[2]);
    }

    async function admitRunner(page) {
      await section(page, 'Runners');
      await admit(page, { section });
    }

    async function newConnection(page, { name, endpoint, credential }) {
      await section(page, 'Connections');
      await page.getByRole('button', { name: 'New connection' }).click();
      const form = dialog(page);
      await form.getByLabel('Kind').selectOption('prometheus');
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Endpoint URL').fill(endpoint);
      await form.getByLabel('Credential', { exact: true }).selectOption({ label: credential });
      await form.getByRole('button', { name: 'Create', exact: true }).click();
      await page.locator(`button[aria-label="Test ${name}"]`).waitFor();
      assert.equal(await form.isVisible(), false, 'the dialog closed');
    }

    // Clicks "Test" on a connection's row; resolves with the result panel once `outcome` shows.
    async function testConnection(page, name, outcome) {
      const button = page.locator(`button[aria-label="Test ${name}"]`);
      await button.click();
      const panel = page.locator(`tr:has(button[aria-label="Test ${name}"]) + tr.result-row ` +
        `.test-result.outcome-${outcome}`);
      await panel.waitFor({ timeout: SLOW });
      return panel;
    }

    // The state chip's label on a connection's row.
    const stateOf = (page, name) => page.locator(`tr:has(button[aria-label="Test ${name}"]) > td`)
      .nth(1).locator('.chip').first().textContent();

    before(async () => {
      assert.ok(fs.existsSync(path.join(MODULE_DIR, 'client.mjs')),
        `the WASM module is not built: ${MODULE_DIR}/client.mjs (set CREDVAULT_MODULE_DIR)`);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      pki = createPki({ clients: [{ name: 'alice', groups: ['dev'] }], githubApp: false });
      const kubeUsers = [{ name: 'deployer', token: KUBE_TOKEN }];
      [deployment, prom, kube, kubeB, browser] = await Promise.all([
        startApp({ webRoot: WEB_ROOT, moduleDir: MODULE_DIR }),
        startPrometheus({ users: { reader: PROM_PASSWORD } }),
        startKubernetesFixture({ pki, users: kubeUsers }),
        startKubernetesFixture({ pki, users: kubeUsers }),
        chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
            args: CHROMIUM_ARGS }),
      ]);
      const alice = pki.clients.alice;
      const cluster = (name, url) => `- name: ${name}\n  cluster:\n    server: ${url}\n` +
        `    certificate-authority-data: ${b64(pki.ca.certPem)}\n`;
      const context = (name, clusterName, user, namespace) => `- name: ${name}\n  context:\n` +
        `    cluster: ${clusterName}\n    user: ${user}\n` +
        (namespace ? `    namespace: ${namespace}\n` : '');
      kubeconfigText = 'apiVersion: v1\nkind: Config\npreferences: {}\ncurrent-context: dev\n' +
        `clusters:\n${cluster('fixture', kube.url)}${cluster('fixture-b', kubeB.url)}` +
        `contexts:\n${context('dev', 'fixture', 'alice', 'apps')}` +
        `${context('staging', 'fixture', 'deployer')}` +
        `${context('ops', 'fixture-b', 'deployer', 'ops')}` +
        `${context('scratch', 'fixture-b', 'alice', 'tmp')}` +
        'users:\n- name: alice\n  user:\n' +
        `    client-certificate-data: ${b64(alice.certPem)}\n` +
        `    client-key-data: ${b64(alice.keyPem)}\n` +
        `- name: deployer\n  user:\n    token: ${KUBE_TOKEN}\n`;
    });

    after(async () => {
      await browser?.close();
      await Promise.all([deployment?.stop(), prom?.close(), kube?.close(),
        kubeB?.close()]);
      pki?.cleanup();
    });

    // A test whose failure leaves a screenshot of every open page (<shotPrefix>-failure-*.png).
    function journeyTest(name, options, body) {
      test(name, options, async () => {
        try {
          await body();
        } catch (error) {
          await Promise.all(pages.map(({ page }, i) => page.screenshot({
            path: path.join(ARTIFACTS, `${shotPrefix}-failure-${i}.png`), fullPage: true,
          }).catch(() => {})));
          throw error;
        }
      });
    }

    const authReady = (page) => page.waitForSelector('#auth-title', { timeout: 30000 });

    let owner;        // the owner's page
    let recoveryCode;
    let platformId;   // the first workspace

    journeyTest('sign up: the recovery code is shown once, and "saved it" gates Continue',
      { timeout: 120000 }, async () => {
        owner = await openUser();
        await authReady(owner);
        await owner.getByRole('link', { name: 'Create an account' }).click();
        await owner.getByLabel('Email').fill(OWNER.email);
        await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
        await owner.getByLabel('Repeat the password').fill(OWNER.password);
        await assertLabelled(owner, 'sign-up form');
        await shot(owner, 'signup');
        await owner.getByRole('button', { name: 'Create an account' }).click();
        // Argon2id runs in the worker: the page shows its progress and stays responsive.
        const progress = owner.locator('.status[data-state="working"]');
        await progress.waitFor();
        assert.match(await progress.textContent(), /Argon2id/);
        assert.equal(await owner.evaluate(() => 6 * 7), 42, 'the page answers while keys derive');

        await owner.locator('#recovery-code').waitFor({ timeout: SLOW });
        recoveryCode = (await owner.textContent('#recovery-code')).trim();
        assert.ok(recoveryCode.length >= 20, `recovery code too short: ${recoveryCode}`);
        const next = owner.getByRole('button', { name: 'Continue' });
        assert.equal(await next.isDisabled(), true, 'Continue waits for "saved it"');
        assert.equal(await owner.evaluate(() => document.activeElement.id), 'recovery-saved',
          'the checkbox has the focus');
        await assertLabelled(owner, 'recovery panel');
        await shot(owner, 'recovery-code');
        assert.ok(!(await html(owner)).includes(OWNER.password), 'the password left the inputs');

        await owner.keyboard.press('Space');  // tick "saved it" with the keyboard
        assert.equal(await next.isEnabled(), true);
        await owner.getByLabel('I have stored the recovery code somewhere safe').uncheck();
        assert.equal(await next.isDisabled(), true);
        await owner.getByLabel('I have stored the recovery code somewhere safe').check();
        await next.click();
        await owner.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();
        assert.ok(!(await html(owner)).includes(recoveryCode), 'the recovery code left the DOM');
        assert.match(await owner.locator('#account-menu').textContent(), /ops-owner@example\.test/);
      });

    journeyTest('a workspace, and the runner admitted and shown connected', { timeout: 60000 },
      async () => {
      await assertLabelled(owner, 'workspaces');
      platformId = await createWorkspace(owner, 'Platform');
      assert.match(await owner.locator('.empty').textContent(), /No connections yet/);
      await section(owner, 'Runners');
      assert.match(await owner.locator('.empty').textContent(), /No runner is admitted/);
      await admit(owner, { section });
      const row = owner.locator('tr[data-runner-id]');
      assert.equal(await row.count(), 1);
      // Fetched anew: behind a load balancer each GET may land on another server, and a server
      // learns within a couple of seconds that another holds the runner. Once shown connected,
      // it stays so whichever server answers.
      const shownConnected = async () => {
        await section(owner, 'Connections');
        await section(owner, 'Runners');
        await row.waitFor();
        // The status cell (the row's text runs the cells together).
        return (await row.locator('td').first().textContent()).trim() === 'connected';
      };
      for (let deadline = Date.now() + 10000; !(await shownConnected());) {
        assert.ok(Date.now() < deadline, 'the runner is not shown connected');
        await owner.waitForTimeout(250);
      }
      for (let i = 0; i < 4; i += 1) {
        assert.ok(await shownConnected(), `shown offline on fetch ${i}`);
      }
      await shot(owner, 'runners');
    });

    journeyTest('kubeconfig import: contexts picked and renamed, outcomes listed, a context ' +
      'connects',
      { timeout: 120000 }, async () => {
        await section(owner, 'Import kubeconfig', 'Import a kubeconfig');
        await assertLabelled(owner, 'kubeconfig upload');
        await owner.getByLabel('Kubeconfig file').setInputFiles({ name: 'config',
          mimeType: 'application/yaml', buffer: Buffer.from(kubeconfigText) });
        const plan = owner.locator('.plan tbody tr');
        await plan.first().waitFor();
        assert.equal(await plan.count(), 4);
        assert.match(await owner.locator('.status[role="status"]').first().textContent(),
          /4 contexts found/);
        assert.deepEqual(await plan.evaluateAll((rows) => rows.map((r) => r.dataset.context)),
          ['dev', 'staging', 'ops', 'scratch']);
        assert.equal(await owner.getByLabel('Name for dev').inputValue(), 'dev');
        await owner.getByLabel('Import scratch').uncheck();
        await owner.getByLabel('Name for staging').fill('staging cluster');
        await assertLabelled(owner, 'kubeconfig preview');
        await shot(owner, 'kubeconfig-preview');

        await owner.getByRole('button', { name: 'Import selected' }).click();
        const outcomes = owner.locator('#import-outcomes li');
        await outcomes.first().waitFor({ timeout: SLOW });
        assert.deepEqual(await outcomes.evaluateAll((items) =>
          items.map((i) => `${i.dataset.context}:${i.dataset.outcome}`)),
        ['dev:imported', 'staging:imported', 'ops:imported', 'scratch:skipped']);
        assert.match(await outcomes.nth(1).textContent(), /staging → staging cluster/);
        assert.doesNotMatch(await outcomes.nth(3).textContent(), /object/);
        await shot(owner, 'kubeconfig-outcomes');
        // The file's secrets left the page with the import.
        const page = await html(owner);
        const keyBody = pki.clients.alice.keyPem.split('\n').slice(1, -2).join('\n');
        for (const [what, secret] of [['key', keyBody], ['key line', keyBody.split('\n')[3]],
          ['key data', b64(pki.clients.alice.keyPem)], ['token', KUBE_TOKEN]]) {
          assert.ok(!page.includes(secret), `the kubeconfig ${what} is still in the DOM`);
        }

        await owner.getByRole('link', { name: 'See the connections' }).click();
        await owner.locator('button[aria-label="Test dev"]').waitFor();
        const names = await owner.locator('tbody .conn-name').allTextContents();
        assert.deepEqual(names.sort(), ['dev', 'ops', 'staging cluster']);
        const panel = await testConnection(owner, 'dev', 'ok');
        assert.match(await panel.textContent(), /signature verified/);
        assert.match(await panel.textContent(), /as alice/);
        assert.equal(await stateOf(owner, 'dev'), 'Connected');
        const tokenPanel = await testConnection(owner, 'staging cluster', 'ok');
        assert.match(await tokenPanel.textContent(), /as deployer/);
        const seen = kube.requests.filter((r) => r.user === 'alice' || r.user === 'deployer');
        assert.ok(seen.some((r) => r.authMethod === 'client-certificate'),
          'the certificate was used');
        assert.ok(seen.some((r) => r.authMethod === 'bearer-token'), 'the token was used');
      });

    journeyTest('Prometheus: credential and connection tested connected, then unauthorized with ' +
      'remediation',
      { timeout: 120000 }, async () => {
        await section(owner, 'Credentials');
        await owner.getByRole('button', { name: 'New credential' }).click();
        const form = dialog(owner);
        await form.getByLabel('Kind').selectOption('prometheus');
        await form.locator('select[name="auth_method"]').selectOption('basic');
        await form.getByLabel('Name', { exact: true }).fill(CREDENTIAL);
        await form.getByRole('button', { name: 'Create', exact: true }).click();
        // Per-field messages from the core once the form was submitted incomplete.
        await form.locator('.field-message:not(:empty)').first().waitFor();
        assert.equal(await form.isVisible(), true, 'an incomplete credential is not created');
        await form.getByLabel(/^Username/).fill('reader');
        await form.getByLabel(/^Password/).fill(PROM_PASSWORD);
        await assertLabelled(owner, 'credential form');
        await shot(owner, 'credential-form');
        await form.getByRole('button', { name: 'Create', exact: true }).click();
        await dialogClosed(owner);
        await owner.locator('tr[data-credential-id]', { hasText: CREDENTIAL }).waitFor();
        assert.ok(!(await html(owner)).includes(PROM_PASSWORD),
          'the password is still in the DOM after the dialog closed');
        assert.match(await owner.locator('tr[data-credential-id]', { hasText: CREDENTIAL })
          .textContent(), /Prometheus · basic/);

        await newConnection(owner, { name: CONNECTION, endpoint: prom.url,
          credential: `${CREDENTIAL} (basic)` });
        assert.equal(await stateOf(owner, CONNECTION), 'Registered');
        const ok = await testConnection(owner, CONNECTION, 'ok');
        assert.match(await ok.textContent(), /\d+ ms/);
        assert.equal(await stateOf(owner, CONNECTION), 'Connected');
        assert.match(await owner.locator('.counts').textContent(), /3 connected/);
        await shot(owner, 'connections-tested');

        await prom.setUsers({ reader: PROM_WRONG });
        const failed = await testConnection(owner, CONNECTION, 'unauthorized');
        assert.equal(await stateOf(owner, CONNECTION), 'Disconnected');
        const remediations = failed.locator('.remediations button');
        assert.ok(await remediations.count() >= 1, 'no remediation button');
        const codes = await remediations.evaluateAll((buttons) =>
          buttons.map((b) => b.dataset.remediation));
        assert.ok(codes.includes('edit_credential'), `remediations: ${codes}`);
        assert.match(await failed.textContent(), /HTTP 401/);
        await shot(owner, 'test-failure-remediation');

        // The remediation opens the credential; the new password makes the test pass again.
        await failed.locator('button[data-remediation="edit_credential"]').click();
        await dialog(owner).getByLabel(/^Password/).fill(PROM_WRONG);
        await dialog(owner).getByRole('button', { name: 'Save' }).click();
        await dialogClosed(owner);
        assert.ok(!(await html(owner)).includes(PROM_WRONG), 'the new password is in the DOM');
        await testConnection(owner, CONNECTION, 'ok');
        assert.equal(await stateOf(owner, CONNECTION), 'Connected');
      });

    journeyTest('sharing: the credential is used in a second workspace', { timeout: 120000 },
    async () => {
      const stagingId = await createWorkspace(owner, 'Staging');
      await admitRunner(owner);
      await owner.goto(`${deployment.url}/#/w/${platformId}/credentials`);
      await owner.locator('tr[data-credential-id]', { hasText: CREDENTIAL })
        .getByRole('button', { name: 'Share' }).click();
      await dialog(owner).getByLabel('Workspace').selectOption({ label: 'Staging' });
      await dialog(owner).getByRole('button', { name: 'Share', exact: true }).click();
      await dialogClosed(owner);
      await owner.locator('tr[data-credential-id]', { hasText: 'shared with 1 more' }).waitFor();

      await owner.locator('#workspace-select').selectOption({ label: 'Staging (owner)' });
      await owner.waitForFunction((id) => location.hash === `#/w/${id}/connections`, stagingId);
      await section(owner, 'Credentials');
      await owner.locator('tr[data-credential-id]', { hasText: CREDENTIAL }).waitFor();
      await newConnection(owner, { name: 'prom staging', endpoint: prom.url,
        credential: `${CREDENTIAL} (basic)` });
      await testConnection(owner, 'prom staging', 'ok');
      assert.equal(await stateOf(owner, 'prom staging'), 'Connected');
    });

    journeyTest('members: an invited viewer sees the connections, cannot open a credential; ' +
      'removal rotates the keys', { timeout: 180000 }, async () => {
      const guest = await openUser();
      await authReady(guest);
      await signUp(guest, GUEST);
      await guest.getByLabel('I have stored the recovery code somewhere safe').check();
      await guest.getByRole('button', { name: 'Continue' }).click();
      await guest.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();

      await owner.goto(`${deployment.url}/#/w/${platformId}/members`);
      await owner.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
      await owner.getByLabel('Invite by email').fill(GUEST.email);
      await owner.getByLabel('Role', { exact: true }).selectOption('viewer');
      await owner.getByRole('button', { name: 'Invite' }).click();
      const guestRow = owner.locator('tr[data-account-id]', { hasText: GUEST.email });
      await guestRow.waitFor();
      assert.equal(await owner.locator('tr[data-account-id]').count(), 2);
      assert.match(await guestRow.locator('.fingerprint').textContent(),
        /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
      await assertLabelled(owner, 'members');

      // The guest, still signed in, finds the workspace (the list is fetched anew) and its
      // connections.
      assert.equal(await guest.getByRole('link', { name: 'Platform' }).count(), 0);
      await guest.locator('#workspace-select').selectOption({ label: 'All workspaces…' });
      await guest.getByRole('link', { name: 'Platform' }).click();
      await guest.locator('button[aria-label="Test prom local"]').waitFor();
      const names = await guest.locator('tbody .conn-name').allTextContents();
      assert.deepEqual(names.sort(), ['dev', 'ops', CONNECTION, 'staging cluster'].sort());
      assert.equal(await guest.getByRole('button', { name: 'New connection' }).count(), 0);
      await section(guest, 'Credentials');
      const credentialRow = guest.locator('tr[data-credential-id]', { hasText: CREDENTIAL });
      await credentialRow.waitFor();
      assert.equal(await guest.getByRole('button', { name: 'Edit' }).count(), 0,
          'a viewer may edit');
      assert.match(await credentialRow.textContent(), /read only/);
      // Opening one through the page's own client (in the worker): the server hands a viewer the
      // sealed record (names are theirs to see) but their key grant holds no secrets key, so the
      // core refuses to decrypt it.
      const credentialId = await credentialRow.getAttribute('data-credential-id');
      const fetched = guest.waitForResponse(
          (r) => r.url().endsWith(`/credentials/${credentialId}`));
      const refused = await guest.evaluate(async (id) => {
        const { app } = await import('/app.js');
        try {
          return { opened: await app.ws.openCredential(id) };
        } catch (error) {
          return { code: error.code, status: error.status, message: error.message };
        }
      }, credentialId);
      assert.equal((await fetched).status(), 200);
      assert.equal(refused.code, 'permission_denied', JSON.stringify(refused));
      assert.match(refused.message, /holds no workspace secrets key/);
      assert.ok(!JSON.stringify(refused).includes(PROM_PASSWORD));

      // As an operator the guest could open secrets: removing them then rotates the keys and
      // names the credentials to rotate at their source.
      await guestRow.getByLabel(`Role of ${GUEST.email}`).selectOption('operator');
      await owner.locator('tr[data-account-id]', { hasText: 'operator' }).waitFor();
      const generation = await owner.evaluate(async () =>
        (await import('/app.js')).app.ws.$get('generation'));
      await owner.locator('tr[data-account-id]', { hasText: GUEST.email })
        .getByRole('button', { name: 'Remove' }).click();
      await dialog(owner).getByRole('button', { name: 'Remove and rotate keys' }).click();
      await dialog(owner).getByRole('heading', { name: 'Member removed, keys rotated' })
        .waitFor({ timeout: SLOW });
      const body = await dialog(owner).textContent();
      assert.match(body, new RegExp(`generation ${generation + 1}\\b`));
      const rotate = await dialog(owner).locator('#rotate-list li').allTextContents();
      assert.ok(rotate.includes(CREDENTIAL), `credentials to rotate: ${rotate}`);
      assert.ok(rotate.length >= 3, `the kubeconfig credentials too: ${rotate}`);
      await shot(owner, 'members-rotation');
      await dialog(owner).getByRole('button', { name: 'Close' }).click();
      await dialogClosed(owner);
      await owner.locator('tr[data-account-id]', { hasText: GUEST.email })
        .waitFor({ state: 'detached' });
      assert.equal(await owner.locator('tr[data-account-id]').count(), 1);
      await shot(owner, 'members');

      // The removed guest is refused from then on.
      await guest.goto(`${deployment.url}/#/workspaces`);
      await guest.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();
      assert.equal(await guest.getByRole('link', { name: 'Platform' }).count(), 0);
    });

    journeyTest('session: log out and in again (data still there), lock and unlock',
      { timeout: 120000 }, async () => {
        await owner.locator('#account-menu').getByRole('button', { name: 'Log out' }).click();
        await owner.getByRole('heading', { name: 'Log in' }).waitFor();
        assert.equal(await owner.locator('#sections').isHidden(), true);
        assert.equal(await owner.getByLabel('Email').inputValue(), OWNER.email);
        assert.equal(await owner.evaluate(() => document.activeElement.name), 'password',
          'the password field has the focus');
        await logIn(owner, OWNER);
        await owner.goto(`${deployment.url}/#/w/${platformId}/connections`);
        await owner.locator('button[aria-label="Test prom local"]').waitFor();
        assert.equal(await owner.locator('tbody .conn-name').count(), 4);
        assert.equal(await stateOf(owner, CONNECTION), 'Connected');

        await owner.locator('#account-menu').getByRole('button', { name: 'Lock' }).click();
        await owner.getByRole('heading', { name: 'Unlock' }).waitFor();
        assert.match(await owner.locator('#view').textContent(), /ops-owner@example\.test/);
        assert.equal(await owner.locator('button[aria-label="Test prom local"]').count(), 0);
        // Nothing leads anywhere but back here while locked.
        assert.equal(await owner.locator('#sections').isHidden(), true);
        assert.equal(await owner.locator('#workspace-select').count(), 0);
        assert.deepEqual(await owner.locator('#account-menu button').allTextContents(),
            ['Log out']);
        assert.equal(await owner.evaluate(() => document.activeElement.name), 'password');
        await shot(owner, 'unlock');
        await owner.getByLabel('Password').fill(OWNER.password);
        await owner.getByRole('button', { name: 'Unlock' }).click();
        await owner.locator('button[aria-label="Test prom local"]').waitFor({ timeout: SLOW });
        await section(owner, 'Credentials');
        await owner.locator('tr[data-credential-id]', { hasText: CREDENTIAL }).waitFor();
      });

    journeyTest('audit log, keyboard, labels and a narrow screen', { timeout: 60000 }, async () => {
      await section(owner, 'Audit log');
      const events = owner.locator('tbody tr');
      await events.first().waitFor();
      const actions = await owner.locator('tbody code').allTextContents();
      assert.ok(actions.length >= 5, `audit: ${actions}`);
      assert.ok(!(await html(owner)).includes(PROM_PASSWORD));
      await shot(owner, 'audit');

      // Keyboard: the skip link comes first, the sections are reachable with Tab.
      await owner.goto(`${deployment.url}/#/w/${platformId}/connections`);
      await owner.locator('button[aria-label="Test prom local"]').waitFor();
      const firstFocusable = await owner.evaluate(() => document.querySelector(
        'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])').textContent);
      assert.equal(firstFocusable, 'Skip to content');
      await owner.locator('.skip-link').focus();
      assert.equal(await owner.locator('.skip-link').isVisible(), true, 'visible when focused');
      const reached = new Set();
      for (let i = 0; i < 40; i += 1) {
        await owner.keyboard.press('Tab');
        reached.add(await owner.evaluate(() => document.activeElement?.getAttribute('aria-label') ??
          document.activeElement?.textContent?.trim()));
      }
      for (const wanted of ['Workspace', 'Credentials', 'Import kubeconfig', 'New connection',
        'Search connections', 'Test prom local']) {
        assert.ok(reached.has(wanted), `${wanted} is not reachable by Tab: ${[...reached]}`);
      }
      // Enter on the focused Test button runs the test.
      await owner.locator('button[aria-label="Test prom local"]').focus();
      await owner.keyboard.press('Enter');
      await owner.locator(
          'tr:has(button[aria-label="Test prom local"]) + tr.result-row .test-result')
        .waitFor({ timeout: SLOW });
      await assertLabelled(owner, 'connections list');

      await owner.setViewportSize({ width: 390, height: 844 });
      await owner.locator('button[aria-label="Test prom local"]').waitFor();
      const overflow = await owner.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px on a narrow screen`);
      await shot(owner, 'narrow', { fullPage: false });
      await owner.setViewportSize({ width: 1100, height: 900 });
    });

    journeyTest('no console error, no CSP violation, no uncaught error on any page', async () => {
      for (const { page, events } of pages) {
        assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
        assert.deepEqual(events.console, [], 'console errors or warnings');
        assert.deepEqual(events.pageErrors, [], 'uncaught page errors');
        assert.deepEqual(events.failedRequests, [], 'failed requests');
      }
      for (const secret of [OWNER.password, GUEST.password, PROM_PASSWORD, PROM_WRONG, KUBE_TOKEN,
        recoveryCode]) {
        assert.ok(!deployment.rawLog().includes(secret), 'a secret reached a server log');
      }
    });

    if (finalChecks) {
      test('the deployment after the journey', async () => { await finalChecks(deployment); });
    }

  });
}
