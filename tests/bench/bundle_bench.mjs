// make bench, bundle part: the ES module's instantiation in headless Chromium (Debian's, driven
// by playwright-core), served by the real credvault-server at /module/. A tiny page measures
// performance.now() around `import()` + `await createCredvault()` (fetch, streaming compile,
// instantiate, init). Cold: a fresh browser context each run (empty HTTP cache). Warm: the same
// context reloaded (HTTP cache, revalidated; Chromium's compiled-code cache may apply).
// Medians over BENCH_BUNDLE_RUNS (10) runs, against the 50 ms target.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { REPO_ROOT, makeTempDir, startServer, stopServer } from '../web/harness.mjs';

const MODULE_DIR = path.resolve(process.env.CREDVAULT_MODULE_DIR ??
  path.join(REPO_ROOT, 'build', 'wasm', 'wasm'));
const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 10);
const TARGET_MS = 50;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The server's CSP forbids inline script, so the measuring code is a file of its own.
const webRoot = makeTempDir('credvault-bundle-web-');
fs.writeFileSync(path.join(webRoot, 'index.html'),
  '<!doctype html><meta charset="utf-8"><title>bundle bench</title>' +
  '<link rel="icon" href="data:,">' +
  '<script type="module" src="/bench.mjs"></script><pre id="out"></pre>\n');
fs.writeFileSync(path.join(webRoot, 'bench.mjs'), `
const out = document.getElementById('out');
try {
  const t0 = performance.now();
  const { default: createCredvault } = await import('/module/credvault.mjs');
  const imported = performance.now() - t0;
  const cv = await createCredvault();
  const ms = performance.now() - t0;
  if (typeof cv.newDataKey !== 'function') throw new Error('module without its API');
  // Where the time went: each file's fetch (start and end, from t0) and the import itself.
  const phases = { imported };
  for (const e of performance.getEntriesByType('resource')) {
    const name = e.name.split('/').pop();
    if (e.startTime >= t0) phases[name] = [e.startTime - t0, e.responseEnd - t0];
  }
  out.textContent = 'DONE ' + ms + ' ' + JSON.stringify(phases);
} catch (e) {
  out.textContent = 'ERROR ' + e;
}
// The harness reads the outcome from the console: waiting on the page with Playwright's
// waitForFunction would inject its ~20 ms utility script into the page while the import runs.
console.log(out.textContent);
`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(page, load) {
  const outcome = page.waitForEvent('console', { timeout: 30000,
    predicate: (m) => /^(DONE|ERROR) /.test(m.text()) });
  await load();
  const text = (await outcome).text();
  assert.ok(text.startsWith('DONE'), text);
  const [ms, phases] = text.slice(5).split(/ (.*)/s);
  return { ms: Number(ms), phases: JSON.parse(phases) };
}

const dataRoot = makeTempDir('credvault-bundle-data-');
const server = await startServer({ webRoot, moduleDir: MODULE_DIR, dataDir: path.join(dataRoot, 'data') });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: CHROMIUM_ARGS });
try {
  // The content type decides whether WebAssembly.instantiateStreaming can be used.
  const wasmType = (await fetch(`${server.url}/module/credvault_core.wasm`))
    .headers.get('content-type');
  const etag = (await fetch(`${server.url}/module/credvault_core.wasm`)).headers.get('etag');
  const cold = [];
  const warm = [];
  const warmStatus = [];
  const consoleErrors = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    cold.push(await measure(page, () => page.goto(`${server.url}/index.html`)));
    warm.push(await measure(page, () => page.reload()));
    // The .wasm's fetch completes in the browser's cache on a warm load: 304 or disk.
    warmStatus.push((await fetch(`${server.url}/module/credvault_core.wasm`, { headers:
      { 'If-None-Match': etag } })).status);
    await context.close();
  }
  const verdict = (ms) => (ms <= TARGET_MS ? 'ok' : 'OVER');
  // Median phase times of a list of runs: each file's fetch window and the import.
  const phases = (runs) => {
    const names = Object.keys(runs[0].phases);
    return names.map((n) => {
      const v = runs.map((r) => r.phases[n]);
      return Array.isArray(v[0])
        ? `${n} ${median(v.map((x) => x[0])).toFixed(1)}-${median(v.map((x) => x[1])).toFixed(1)}`
        : `${n} ${median(v).toFixed(1)}`;
    }).join(', ');
  };
  const report = (what, runs) => {
    const ms = runs.map((r) => r.ms);
    console.log(`  ${what}: ${median(ms).toFixed(1)} ms (min ${Math.min(...ms).toFixed(1)}, ` +
      `max ${Math.max(...ms).toFixed(1)}): ${verdict(median(ms))}`);
    console.log(`    median ms from import(): ${phases(runs)}`);
  };
  console.log(`instantiation in headless Chromium, median of ${RUNS} (target: <= ${TARGET_MS} ms)`);
  console.log(`  .wasm served as: ${wasmType}` +
    (wasmType === 'application/wasm' ? ' (streaming compilation)' : ' (NO streaming compilation)'));
  report('cold (fresh context)', cold);
  report('warm (reload, cache)', warm);
  console.log(`  revalidating the .wasm with its ETag answers ${[...new Set(warmStatus)].join(', ')}`);
  if (consoleErrors.length) console.log(`  console errors: ${consoleErrors.join(' | ')}`);
} finally {
  await browser.close();
  await stopServer(server);
  fs.rmSync(webRoot, { recursive: true, force: true });
  fs.rmSync(dataRoot, { recursive: true, force: true });
}
