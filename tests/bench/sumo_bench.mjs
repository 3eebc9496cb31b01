// The same measurements with libsodium-wrappers-sumo, the library a JavaScript developer
// would pick, through its JavaScript API.
import sodiumModule from 'libsodium-wrappers-sumo';

await sodiumModule.ready;
const s = sodiumModule;
const report = (name, value, unit) =>
  console.log(JSON.stringify({ target: 'libsodium-wrappers-sumo', name, value, unit }));
const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];

const salt = new Uint8Array(16);
const times = [];
for (let i = 0; i < 6; i++) {
  const t = performance.now();
  s.crypto_pwhash(32, 'password', salt, 2, 64 * 1024 * 1024, s.crypto_pwhash_ALG_ARGON2ID13);
  if (i > 0) times.push(performance.now() - t);
}
report('argon2id_64mib_ops2', median(times), 'ms');

function aead(size, encName, decName) {
  const key = new Uint8Array(32).fill(7);
  const msg = new Uint8Array(size).fill(0x5a);
  const budget = 64 * 1024 * 1024;
  const iters = Math.max(1, Math.floor(budget / size));
  let nonce, ct;
  let t = performance.now();
  for (let i = 0; i < iters; i++) {
    nonce = s.randombytes_buf(24);
    ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(msg, null, null, nonce, key);
  }
  const enc = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < iters; i++) s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, null, nonce, key);
  const dec = performance.now() - t;
  report(encName, budget / 1048576 / (enc / 1000), 'MiB/s');
  report(decName, budget / 1048576 / (dec / 1000), 'MiB/s');
}
aead(1024, 'xchacha_1kib_encrypt', 'xchacha_1kib_decrypt');
aead(1 << 20, 'xchacha_1mib_encrypt', 'xchacha_1mib_decrypt');
