// The web app's whole journey (journey_steps.mjs) through nginx in front of two servers on
// one PostgreSQL (hosted_support.mjs), and the JS client's README example the same way.
//
// The browser only ever talks to nginx, which balances every request round robin: the
// session cookie (HttpOnly; Secure; SameSite=Strict — Chromium keeps a Secure cookie from
// http://127.0.0.1, a potentially trustworthy origin, so plain HTTP works here as it does for
// one server), the X-CSRF-Token header and the Bearer token pass through unchanged, and a
// session made on one server is honoured by the other. There is no built-in runner: one
// standalone credvault-runner dials in through nginx's WebSocket location and lands on one
// of the two servers; the workspaces admit it from the Runners page, pasting the keys it
// printed and comparing fingerprints, and every test posted to the other server reaches it
// through the PostgreSQL relay. At the end: both servers served API requests, and the one
// without the runner's link answered tests with 200.
//
//   NODE_PATH=/usr/share/nodejs node --test tests/web/hosted_journey.test.mjs
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_RUNNER_BIN, CREDVAULT_MODULE_DIR.
// Screenshots go to build/artifacts/hosted-journey-*.png.
import assert from 'node:assert/strict';

import { call } from './api_client.mjs';
import {
  apiRequests, runnerKeys, sleep, startHosted, startRunner, stopHosted,
} from './hosted_support.mjs';
import { defineJourney } from './journey_steps.mjs';
import { defineReadmeTests } from './js_readme.test.mjs';

const WAIT_MS = 15000;

async function waitFor(what, predicate) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const connectedTo = (server) =>
  server.logs.filter((e) => e.event === 'runner_connected').length -
  server.logs.filter((e) => e.event === 'runner_disconnected').length > 0;

// Two servers behind nginx with one standalone runner dialling nginx. Resolves what the
// journey needs ({url, rawLog, stop}) plus the pair, the runner's keys and which server
// holds its link.
async function startHostedWithRunner({ webRoot, moduleDir } = {}) {
  const hosted = await startHosted({ webRoot, moduleDir });
  const keys = runnerKeys();
  const runner = startRunner(keys, hosted.nginx.url);
  try {
    await waitFor('the runner connected through nginx',
      () => connectedTo(hosted.a) || connectedTo(hosted.b));
  } catch (error) {
    runner.kill('SIGKILL');
    await stopHosted(hosted);
    throw error;
  }
  const holder = connectedTo(hosted.a) ? hosted.a : hosted.b;
  return {
    ...hosted,
    keys,
    holder,
    other: holder === hosted.a ? hosted.b : hosted.a,
    url: hosted.nginx.url,
    rawLog: () => hosted.a.rawLog + hosted.b.rawLog,
    async stop() {
      if (runner.exitCode === null) runner.kill('SIGTERM');
      await stopHosted(hosted);
    },
  };
}

// The standalone runner admitted as an admin does it: on the Runners page, the line
// `credvault-runner --print-keys` printed is pasted into the form (first a garbled line and
// one whose fingerprint was altered, both refused with a message), the confirmation shows
// the fingerprint the core computed, which must be the one the runner printed. Then, asking
// each server directly with the page's session cookie, wait until both list it connected
// (the one without its link learns from the presence table within a heartbeat or two), and
// show the Runners page anew.
async function admitStandaloneRunner(page, { section }, { keys, a, b }) {
  const printed = { id: keys.id, box_public_key: keys.box_public_key,
    sign_public_key: keys.sign_public_key, fingerprint: keys.fingerprint };
  const form = page.locator('#admit-runner');
  const keysBox = form.getByLabel('Keys printed by credvault-runner --print-keys');
  // The form answers after a round trip to the core's worker: wait for the text.
  const shows = (selector, text) => page.locator(selector, { hasText: text }).waitFor();
  await form.getByLabel('Name').fill('edge runner');
  await keysBox.fill('{"id": "truncated');
  await form.getByRole('button', { name: 'Admit runner' }).click();
  await shows('#admit-runner .field-message', /Paste the whole line/);
  await keysBox.fill(JSON.stringify({ ...printed, fingerprint: 'AAAA-BBBB-CCCC-DDDD' }));
  await form.getByRole('button', { name: 'Admit runner' }).click();
  await shows('#admit-runner .field-message', /does not match its signing key/);
  await keysBox.fill(JSON.stringify(printed));
  await shows('#admit-fingerprint', `Fingerprint of this signing key: ${keys.fingerprint}`);
  await form.getByRole('button', { name: 'Admit runner' }).click();
  await shows('#admit-confirm-fingerprint', keys.fingerprint);
  await page.getByRole('button', { name: 'Fingerprints match: admit' }).click();
  await page.locator('tr[data-runner-id]', { hasText: 'edge runner' }).waitFor();
  const workspaceId = await page.evaluate(() => location.hash.split('/')[2]);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'cv_session');
  assert.ok(cookie, 'the session cookie is stored');
  assert.equal(cookie.secure, true);
  assert.equal(cookie.httpOnly, true);
  for (const server of [a, b]) {
    await waitFor(`server ${server.port} to list the runner connected`, async () => {
      const list = await call(server, 'GET', `/api/v1/workspaces/${workspaceId}/runners`,
        { auth: { token: cookie.value } });
      assert.equal(list.status, 200, list.text);
      return list.json.items.some((r) => r.id === keys.id && r.connected);
    });
  }
  await section(page, 'Connections');
  await section(page, 'Runners');
  await page.locator('tr[data-runner-id]', { hasText: 'edge runner' }).waitFor();
}

let deployment;
defineJourney({
  title: 'web app journey through nginx, two servers on PostgreSQL, a standalone runner',
  shotPrefix: 'hosted-journey',
  async startApp(paths) {
    deployment = await startHostedWithRunner(paths);
    return deployment;
  },
  admitRunner: (page, helpers) => admitStandaloneRunner(page, helpers, deployment),
  async finalChecks({ a, b, holder, other }) {
    const served = [apiRequests(a), apiRequests(b)];
    assert.ok(served.every((n) => n > 20), `API requests served by A and B: ${served}`);
    // Tests the browser posted that landed on the server without the runner went through
    // the relay, and were answered.
    const relayed = other.logs.filter((e) => e.event === 'request' && e.method === 'POST' &&
      /\/connections\/[^/]+\/tests$/.test(e.path) && e.status === 200);
    assert.ok(relayed.length >= 1, 'no test was relayed from the server without the runner');
    const local = holder.logs.filter((e) => e.event === 'request' && e.method === 'POST' &&
      /\/connections\/[^/]+\/tests$/.test(e.path) && e.status === 200);
    console.log(`hosted journey: API requests A ${served[0]}, B ${served[1]}; tests answered ` +
      `through the relay ${relayed.length}, on the runner's own server ${local.length}`);
  },
});

// The JS client's README example as written, through nginx. It tests on the server's
// built-in runner (client.builtinRunner, admitBuiltinRunner), so here both servers run one
// (each its own key): the example admits whichever answered, and a test landing on the other
// server reaches it through the relay like any runner's.
defineReadmeTests({
  title: 'the JS client README example through nginx',
  async startApp() {
    const hosted = await startHosted({ serverArgs: ['--builtin-runner', 'on'] });
    const before = [apiRequests(hosted.a), apiRequests(hosted.b)];
    return { ...hosted, before, url: hosted.nginx.url,
      rawLog: () => hosted.a.rawLog + hosted.b.rawLog, stop: () => stopHosted(hosted) };
  },
  async afterExample({ a, b, before }) {
    const served = [apiRequests(a) - before[0], apiRequests(b) - before[1]];
    assert.ok(served.every((n) => n > 0), `API requests served by A and B: ${served}`);
  },
});
