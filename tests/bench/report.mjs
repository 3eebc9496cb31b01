// Reads benchmark JSON lines on stdin and prints one table: a row per measurement, a
// column per target, with the targets the issues set.
import { createInterface } from 'node:readline';

const targets = {
  argon2id_64mib_ops2: 'wasm ≤ sumo and ≤ 1.5× native',
  open_10000_envelopes: '≤ 50 ms in WASM',
  index_100k_search_page: '≤ 20 ms in WASM',
  index_100k_full_sort: '≤ 20 ms in WASM',
  index_100k_filter_sort_page: '≤ 20 ms in WASM',
};
const rows = new Map();
const cols = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith('{')) continue;
  const r = JSON.parse(line);
  if (!cols.includes(r.target)) cols.push(r.target);
  if (!rows.has(r.name)) rows.set(r.name, { unit: r.unit, values: {} });
  rows.get(r.name).values[r.target] = r.value;
}
const pad = (s, n) => String(s).padEnd(n);
const w = 24;
console.log(pad('measurement', 36) + pad('unit', 7) + cols.map((c) => pad(c, w)).join('') + 'target');
for (const [name, { unit, values }] of rows) {
  console.log(pad(name, 36) + pad(unit, 7) +
    cols.map((c) => pad(values[c] === undefined ? '-' : values[c].toFixed(1), w)).join('') +
    (targets[name] ?? ''));
}
const a = rows.get('argon2id_64mib_ops2')?.values;
if (a) {
  console.log(`argon2id: wasm/native = ${(a.wasm32 / a.native).toFixed(2)}×, ` +
    `wasm/sumo = ${(a.wasm32 / a['libsodium-wrappers-sumo']).toFixed(2)}×`);
}
