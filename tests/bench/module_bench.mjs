// Our ES module through its JavaScript API: what a page pays per call, and instantiation.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const moduleDir = process.env.CREDVAULT_MODULE_DIR ?? path.resolve('build/wasm/wasm');
const report = (name, value, unit) =>
  console.log(JSON.stringify({ target: 'wasm32 (JS API)', name, value, unit }));

let t = performance.now();
const { default: createCredvault } = await import(pathToFileURL(path.join(moduleDir, 'credvault.mjs')).href);
const cv = await createCredvault();
report('instantiate_module_node', performance.now() - t, 'ms');

const key = cv.newDataKey();
const ctx = { purpose: 'credential', workspace_id: 'workspace-id-0000000000',
  object_id: 'credential-id-000000000', object_version: 3 };
const sealed = [];
for (let i = 0; i < 10000; i++) sealed.push(cv.seal(key, ctx, '{"token":"ghp_0123456789abcdef0123456789"}'));
t = performance.now();
for (const e of sealed) cv.open(key, ctx, e);
report('open_10000_envelopes', performance.now() - t, 'ms');
report('open_10000_envelopes_in_wasm_loop', cv.benchOpenEnvelopes(10000), 'ms');
