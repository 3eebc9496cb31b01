// Writes tests/data/kdf/vectors.json: login-key vectors made from DESIGN §3 alone with
// libsodium-wrappers-sumo: master = Argon2id13(password, salt, ops, mem), auth key =
// crypto_kdf_derive_from_key(32, 1, "credauth", master). The core (native, and WASM with
// its SIMD Argon2) must derive the same auth keys.
//   node tests/tools/make_kdf_vectors.mjs > tests/data/kdf/vectors.json
import sodiumModule from 'libsodium-wrappers-sumo';

await sodiumModule.ready;
const s = sodiumModule;
const cases = [
  { password: 'correct horse battery staple', ops: 2, mem: 64 * 1024 * 1024 },
  { password: 'pässwörd ✓', ops: 3, mem: 64 * 1024 * 1024 },
];
const vectors = cases.map((c, i) => {
  const salt = Uint8Array.from({ length: 16 }, (_, j) => (j * 7 + i) & 0xff);
  const master = s.crypto_pwhash(32, c.password, salt, c.ops, c.mem, s.crypto_pwhash_ALG_ARGON2ID13);
  const auth = s.crypto_kdf_derive_from_key(32, 1, 'credauth', master);
  return { password: c.password, salt_b64url: s.to_base64(salt, s.base64_variants.URLSAFE_NO_PADDING),
    ops_limit: c.ops, mem_limit_bytes: c.mem, auth_key_hex: s.to_hex(auth) };
});
process.stdout.write(JSON.stringify({ source: 'libsodium-wrappers-sumo ' + s.sodium_version_string(), vectors }, null, 2) + '\n');
