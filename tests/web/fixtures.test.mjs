// Self-tests of the fixture servers in tests/fixtures: each answers the right credential
// with the real body shape and each wrong one with the real failure, so end-to-end tests
// that go through credvault's runner can trust what the fixture says.
// Run: node --test tests/web/fixtures.test.mjs (needs only node and openssl).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';

import { startGithubFixture, verifyAppJwt } from '../fixtures/github_fixture.mjs';
import { makeServiceAccountToken, startGrafanaFixture } from '../fixtures/grafana_fixture.mjs';
import { startKubernetesFixture } from '../fixtures/kubernetes_fixture.mjs';
import { createPki } from '../fixtures/pki.mjs';

const DAY_MS = 24 * 60 * 60 * 1000;

// One request on a fresh connection (no agent: a pooled socket would outlive close()).
function request(url, { method = 'GET', headers = {}, body, ca, cert, key } = {}) {
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target, {
      method, headers, ca, cert, key, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function jsonPost(url, value, options = {}) {
  return request(url, { ...options, method: 'POST', body: JSON.stringify(value),
    headers: { 'Content-Type': 'application/json', ...(options.headers ?? {}) } });
}

function bearer(token) {
  return { Authorization: `Bearer ${token}` };
}

function basic(user, password) {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

// An App JWT as credvault's plan builds it: iat 60 s back, exp 540 s ahead.
function appJwt(privateKeyPem, { iss, iat, exp, alg = 'RS256' }) {
  const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg, typ: 'JWT' })}.${enc({ iat, exp, iss })}`;
  const signature = crypto.sign('sha256', Buffer.from(input), privateKeyPem);
  return `${input}.${signature.toString('base64url')}`;
}

const SSR_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const SSR_BODY = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
const SSAR_BODY = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
  spec: { nonResourceAttributes: { path: '/api', verb: 'get' } } };

let pki;

before(() => {
  pki = createPki({
    clients: [
      { name: 'alice', groups: ['dev', 'ops'] },
      { id: 'alice-expired', name: 'alice', expired: true },
      { id: 'carol-soon', name: 'carol', days: 5 },
      { name: 'blocked' },
      { id: 'foreign', name: 'alice', ca: 'other' },
    ],
  });
});

after(() => pki?.cleanup());

describe('pki', () => {
  test('a client certificate expiring in 5 days has that notAfter', () => {
    const cert = new crypto.X509Certificate(pki.clients['carol-soon'].certPem);
    const left = new Date(cert.validTo).getTime() - Date.now();
    assert.ok(left > 4.9 * DAY_MS && left <= 5 * DAY_MS, `expires in ${left / DAY_MS} days`);
    assert.equal(cert.subject, 'CN=carol');
    assert.ok(cert.checkIssued(new crypto.X509Certificate(pki.ca.certPem)));
  });

  test('client certificates: CN = user, O = groups, clientAuth; expired is past', () => {
    const alice = new crypto.X509Certificate(pki.clients.alice.certPem);
    assert.equal(alice.subject, 'CN=alice\nO=dev\nO=ops');
    assert.deepEqual(alice.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.match(pki.clients.alice.keyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
    const expired = new crypto.X509Certificate(pki.clients['alice-expired'].certPem);
    assert.ok(new Date(expired.validTo).getTime() < Date.now());
  });

  test('the server certificate names 127.0.0.1 and localhost; the other CA is unrelated', () => {
    const server = new crypto.X509Certificate(pki.server.certPem);
    assert.equal(server.subjectAltName, 'IP Address:127.0.0.1, DNS:localhost');
    const foreign = new crypto.X509Certificate(pki.clients.foreign.certPem);
    assert.equal(foreign.checkIssued(new crypto.X509Certificate(pki.ca.certPem)), false);
    assert.ok(foreign.checkIssued(new crypto.X509Certificate(pki.otherCa.certPem)));
  });

  test('the GitHub App key comes as PKCS#1 and PKCS#8 of one key pair', () => {
    const app = pki.githubApp;
    assert.match(app.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(app.privateKeyPkcs8Pem, /^-----BEGIN PRIVATE KEY-----/);
    const data = Buffer.from('x');
    for (const pem of [app.privateKeyPem, app.privateKeyPkcs8Pem]) {
      assert.ok(crypto.verify('sha256', data, app.publicKeyPem, crypto.sign('sha256', data, pem)));
    }
  });
});

describe('kubernetes fixture', () => {
  let k8s;
  const tls = () => ({ ca: pki.ca.certPem });
  const asAlice = () => ({ ...tls(), cert: pki.clients.alice.certPem,
    key: pki.clients.alice.keyPem });

  before(async () => {
    k8s = await startKubernetesFixture({
      pki,
      users: [
        { name: 'system:serviceaccount:default:probe', groups: ['system:serviceaccounts'],
          token: 'sa-token-1', uid: '8f9e3c1e-0000-4000-8000-000000000001' },
        { name: 'blocked', allowed: false },
        { name: 'robot', token: 'robot-token', allowed: false },
      ],
    });
  });
  after(() => k8s?.close());

  test('/version answers anonymously with the version body', async () => {
    const r = await request(`${k8s.url}/version`, tls());
    assert.equal(r.status, 200);
    for (const field of ['major', 'minor', 'gitVersion', 'gitCommit', 'platform', 'goVersion']) {
      assert.equal(typeof r.json[field], 'string', field);
    }
    assert.match(r.json.gitVersion, /^v1\.\d+\.\d+$/);
  });

  test('a client certificate authenticates as CN, O as groups (201 review)', async () => {
    const r = await jsonPost(`${k8s.url}${SSR_PATH}`, SSR_BODY, asAlice());
    assert.equal(r.status, 201);
    assert.equal(r.json.kind, 'SelfSubjectReview');
    assert.equal(r.json.apiVersion, 'authentication.k8s.io/v1');
    assert.deepEqual(r.json.status.userInfo,
      { username: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
    assert.match(r.headers['audit-id'], /^[0-9a-f-]{36}$/);
    const last = k8s.requests.at(-1);
    assert.deepEqual({ user: last.user, authMethod: last.authMethod, clientCertificate:
      last.clientCertificate, authorizationHeader: last.authorizationHeader, status: last.status },
    { user: 'alice', authMethod: 'client-certificate', clientCertificate: true,
      authorizationHeader: false, status: 201 });
  });

  test('a bearer token authenticates; SelfSubjectAccessReview says allowed', async () => {
    const ssr = await jsonPost(`${k8s.url}${SSR_PATH}`, SSR_BODY,
      { ...tls(), headers: bearer('sa-token-1') });
    assert.equal(ssr.status, 201);
    assert.equal(ssr.json.status.userInfo.username, 'system:serviceaccount:default:probe');
    assert.equal(ssr.json.status.userInfo.uid, '8f9e3c1e-0000-4000-8000-000000000001');
    const ssar = await jsonPost(`${k8s.url}${SSAR_PATH}`, SSAR_BODY,
      { ...tls(), headers: bearer('sa-token-1') });
    assert.equal(ssar.status, 201);
    assert.equal(ssar.json.kind, 'SelfSubjectAccessReview');
    assert.equal(ssar.json.status.allowed, true);
    assert.deepEqual(ssar.json.spec, SSAR_BODY.spec);
    assert.equal(k8s.requests.at(-1).authMethod, 'bearer-token');
    assert.ok(!JSON.stringify(k8s.requests).includes('sa-token-1'), 'no token in the log');
  });

  test('a wrong bearer token is a 401 Status, even with anonymous auth on', async () => {
    const r = await jsonPost(`${k8s.url}${SSR_PATH}`, SSR_BODY,
      { ...tls(), headers: bearer('nope') });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    assert.equal(k8s.requests.at(-1).user, null);
  });

  test('no credential is system:anonymous: 403 naming the anonymous user', async () => {
    const r = await jsonPost(`${k8s.url}${SSR_PATH}`, SSR_BODY, tls());
    assert.equal(r.status, 403);
    assert.equal(r.json.reason, 'Forbidden');
    assert.equal(r.json.message, 'selfsubjectreviews.authentication.k8s.io is forbidden: User ' +
      '"system:anonymous" cannot create resource "selfsubjectreviews" in API group ' +
      '"authentication.k8s.io" at the cluster scope');
    assert.deepEqual(r.json.details,
      { group: 'authentication.k8s.io', kind: 'selfsubjectreviews' });
  });

  test('a Basic header is no credential on a modern API server (anonymous)', async () => {
    const r = await jsonPost(`${k8s.url}${SSR_PATH}`, SSR_BODY,
      { ...tls(), headers: basic('admin', 'secret') });
    assert.equal(r.status, 403);
    assert.match(r.json.message, /User "system:anonymous"/);
  });

  test('a known user without permission gets the RBAC 403 message', async () => {
    const r = await jsonPost(`${k8s.url}${SSAR_PATH}`, SSAR_BODY, { ...tls(),
      cert: pki.clients.blocked.certPem, key: pki.clients.blocked.keyPem });
    assert.equal(r.status, 403);
    assert.equal(r.json.message, 'selfsubjectaccessreviews.authorization.k8s.io is forbidden: ' +
      'User "blocked" cannot create resource "selfsubjectaccessreviews" in API group ' +
      '"authorization.k8s.io" at the cluster scope');
    assert.equal(r.json.code, 403);
    const byToken = await jsonPost(`${k8s.url}${SSR_PATH}`, SSR_BODY,
      { ...tls(), headers: bearer('robot-token') });
    assert.equal(byToken.status, 403);
    assert.match(byToken.json.message, /User "robot" cannot create/);
  });

  test('an expired or foreign client certificate is a 401 (x509 authenticator)', async () => {
    for (const id of ['alice-expired', 'foreign']) {
      const c = pki.clients[id];
      const r = await jsonPost(`${k8s.url}${SSR_PATH}`, SSR_BODY, { ...tls(), cert: c.certPem,
        key: c.keyPem });
      assert.equal(r.status, 401, id);
      assert.equal(r.json.reason, 'Unauthorized');
    }
  });

  test('a permitted but unknown path is a 404 Status; a wrong method a 405', async () => {
    const r = await request(`${k8s.url}/apis/example.com/v1/widgets`, asAlice());
    // alice is not admin: authorization comes before routing.
    assert.equal(r.status, 403);
    const admin = await startKubernetesFixture({ pki, users: [{ name: 'alice', admin: true }] });
    try {
      const nf = await request(`${admin.url}/apis/example.com/v1/widgets`, asAlice());
      assert.equal(nf.status, 404);
      assert.deepEqual(nf.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: 'the server could not find the requested resource', reason: 'NotFound',
        details: {}, code: 404 });
      const get = await request(`${admin.url}${SSR_PATH}`, asAlice());
      assert.equal(get.status, 405);
      assert.equal(get.json.reason, 'MethodNotAllowed');
    } finally {
      await admin.close();
    }
  });

  test('before 1.28 no v1 SelfSubjectReview: 404, and the SSAR fallback answers', async () => {
    const old = await startKubernetesFixture({ pki,
      version: { minor: '27', gitVersion: 'v1.27.9' } });
    try {
      const ssr = await jsonPost(`${old.url}${SSR_PATH}`, SSR_BODY, asAlice());
      assert.equal(ssr.status, 404);
      const ssar = await jsonPost(`${old.url}${SSAR_PATH}`, SSAR_BODY, asAlice());
      assert.equal(ssar.status, 201);
      assert.equal(ssar.json.status.allowed, true);
    } finally {
      await old.close();
    }
  });

  test('anonymousAuth false: even /version is a 401', async () => {
    const closed = await startKubernetesFixture({ pki, anonymousAuth: false });
    try {
      const r = await request(`${closed.url}/version`, tls());
      assert.equal(r.status, 401);
      assert.equal(r.json.reason, 'Unauthorized');
      assert.equal((await request(`${closed.url}/version`, asAlice())).status, 200);
    } finally {
      await closed.close();
    }
  });

  test('requireClientCert: the handshake refuses a missing or foreign certificate', async () => {
    const strict = await startKubernetesFixture({ pki, requireClientCert: true });
    try {
      await assert.rejects(request(`${strict.url}/version`, tls()));
      await assert.rejects(request(`${strict.url}/version`, { ...tls(),
        cert: pki.clients.foreign.certPem, key: pki.clients.foreign.keyPem }));
      const ok = await jsonPost(`${strict.url}${SSR_PATH}`, SSR_BODY, asAlice());
      assert.equal(ok.status, 201);
    } finally {
      await strict.close();
    }
  });

  test('the server certificate is untrusted under another CA', async () => {
    await assert.rejects(request(`${k8s.url}/version`, { ca: pki.otherCa.certPem }),
      (err) => ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN'].includes(err.code));
  });
});

describe('grafana fixture', () => {
  let grafana;
  const viewerToken = makeServiceAccountToken();
  const noRoleToken = makeServiceAccountToken();

  before(async () => {
    grafana = await startGrafanaFixture({
      tokens: [{ token: viewerToken, name: 'sa-credvault' }, { token: noRoleToken, role: 'None' },
        { token: 'glsa_expiredexpiredexpiredexpired00_0badc0de', expired: true }],
      users: [{ login: 'admin', password: 'correct horse' }],
    });
  });
  after(() => grafana?.close());

  test('/api/health answers anyone with commit, database and version', async () => {
    const r = await request(`${grafana.url}/api/health`);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['commit', 'database', 'version']);
    assert.equal(r.json.database, 'ok');
  });

  test('a service-account token and basic auth read /api/org', async () => {
    assert.match(viewerToken, /^glsa_[A-Za-z0-9]{32}_[0-9a-f]{8}$/);
    for (const headers of [bearer(viewerToken), basic('admin', 'correct horse'),
      basic('api_key', viewerToken)]) {
      const r = await request(`${grafana.url}/api/org`, { headers });
      assert.equal(r.status, 200);
      assert.equal(r.json.id, 1);
      assert.equal(r.json.name, 'Main Org.');
    }
    assert.equal(grafana.requests.at(-1).principal, 'sa-credvault');
  });

  test('wrong, expired or missing credentials get Grafana\'s 401 bodies', async () => {
    const cases = [
      [bearer('glsa_wrongwrongwrongwrongwrongwrong_12345678'), 'Invalid API key',
        'api-key.invalid'],
      [bearer('glsa_expiredexpiredexpiredexpired00_0badc0de'), 'Expired API key',
        'api-key.expired'],
      [basic('admin', 'wrong'), 'Invalid username or password', 'password-auth.failed'],
      [{}, 'Unauthorized', 'auth.unauthorized'],
    ];
    for (const [headers, message, messageId] of cases) {
      const r = await request(`${grafana.url}/api/org`, { headers });
      assert.equal(r.status, 401, message);
      assert.deepEqual(r.json, { message, messageId, statusCode: 401, traceID: '' });
    }
  });

  test('a service account with no role is authenticated but forbidden', async () => {
    const r = await request(`${grafana.url}/api/org`, { headers: bearer(noRoleToken) });
    assert.equal(r.status, 403);
    assert.equal(r.json.title, 'Access denied');
    assert.match(r.json.message, /Permissions needed: orgs:read/);
  });

  test('HTTPS with the PKI\'s server certificate', async () => {
    const secure = await startGrafanaFixture({ pki, tokens: [{ token: viewerToken }] });
    try {
      assert.match(secure.url, /^https:/);
      const r = await request(`${secure.url}/api/org`,
        { ca: pki.ca.certPem, headers: bearer(viewerToken) });
      assert.equal(r.status, 200);
    } finally {
      await secure.close();
    }
  });
});

describe('github fixture', () => {
  const APP_ID = 424242;
  const CLIENT_ID = 'Iv23liFixtureClient1';
  const INSTALLATION = 5150;
  let github;
  const tls = () => ({ ca: pki.ca.certPem });
  const ghHeaders = (extra) => ({ Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28', ...extra });
  const now = () => Math.floor(Date.now() / 1000);
  const goodJwt = (claims = {}) => appJwt(pki.githubApp.privateKeyPem,
    { iss: APP_ID, iat: now() - 60, exp: now() + 540, ...claims });
  const exchange = (url, jwt) => request(`${url}/app/installations/${INSTALLATION}/access_tokens`,
    { ...tls(), method: 'POST', headers: ghHeaders(jwt ? bearer(jwt) : {}) });

  before(async () => {
    github = await startGithubFixture({
      pki,
      pats: [{ token: 'ghp_classicFixtureToken000000000000000000', login: 'octocat', id: 583231,
        scopes: ['repo', 'read:org'] },
      { token: 'github_pat_11FINEGRAINED_fixture', login: 'hubot', id: 2 }],
      apps: [{ id: APP_ID, clientId: CLIENT_ID, publicKeyPem: pki.githubApp.publicKeyPem,
        installations: [{ id: INSTALLATION, account: { login: 'acme', id: 9 },
          repositories: [{ name: 'infra' }, { name: 'site', private: false }] },
        { id: 777, account: { login: 'frozen' }, suspended: true }] }],
    });
  });
  after(() => github?.close());

  test('a PAT reads /user with GitHub\'s headers', async () => {
    const r = await request(`${github.url}/user`,
      { ...tls(), headers: ghHeaders(bearer('ghp_classicFixtureToken000000000000000000')) });
    assert.equal(r.status, 200);
    assert.equal(r.json.login, 'octocat');
    assert.equal(r.json.id, 583231);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['x-github-api-version-selected'], '2022-11-28');
    assert.equal(r.headers['x-github-media-type'], 'github.v3; format=json');
    assert.equal(r.headers['x-oauth-scopes'], 'repo, read:org');
    assert.equal(r.headers['x-ratelimit-limit'], '5000');
    assert.match(r.headers['x-ratelimit-reset'], /^\d+$/);
    const fine = await request(`${github.url}/user`,
      { ...tls(), headers: { Authorization: 'token github_pat_11FINEGRAINED_fixture' } });
    assert.equal(fine.status, 200);
    assert.equal(fine.headers['x-oauth-scopes'], undefined);
    assert.ok(!JSON.stringify(github.requests).includes('ghp_'), 'no token in the log');
  });

  test('a wrong PAT is 401 Bad credentials; none is Requires authentication', async () => {
    const r = await request(`${github.url}/user`,
      { ...tls(), headers: ghHeaders(bearer('ghp_nope')) });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest', status: '401' });
    const none = await request(`${github.url}/user`, tls());
    assert.equal(none.status, 401);
    assert.equal(none.json.message, 'Requires authentication');
  });

  test('an App JWT becomes an installation token that lists repositories', async () => {
    const ex = await exchange(github.url, goodJwt());
    assert.equal(ex.status, 201);
    assert.match(ex.json.token, /^ghs_[A-Za-z0-9]{36}$/);
    assert.match(ex.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(ex.json.expires_at) - Date.now() > 59 * 60 * 1000);
    assert.equal(ex.json.repository_selection, 'selected');
    assert.equal(typeof ex.json.permissions, 'object');
    const list = await request(`${github.url}/installation/repositories?per_page=1`,
      { ...tls(), headers: ghHeaders(bearer(ex.json.token)) });
    assert.equal(list.status, 200);
    assert.equal(list.json.total_count, 2);
    assert.equal(list.json.repositories.length, 1);
    assert.equal(list.json.repositories[0].owner.login, 'acme');
    assert.equal(list.json.repositories[0].full_name, 'acme/infra');
    const user = await request(`${github.url}/user`, { ...tls(), headers: bearer(ex.json.token) });
    assert.equal(user.status, 403);
    assert.equal(user.json.message, 'Resource not accessible by integration');
  });

  test('the PKCS#8 key and the client id as issuer work too', async () => {
    const jwt = appJwt(pki.githubApp.privateKeyPkcs8Pem,
      { iss: CLIENT_ID, iat: now() - 60, exp: now() + 540 });
    assert.equal((await exchange(github.url, jwt)).status, 201);
  });

  test('bad, badly signed, expired or mistimed JWTs get GitHub\'s 401 messages', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      .export({ type: 'pkcs1', format: 'pem' });
    const cases = [
      ['not-a-jwt', 'A JSON web token could not be decoded'],
      [appJwt(other, { iss: APP_ID, iat: now() - 60, exp: now() + 540 }),
        'A JSON web token could not be decoded'],
      [goodJwt({ iss: 999 }), 'A JSON web token could not be decoded'],
      [goodJwt({ iss: String(APP_ID) }), "'Issuer' claim ('iss') must be an Integer"],
      [goodJwt({ iat: now() - 700, exp: now() - 100 }),
        "'Expiration time' claim ('exp') must be a numeric value representing the future time " +
        'at which the assertion expires'],
      [goodJwt({ iat: now() - 60, exp: now() + 600 }),
        "'Expiration time' claim ('exp') is too far in the future"],
      [goodJwt({ iat: now() + 120, exp: now() + 500 }),
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion " +
        'was issued'],
    ];
    for (const [jwt, message] of cases) {
      const r = await exchange(github.url, jwt);
      assert.equal(r.status, 401, message);
      assert.equal(r.json.message, message);
      assert.equal(r.json.status, '401');
    }
    // A PAT is no JWT.
    const pat = await exchange(github.url, 'ghp_classicFixtureToken000000000000000000');
    assert.equal(pat.status, 401);
    assert.equal(pat.json.message, 'A JSON web token could not be decoded');
  });

  test('the plan\'s exact window (iat now-60, exp now+540) is accepted; 601 s is not', () => {
    const apps = [{ id: APP_ID,
      publicKeyObject: crypto.createPublicKey(pki.githubApp.publicKeyPem) }];
    const t = now();
    const sign = (iat, exp) => appJwt(pki.githubApp.privateKeyPem, { iss: APP_ID, iat, exp });
    assert.ok(verifyAppJwt(sign(t - 60, t + 540), apps, t).app);
    assert.equal(verifyAppJwt(sign(t - 61, t + 540), apps, t).message,
      "'Expiration time' claim ('exp') is too far in the future");
  });

  test('an unknown or suspended installation: 404 Not Found, 403 suspended', async () => {
    const missing = await request(`${github.url}/app/installations/1/access_tokens`,
      { ...tls(), method: 'POST', headers: bearer(goodJwt()) });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'Not Found');
    const frozen = await request(`${github.url}/app/installations/777/access_tokens`,
      { ...tls(), method: 'POST', headers: bearer(goodJwt()) });
    assert.equal(frozen.status, 403);
    assert.equal(frozen.json.message, 'This installation has been suspended');
  });

  test('Enterprise Server: the API lives under /api/v3 and names its version', async () => {
    const ghes = await startGithubFixture({ pki, prefix: '/api/v3', enterpriseVersion: '3.12.0',
      pats: [{ token: 'ghp_enterprise', login: 'mona' }] });
    try {
      assert.ok(ghes.url.endsWith('/api/v3'));
      const r = await request(`${ghes.url}/user`, { ...tls(), headers: bearer('ghp_enterprise') });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-github-enterprise-version'], '3.12.0');
      const bare = await request(`${ghes.origin}/user`,
        { ...tls(), headers: bearer('ghp_enterprise') });
      assert.equal(bare.status, 404);
    } finally {
      await ghes.close();
    }
  });

  test('an exhausted rate limit is a 403 with X-RateLimit-Remaining 0', async () => {
    const limited = await startGithubFixture({ tls: false, rateLimitRemaining: 0,
      pats: [{ token: 'ghp_busy', login: 'busy', id: 7 }] });
    try {
      assert.match(limited.url, /^http:/);
      const r = await request(`${limited.url}/user`, { headers: bearer('ghp_busy') });
      assert.equal(r.status, 403);
      assert.equal(r.headers['x-ratelimit-remaining'], '0');
      assert.match(r.json.message, /^API rate limit exceeded for user ID 7\./);
    } finally {
      await limited.close();
    }
  });
});
