// The package as a user gets it: `npm pack` of the module folder (CREDVAULT_MODULE_DIR,
// default build/wasm/wasm), installed into a fresh folder, and the README's example run
// there as written with `node`, against the real server, a real Prometheus and the built-in
// runner. Run: NODE_PATH=/usr/share/nodejs node --test tests/web/js_readme.test.mjs
// defineReadmeTests runs the same against another deployment (hosted_journey.test.mjs: two
// servers behind nginx).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { MODULE_DIR } from './api_client.mjs';
import { REPO_ROOT, makeTempDir, startServer, stopServer } from './harness.mjs';

const run = promisify(execFile);
const PROM_PASSWORD = 'readme-prom-canary-3e8b';
const EXAMPLE_HEADING = '## Example: from a new account to a tested connection';
// What the package must hold for `import 'credvault'` and `import 'credvault/client'`.
const REQUIRED_FILES = ['package.json', 'README.md', 'credvault.mjs', 'credvault.d.ts',
  'credvault_core.mjs', 'credvault_core.wasm', 'credvault_kubeconfig.mjs',
  'credvault_kubeconfig.wasm', 'client.mjs', 'client.d.ts', 'client/http.mjs', 'client/keys.mjs',
  'client/workspace.mjs', 'client/rotation.mjs', 'client/testing.mjs', 'client/kubeconfig.mjs'];

// The first ```js block after the example's heading.
function exampleCode(readme) {
  const start = readme.indexOf(EXAMPLE_HEADING);
  assert.ok(start >= 0, 'the README has no example heading');
  const match = /```js\n([\s\S]*?)\n```/.exec(readme.slice(start));
  assert.ok(match, 'no js code block under the example heading');
  return match[1];
}

// Defines the package's tests in a describe() block. startApp() resolves {url, rawLog(),
// stop()}: a deployment whose servers run a built-in runner. afterExample(deployment) may
// assert more once the example ran.
export function defineReadmeTests({ title, startApp, afterExample }) {
  describe(title, () => {
    let server;
    let prom;
    let work;      // a fresh project folder with the package installed
    let packed;    // npm pack --json's description of the tarball

    before(async () => {
      [server, prom] = await Promise.all([startApp(),
        startPrometheus({ users: { reader: PROM_PASSWORD } })]);
      work = makeTempDir('credvault-readme-');
      const env = { ...process.env, npm_config_update_notifier: 'false',
        npm_config_cache: path.join(work, '.npm') };
      const { stdout } = await run('npm',
        ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
        { cwd: MODULE_DIR, env });
      [packed] = JSON.parse(stdout);
      const installed = path.join(work, 'node_modules');
      fs.mkdirSync(installed);
      await run('tar', ['-xzf', path.join(work, packed.filename), '-C', installed]);
      fs.renameSync(path.join(installed, 'package'), path.join(installed, 'credvault'));
    });

    after(async () => {
      await Promise.all([server?.stop(), prom && prom.close()]);
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    test('npm pack holds the module, the .wasm, the client and the declarations', () => {
      const files = packed.files.map((f) => f.path).sort();
      for (const file of REQUIRED_FILES) assert.ok(files.includes(file), `${file} not packed`);
      assert.deepEqual(files.filter((f) => !REQUIRED_FILES.includes(f)), [],
        'nothing else is packed');
      assert.equal(packed.name, 'credvault');
      assert.ok(packed.size > 0 && packed.size < 1024 * 1024, `tarball of ${packed.size} bytes`);
    });

    test('the installed package resolves both entry points', async () => {
      const script = path.join(work, 'entry.mjs');
      fs.writeFileSync(script, "import createCredvault from 'credvault';\n" +
        "import { createClient, CredvaultError } from 'credvault/client';\n" +
        'const cv = await createCredvault();\n' +
        'const client = await createClient({ baseUrl: "http://127.0.0.1:1", credvault: cv });\n' +
        'console.log(JSON.stringify([typeof cv.newId(), client.cv === cv, client.unlocked,\n' +
        '  new CredvaultError("x", "y") instanceof Error]));\n');
      const { stdout } = await run('node', [script], { cwd: work });
      assert.deepEqual(JSON.parse(stdout), ['string', true, false, true]);
    });

    test('the README example runs as written', async () => {
      const readme = fs.readFileSync(path.join(work, 'node_modules/credvault/README.md'), 'utf8');
      const script = path.join(work, 'example.mjs');
      fs.writeFileSync(script, exampleCode(readme));
      const { stdout, stderr } = await run('node', [script], {
        cwd: work,
        timeout: 120000,
        env: {
          ...process.env,
          CREDVAULT_URL: server.url,
          PROMETHEUS_URL: prom.url,
          PROMETHEUS_USER: 'reader',
          PROMETHEUS_PASSWORD: PROM_PASSWORD,
          KUBECONFIG_FILE: path.join(REPO_ROOT, 'tests/data/kubeconfig/multi.yaml'),
        },
      });
      assert.equal(stderr, '');
      const lines = stdout.trim().split('\n');
      assert.deepEqual(lines.filter((l) => l.startsWith('unlock: ')),
        ['unlock: deriving', 'unlock: signing_in', 'unlock: unlocking']);
      assert.ok(lines.includes(
        'credential "Prometheus reader", connection "Prometheus" (registered)'), stdout);
      assert.ok(lines.some((l) => /^import: dev -> imported$/.test(l)), stdout);
      assert.ok(lines.filter((l) => / -> imported$/.test(l) && l.startsWith('import: '))
        .length >= 3, stdout);
      assert.ok(lines.some((l) => /^test: ok, connected, \d+ ms, Prometheus \d+\.\d+/.test(l)),
        stdout);
      // The secrets went to the runner sealed, and nowhere else.
      assert.equal(stdout.includes(PROM_PASSWORD), false);
      assert.equal(server.rawLog().includes(PROM_PASSWORD), false);
      if (afterExample) await afterExample(server);
    });
  });
}

// Run as a test file (not imported): against one server.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  defineReadmeTests({
    title: 'the npm package and its README example',
    async startApp() {
      const server = await startServer();
      return { url: server.url, rawLog: () => server.rawLog, stop: () => stopServer(server) };
    },
  });
}
