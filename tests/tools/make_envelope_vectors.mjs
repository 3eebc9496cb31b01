// Writes tests/data/envelope/vectors.json: envelope known-answer vectors made from DESIGN §4
// alone with libsodium-wrappers-sumo (an independent libsodium build), with fixed keys and
// nonces. The core must open every vector, natively and in WASM.
//   node tests/tools/make_envelope_vectors.mjs > tests/data/envelope/vectors.json
import sodiumModule from 'libsodium-wrappers-sumo';

await sodiumModule.ready;
const s = sodiumModule;

function field(bytes) {
  const out = new Uint8Array(2 + bytes.length);
  out[0] = bytes.length & 0xff;
  out[1] = bytes.length >> 8;
  out.set(bytes, 2);
  return out;
}
const utf8 = (t) => new TextEncoder().encode(t);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

function envelope({ key, generation, nonce, context, plaintext }) {
  const header = new Uint8Array([1, 1, generation & 0xff, (generation >> 8) & 0xff,
    (generation >> 16) & 0xff, (generation >>> 24) & 0xff]);
  const ad = concat(header, field(utf8('credvault/v1')), field(utf8(context.purpose)),
    field(utf8(context.workspace_id)), field(utf8(context.object_id)),
    field(utf8(String(context.object_version))), field(utf8(String(generation))));
  const padded = s.pad(utf8(plaintext), 64);
  const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, ad, null, nonce, key);
  return concat(header, nonce, ct);
}

const hex = (b) => s.to_hex(b);
const seq = (n, start) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
const cases = [
  { plaintext: '', generation: 1, context: { purpose: 'credential', workspace_id: '', object_id: 'c1', object_version: 1 } },
  { plaintext: '{"token":"abc"}', generation: 7, context: { purpose: 'connection', workspace_id: 'ws-9', object_id: 'conn-1', object_version: 42 } },
  { plaintext: 'x'.repeat(64), generation: 4294967295, context: { purpose: 'credential-key', workspace_id: 'w', object_id: 'k', object_version: 18446744073709551615n } },
  { plaintext: 'ünïcødé ✓ '.repeat(40), generation: 2, context: { purpose: 'workspace-key', workspace_id: 'Zm9v', object_id: 'YmFy', object_version: 0 } },
];
const vectors = cases.map((c, i) => {
  const key = seq(32, 16 * i);
  const nonce = seq(24, 100 + i);
  const env = envelope({ ...c, key, nonce });
  return {
    key_hex: hex(key), generation: c.generation,
    context: { ...c.context, object_version: c.context.object_version.toString() },
    plaintext: c.plaintext, envelope_b64url: s.to_base64(env, s.base64_variants.URLSAFE_NO_PADDING),
  };
});
process.stdout.write(JSON.stringify({ source: 'libsodium-wrappers-sumo ' + s.sodium_version_string(), vectors }, null, 2) + '\n');
