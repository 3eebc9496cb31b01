// Made natively, opened in WASM; made in WASM, opened natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const native = [path.resolve('build/native/tests/cross_target')];
const wasm = ['/usr/bin/node', path.resolve('build/wasm/tests/cross_target.js')];
const dir = mkdtempSync(path.join(tmpdir(), 'credvault-cross-'));

function run([cmd, ...pre], ...args) {
  return execFileSync(cmd, [...pre, ...args], { encoding: 'utf8' });
}

test('native → WASM: envelope, grant, data key, sealed job and signed result', () => {
  const file = path.join(dir, 'native.json');
  assert.match(run(native, 'make', file), /made by native/);
  assert.match(run(wasm, 'check', file), /made by native, checked by wasm32: .* ok/);
});

test('WASM → native: envelope, grant, data key, sealed job and signed result', () => {
  const file = path.join(dir, 'wasm.json');
  assert.match(run(wasm, 'make', file), /made by wasm32/);
  assert.match(run(native, 'check', file), /made by wasm32, checked by native: .* ok/);
});
