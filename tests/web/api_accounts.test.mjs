// Accounts and sessions against the real server, with records made by the WASM module:
// register, prelogin (real and fake parameters), login, cookie + CSRF and Bearer sessions,
// logout, expiry, rate limits, password change, recovery, lookup, and bad input that
// writes nothing. Run: node --test tests/web/api_accounts.test.mjs
// (CREDVAULT_SERVER_BIN and CREDVAULT_MODULE_DIR choose the builds; see harness.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer, stopServer } from './harness.mjs';
import {
  call, errorOf, loadCredvault, login, newUser, uniqueEmail,
} from './api_client.mjs';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A registration body for a new account, and the parts a test may break.
async function registration(email = uniqueEmail('reg')) {
  const cv = await loadCredvault();
  const made = cv.createAccount(email, 'pw for registration', cv.kdfMinimum());
  cv.release(made.account);
  return {
    email,
    body: { record: made.record, auth_key: made.auth_key, recovery_auth_key: made.recovery_auth_key },
  };
}

describe('accounts API', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await stopServer(server);
  });

  test('register stores the record and answers 201; the same email again is 409', async () => {
    const { email, body } = await registration();
    const created = await call(server, 'POST', '/api/v1/accounts', { body });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json.account, body.record);
    const again = await call(server, 'POST', '/api/v1/accounts', {
      body: { ...body, record: { ...body.record, account_id: (await loadCredvault()).newId() } },
    });
    assert.equal(again.status, 409);
    assert.equal(errorOf(again).code, 'conflict');
    const upper = await registration(email.toUpperCase());
    assert.equal((await call(server, 'POST', '/api/v1/accounts', { body: upper.body })).status, 409);
  });

  test('bad registrations answer 4xx with an error body and create nothing', async () => {
    const { email, body } = await registration();
    const record = body.record;
    const cases = [
      ['malformed JSON', { raw: '{"record":' }, 400, 'parse_error'],
      ['not an object', { raw: '[1]' }, 400, 'validation'],
      ['wrong content type', { raw: JSON.stringify(body), contentType: 'text/plain' }, 400,
        'invalid_argument'],
      ['missing field', { body: { record, auth_key: body.auth_key } }, 400, 'validation'],
      ['unknown field', { body: { ...body, admin: true } }, 400, 'validation'],
      ['unknown record field', { body: { ...body, record: { ...record, extra: 1 } } }, 400,
        'validation'],
      ['auth_key a number', { body: { ...body, auth_key: 42 } }, 400, 'validation'],
      ['auth_key too short', { body: { ...body, auth_key: 'AAAA' } }, 400, 'validation'],
      ['same proof twice', { body: { ...body, recovery_auth_key: body.auth_key } }, 400,
        'validation'],
      ['bad account id', { body: { ...body, record: { ...record, account_id: '../x' } } }, 400,
        'validation'],
      ['bad email', { body: { ...body, record: { ...record, email: 'not an email' } } }, 400,
        'validation'],
      ['weak KDF', { body: { ...body, record: { ...record, kdf: { ops_limit: 1, mem_limit_bytes: 1024 } } } },
        400, 'kdf_too_weak'],
      ['salt of the wrong size', { body: { ...body, record: { ...record, salt: 'AAAA' } } }, 400,
        'validation'],
      ['wrapped keys not an envelope',
        { body: { ...body, record: { ...record, wrapped_private_keys: 'AAAAAAAA' } } }, 400,
        'validation'],
      ['oversized body', { body: { ...body, padding: 'x'.repeat(40000) } }, 400,
        'invalid_argument'],
    ];
    for (const [name, request, status, code] of cases) {
      const response = await call(server, 'POST', '/api/v1/accounts', request);
      assert.equal(response.status, status, `${name}: ${response.text}`);
      assert.equal(errorOf(response).code, code, name);
    }
    const huge = await call(server, 'POST', '/api/v1/accounts', { raw: 'x'.repeat(2 << 20) });
    assert.equal(huge.status, 413);
    // Nothing was half-written: the same account registers cleanly now.
    const created = await call(server, 'POST', '/api/v1/accounts', { body });
    assert.equal(created.status, 201, created.text);
    const session = await login(server, email, body.auth_key);
    assert.match(session.token, TOKEN);
  });

  test('prelogin gives the real parameters, and stable fake ones for unknown emails', async () => {
    const user = await newUser(server);
    const real = await call(server, 'POST', '/api/v1/auth/prelogin',
      { body: { email: user.email.toUpperCase() } });
    assert.equal(real.status, 200);
    assert.deepEqual(real.json, { kdf: user.record.kdf, salt: user.record.salt });

    const ghost = uniqueEmail('ghost');
    const first = await call(server, 'POST', '/api/v1/auth/prelogin', { body: { email: ghost } });
    const second = await call(server, 'POST', '/api/v1/auth/prelogin', { body: { email: ghost } });
    const other = await call(server, 'POST', '/api/v1/auth/prelogin',
      { body: { email: uniqueEmail('ghost') } });
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.json).sort(), ['kdf', 'salt']);
    assert.deepEqual(first.json, second.json);
    assert.notEqual(first.json.salt, other.json.salt);
    assert.match(first.json.salt, /^[A-Za-z0-9_-]{22}$/);  // 16 bytes, like a real salt
    const cv = await loadCredvault();
    assert.deepEqual(first.json.kdf, cv.kdfDefaults());

    for (const body of [{}, { email: 7 }, { email: 'x' }, { email: ghost, extra: 1 }]) {
      const bad = await call(server, 'POST', '/api/v1/auth/prelogin', { body });
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(errorOf(bad).code, 'validation');
    }
  });

  test('login: token, CSRF token, expiry, the record and a strict cookie', async () => {
    const user = await newUser(server);
    const before = Math.floor(Date.now() / 1000);
    const response = await call(server, 'POST', '/api/v1/auth/login',
      { body: { email: user.email, auth_key: user.authKey } });
    assert.equal(response.status, 200);
    assert.match(response.json.token, TOKEN);
    assert.match(response.json.csrf_token, TOKEN);
    assert.deepEqual(response.json.account, user.record);
    assert.ok(response.json.expires_at >= before + 12 * 3600 - 5);
    const cookie = response.headers.get('set-cookie');
    assert.equal(cookie,
      `cv_session=${response.json.token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=43200`);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  test('a wrong proof and an unknown email get the same 401', async () => {
    const user = await newUser(server);
    const cv = await loadCredvault();
    const wrong = cv.deriveAuthKey('not the password', user.record.salt, user.record.kdf);
    const bad = await call(server, 'POST', '/api/v1/auth/login',
      { body: { email: user.email, auth_key: wrong } });
    const unknown = await call(server, 'POST', '/api/v1/auth/login',
      { body: { email: uniqueEmail('ghost'), auth_key: wrong } });
    assert.equal(bad.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(errorOf(bad), errorOf(unknown));
    assert.equal(errorOf(bad).code, 'unauthenticated');
    for (const body of [{ email: user.email }, { email: user.email, auth_key: 'short' },
      { email: user.email, auth_key: user.authKey, remember: true }]) {
      const response = await call(server, 'POST', '/api/v1/auth/login', { body });
      assert.equal(response.status, 400, JSON.stringify(body));
    }
  });

  test('Bearer and cookie sessions; the cookie needs X-CSRF-Token to change anything', async () => {
    const user = await newUser(server);
    const session = user.session;
    const bearer = await call(server, 'GET', '/api/v1/account', { auth: session });
    assert.equal(bearer.status, 200);
    assert.deepEqual(bearer.json, { account: user.record, email: user.email });
    const cookie = await call(server, 'GET', '/api/v1/account', { auth: session, cookie: true, csrf: false });
    assert.equal(cookie.status, 200);

    const cv = await loadCredvault();
    const workspace = () => {
      const id = cv.newId();
      const keys = cv.newWorkspaceKeys(id, 1);
      const grant = cv.makeGrant(user.handle, keys, true, user.id, user.record.box_public_key);
      cv.release(keys);
      return { id, name: 'CSRF check', grant };
    };
    const noCsrf = workspace();
    const refused = await call(server, 'POST', '/api/v1/workspaces',
      { auth: session, cookie: true, csrf: false, body: noCsrf });
    assert.equal(refused.status, 403);
    assert.equal(errorOf(refused).code, 'permission_denied');
    const wrongCsrf = await call(server, 'POST', '/api/v1/workspaces', {
      auth: { token: session.token, csrf_token: session.token }, cookie: true, body: noCsrf,
    });
    assert.equal(wrongCsrf.status, 403);
    assert.equal((await call(server, 'GET', `/api/v1/workspaces/${noCsrf.id}`, { auth: session })).status, 404);
    const withCsrf = await call(server, 'POST', '/api/v1/workspaces',
      { auth: session, cookie: true, body: noCsrf });
    assert.equal(withCsrf.status, 201);
    const viaBearer = await call(server, 'POST', '/api/v1/workspaces',
      { auth: session, body: workspace() });
    assert.equal(viaBearer.status, 201);
  });

  test('no session, a garbage token or another scheme: 401 with WWW-Authenticate', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' },
      { authorization: `Bearer ${'A'.repeat(43)}` }, { authorization: 'Basic dTpw' },
      { cookie: 'cv_session=garbage' }]) {
      const response = await call(server, 'GET', '/api/v1/account', { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(errorOf(response).code, 'unauthenticated');
      assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    }
  });

  test('logout ends the session and clears the cookie', async () => {
    const user = await newUser(server);
    const other = await login(server, user.email, user.authKey);
    const out = await call(server, 'POST', '/api/v1/auth/logout', { auth: user.session });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie'), /^cv_session=; .*Max-Age=0/);
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: user.session })).status, 401);
    assert.equal((await call(server, 'POST', '/api/v1/auth/logout', { auth: user.session })).status, 401);
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: other })).status, 200);
    const withBody = await call(server, 'POST', '/api/v1/auth/logout',
      { auth: other, body: { all: true } });
    assert.equal(withBody.status, 400);
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: other })).status, 200);
  });

  test('password change: new proof works, old does not, other sessions end', async () => {
    const user = await newUser(server);
    const other = await login(server, user.email, user.authKey);
    const cv = await loadCredvault();
    const changed = cv.changePassword(user.handle, user.record, 'a new password', cv.kdfMinimum());

    const wrongProof = cv.deriveAuthKey('guess', user.record.salt, user.record.kdf);
    const refused = await call(server, 'PUT', '/api/v1/account/password', {
      auth: user.session,
      body: { auth_key: wrongProof, record: changed.record, new_auth_key: changed.auth_key },
    });
    assert.equal(refused.status, 403);
    const tampered = await call(server, 'PUT', '/api/v1/account/password', {
      auth: user.session,
      body: {
        auth_key: user.authKey,
        record: { ...changed.record, box_public_key: user.record.sign_public_key },
        new_auth_key: changed.auth_key,
      },
    });
    assert.equal(tampered.status, 400);
    assert.equal(errorOf(tampered).code, 'validation');
    const sameVersion = await call(server, 'PUT', '/api/v1/account/password', {
      auth: user.session,
      body: { auth_key: user.authKey, record: { ...changed.record, keys_version: 1 },
        new_auth_key: changed.auth_key },
    });
    assert.equal(sameVersion.status, 400);
    // Nothing changed so far: both sessions live, the old proof still logs in.
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: other })).status, 200);

    const ok = await call(server, 'PUT', '/api/v1/account/password', {
      auth: user.session,
      body: { auth_key: user.authKey, record: changed.record, new_auth_key: changed.auth_key },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json.account, changed.record);
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: user.session })).status, 200);
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: other })).status, 401);
    const old = await call(server, 'POST', '/api/v1/auth/login',
      { body: { email: user.email, auth_key: user.authKey } });
    assert.equal(old.status, 401);
    const fresh = await login(server, user.email, changed.auth_key);
    assert.deepEqual(fresh.account, changed.record);
    // The client unlocks the stored record with the new password.
    const unlocked = cv.unlockAccount('a new password', fresh.account);
    assert.equal(unlocked.auth_key, changed.auth_key);
  });

  test('recovery: the recovery proof unlocks the record, and completing sets a new password',
    async () => {
      const user = await newUser(server);
      const cv = await loadCredvault();
      const wrong = await call(server, 'POST', '/api/v1/auth/recover',
        { body: { email: user.email, recovery_auth_key: user.authKey } });
      assert.equal(wrong.status, 401);
      const got = await call(server, 'POST', '/api/v1/auth/recover',
        { body: { email: user.email, recovery_auth_key: cv.deriveRecoveryAuthKey(user.recoveryCode) } });
      assert.equal(got.status, 200);
      assert.deepEqual(got.json.account, user.record);

      const recovered = cv.recoverAccount(user.recoveryCode, got.json.account);
      const changed = cv.changePassword(recovered, got.json.account, 'recovered pw', cv.kdfMinimum());
      const body = {
        email: user.email,
        recovery_auth_key: user.recoveryAuthKey,
        record: changed.record,
        auth_key: changed.auth_key,
      };
      const badProof = await call(server, 'POST', '/api/v1/auth/recover/complete',
        { body: { ...body, recovery_auth_key: user.authKey } });
      assert.equal(badProof.status, 401);
      const missing = await call(server, 'POST', '/api/v1/auth/recover/complete',
        { body: { ...body, auth_key: undefined } });
      assert.equal(missing.status, 400);
      assert.equal((await call(server, 'GET', '/api/v1/account', { auth: user.session })).status, 200);

      const done = await call(server, 'POST', '/api/v1/auth/recover/complete', { body });
      assert.equal(done.status, 200, done.text);
      assert.equal((await call(server, 'GET', '/api/v1/account', { auth: user.session })).status, 401);
      const session = await login(server, user.email, changed.auth_key);
      assert.deepEqual(session.account, changed.record);
    });

  test('lookup gives public keys for inviting, and needs a session', async () => {
    const alice = await newUser(server);
    const bob = await newUser(server);
    const found = await call(server, 'GET',
      `/api/v1/accounts/lookup?email=${encodeURIComponent(bob.email.toUpperCase())}`,
      { auth: alice.session });
    assert.equal(found.status, 200);
    assert.deepEqual(found.json, {
      account_id: bob.id,
      box_public_key: bob.record.box_public_key,
      sign_public_key: bob.record.sign_public_key,
    });
    const missing = await call(server, 'GET',
      `/api/v1/accounts/lookup?email=${encodeURIComponent(uniqueEmail('ghost'))}`,
      { auth: alice.session });
    assert.equal(missing.status, 404);
    assert.equal((await call(server, 'GET', '/api/v1/accounts/lookup', { auth: alice.session })).status, 400);
    assert.equal((await call(server, 'GET', '/api/v1/accounts/lookup?email=a@b.c&x=1',
      { auth: alice.session })).status, 400);
    assert.equal((await call(server, 'GET', `/api/v1/accounts/lookup?email=${bob.email}`)).status, 401);
  });
});

describe('sessions expire', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--session-ttl-seconds', '1'] });
  });
  after(async () => {
    await stopServer(server);
  });

  test('a session past its expiry is 401', async () => {
    const user = await newUser(server);
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: user.session })).status, 200);
    while (Date.now() / 1000 < user.session.expires_at + 0.05) await sleep(100);
    const expired = await call(server, 'GET', '/api/v1/account', { auth: user.session });
    assert.equal(expired.status, 401);
    assert.equal(errorOf(expired).code, 'unauthenticated');
  });
});

describe('login rate limits', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await stopServer(server);
  });

  test('per account: after 10 failures even the right proof waits, with Retry-After', async () => {
    const user = await newUser(server);
    const other = await newUser(server);
    const cv = await loadCredvault();
    const wrong = cv.deriveAuthKey('wrong', user.record.salt, user.record.kdf);
    for (let i = 0; i < 10; i += 1) {
      const response = await call(server, 'POST', '/api/v1/auth/login',
        { body: { email: user.email, auth_key: wrong } });
      assert.equal(response.status, 401, `attempt ${i}`);
    }
    const limited = await call(server, 'POST', '/api/v1/auth/login',
      { body: { email: user.email, auth_key: user.authKey } });
    assert.equal(limited.status, 429);
    assert.equal(errorOf(limited).code, 'rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 300, `Retry-After ${retryAfter}`);
    // Recovery proofs count against the same account.
    const recover = await call(server, 'POST', '/api/v1/auth/recover',
      { body: { email: user.email, recovery_auth_key: user.recoveryAuthKey } });
    assert.equal(recover.status, 429);
    // Another account from the same address is not affected.
    assert.match((await login(server, other.email, other.authKey)).token, TOKEN);
    // The session the limited account already had still works.
    assert.equal((await call(server, 'GET', '/api/v1/account', { auth: user.session })).status, 200);
  });

  test('per address: 100 failures across many emails stop every login from it', async () => {
    const user = await newUser(server);
    const cv = await loadCredvault();
    const wrong = cv.deriveAuthKey('wrong', user.record.salt, user.record.kdf);
    let last;
    for (let i = 0; i < 100; i += 1) {
      last = await call(server, 'POST', '/api/v1/auth/login',
        { body: { email: uniqueEmail('spray'), auth_key: wrong } });
      if (last.status === 429) break;
    }
    // The earlier test's 10 (plus one recovery) failures count too: the limit comes at 100.
    assert.equal(last.status, 429);
    const blocked = await call(server, 'POST', '/api/v1/auth/login',
      { body: { email: user.email, auth_key: user.authKey } });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
  });
});
