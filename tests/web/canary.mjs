// The zero-knowledge canary scan shared by the tests that look for leaked secrets in a
// database, its WAL, a dump or a log: every form a value could take there, and where each
// one turned up.
import fs from 'node:fs';
import path from 'node:path';

// Raw, hex (both cases) and base64/base64url at each of the three alignments a value could
// start at inside a longer text (PostgreSQL dumps bytea as hex; envelopes are base64url).
export function encodingsOf(value) {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const forms = new Map([['raw', bytes], ['hex', Buffer.from(bytes.toString('hex'))],
    ['HEX', Buffer.from(bytes.toString('hex').toUpperCase())]]);
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const firstGroup = shift === 0 ? 0 : 1;
    const lastGroup = Math.floor(padded.length / 3);
    if (lastGroup <= firstGroup) continue;
    const b64 = padded.toString('base64').slice(4 * firstGroup, 4 * lastGroup);
    forms.set(`base64+${shift}`, Buffer.from(b64));
    forms.set(`base64url+${shift}`, Buffer.from(b64.replaceAll('+', '-').replaceAll('/', '_')));
  }
  return forms;
}

// `haystacks`: [[where, Buffer]]; `secrets`: {name: value}. Returns "name (form) in where"
// for every hit: [] when nothing leaked.
export function scanForSecrets(haystacks, secrets) {
  const hits = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const [form, needle] of encodingsOf(value)) {
      for (const [where, data] of haystacks) {
        if (data.includes(needle)) hits.push(`${name} (${form}) in ${where}`);
      }
    }
  }
  return hits;
}

// Every regular file below `dir` as [path relative to dir, contents].
export function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...filesUnder(full).map(([name, data]) => [path.join(entry.name, name), data]));
    } else if (entry.isFile()) {
      out.push([entry.name, fs.readFileSync(full)]);
    }
  }
  return out;
}
