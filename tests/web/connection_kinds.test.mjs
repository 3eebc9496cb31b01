// Connectivity tests for every kind through the whole chain (DESIGN §5, issue 5): the WASM
// client in Node seals a credential, a connection and a test job (the secret stays inside the
// core), the server relays the job to the built-in runner, the runner probes the target and
// signs the result, and the client verifies it against the runner key it pinned.
//
// Targets: Kubernetes, Grafana and GitHub fixture servers (tests/fixtures) that answer as the
// real APIs do, a real Prometheus (Debian's package) with TLS and a required client
// certificate, and a plain HTTP server for the http kind. Outcome names, state names and
// remediation codes are the core's (connection_state.h TestOutcomeName, probe_names.cc).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { startGithubFixture } from '../fixtures/github_fixture.mjs';
import { makeServiceAccountToken, startGrafanaFixture } from '../fixtures/grafana_fixture.mjs';
import { startKubernetesFixture } from '../fixtures/kubernetes_fixture.mjs';
import { createPki } from '../fixtures/pki.mjs';
import { startPrometheus } from '../fixtures/prometheus.mjs';
import { call, loadCredvault, newUser, newWorkspace } from './api_client.mjs';
import { startServer, stopServer } from './harness.mjs';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const secret = (label) => `${label}-${crypto.randomBytes(12).toString('hex')}`;

const KUBE_TOKEN = secret('kube-deployer');
const KUBE_NO_RBAC_TOKEN = secret('kube-norbac');
const KUBE_ADMIN_TOKEN = secret('kube-admin');
const GRAFANA_SA_TOKEN = makeServiceAccountToken();
const GRAFANA_API_KEY = `eyJrIjoi${crypto.randomBytes(18).toString('base64url')}`;
const GITHUB_PAT = `ghp_${crypto.randomBytes(18).toString('hex')}`;
const HTTP_TOKEN = secret('http-bearer');
const PROM_PASSWORD = secret('prom-tls');
const APP_ID = 424242;
const INSTALLATION_ID = 5150;
const EVERY_SECRET = [KUBE_TOKEN, KUBE_NO_RBAC_TOKEN, KUBE_ADMIN_TOKEN, GRAFANA_SA_TOKEN, GRAFANA_API_KEY,
  GITHUB_PAT, HTTP_TOKEN, PROM_PASSWORD];

// A plain HTTP service for the http kind: /healthz wants the bearer token, /open answers
// anyone (a server that checks nothing).
async function startPlainHttp() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/open') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    } else if (url.pathname === '/healthz') {
      const ok = req.headers.authorization === `Bearer ${HTTP_TOKEN}`;
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'text/plain' })
        .end(ok ? 'healthy' : 'unauthorized');
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

const codes = (payload) => payload.remediations.map((r) => r.code);

describe('connectivity tests of every kind through server and built-in runner', () => {
  let server;
  let cv;
  let owner;
  let ws;
  let runner;
  let pki;
  const targets = {};  // name -> fixture

  async function post(path, body) {
    return call(server, 'POST', path, { auth: owner.session, body });
  }

  // A credential and a connection sealed by the core, as the web app stores them.
  async function connect({ kind, endpoint, method, fields, ca = '', serverName = '' }) {
    const dataKey = cv.newDataKey();
    const credentialId = cv.newId();
    const credential = cv.sealCredential(
      { schema_version: 1, name: `${kind} ${method}`, kind, auth_method: method, fields },
      { id: credentialId, owner_id: owner.id, workspace_id: ws.id, version: 1,
        created_at: nowSeconds(), updated_at: nowSeconds() },
      dataKey, [ws.keys]);
    cv.release(dataKey);
    const created = await post(`/api/v1/workspaces/${ws.id}/credentials`, credential);
    assert.equal(created.status, 201, created.text);
    const view = { schema_version: 1, id: cv.newId(), workspace_id: ws.id, kind,
      name: `${kind} target`, endpoint,
      tls: { ca_data: ca, server_name: serverName, insecure_skip_verify: false },
      credential_id: credentialId, managed: false, environment_ids: [], state: 'registered',
      version: 1, created_at: nowSeconds(), updated_at: nowSeconds() };
    const connection = await post(`/api/v1/workspaces/${ws.id}/connections`,
      cv.sealConnection(view, ws.keys));
    assert.equal(connection.status, 201, connection.text);
    return { credential: created.json, connection: connection.json };
  }

  // Seals, relays and verifies one test; returns what the client believes and what the
  // server recorded.
  async function probe(target, options = {}) {
    const sealed = cv.sealConnectionTest(target.connection, target.credential, ws.keys,
      { id: runner.id, box_public_key: runner.box_public_key }, { now: nowSeconds(), ...options });
    return relay(target.connection, sealed);
  }

  async function relay(connection, sealed) {
    const answer = await post(`/api/v1/workspaces/${ws.id}/connections/${connection.id}/tests`,
      { runner_id: runner.id, job: sealed.job });
    assert.equal(answer.status, 200, answer.text);
    const payload = cv.verifyTestResult(runner.sign_public_key, answer.json.result,
      sealed.header.job_id, connection.id);
    // The server records exactly what the runner signed.
    assert.equal(answer.json.connection.last_test.outcome, payload.outcome);
    return { payload, state: answer.json.connection.state, recorded: answer.json.connection };
  }

  function kube(name, method, fields, extra = {}) {
    return connect({ kind: 'kubernetes', endpoint: targets[name].url, method, fields, ...extra });
  }

  before(async () => {
    pki = createPki({ clients: [
      { name: 'alice', groups: ['dev'] },
      { id: 'alice-old', name: 'alice', expired: true },
      { id: 'foreign', name: 'alice', ca: 'other' },
      { name: 'prom-scraper' },
    ] });
    cv = await loadCredvault();
    const otherName = pki.issueServerCertificate({ names: ['other.example'] });
    const expired = pki.issueServerCertificate({ expired: true });
    const kubeUsers = [
      { name: 'deployer', token: KUBE_TOKEN, groups: ['deployers'] },
      { name: 'no-rbac', token: KUBE_NO_RBAC_TOKEN, allowed: false },
      { name: 'cluster-admin', token: KUBE_ADMIN_TOKEN, admin: true },
    ];
    const servers = {
      kube: startKubernetesFixture({ pki, users: kubeUsers }),
      kube125: startKubernetesFixture({ pki, users: kubeUsers,
        version: { minor: '25', gitVersion: 'v1.25.16' } }),
      kubeOtherName: startKubernetesFixture({ pki, users: kubeUsers, serverCert: otherName }),
      kubeExpired: startKubernetesFixture({ pki, users: kubeUsers, serverCert: expired }),
      grafana: startGrafanaFixture({ pki, tokens: [
        { token: GRAFANA_SA_TOKEN, name: 'sa-credvault', role: 'Viewer' },
        { token: GRAFANA_API_KEY, name: 'legacy-key', role: 'Viewer' },
      ] }),
      github: startGithubFixture({ pki, prefix: '/api/v3',
        pats: [{ token: GITHUB_PAT, login: 'octocat', id: 583231, name: 'The Octocat' }],
        apps: [{ id: APP_ID, publicKeyPem: pki.githubApp.publicKeyPem, installations: [
          { id: INSTALLATION_ID, account: { login: 'acme' },
            repositories: [{ name: 'infra', private: true }] }] }] }),
      // Only a client certificate signed by the fixture CA gets in (no basic auth users).
      promTls: startPrometheus({ tls: { certPath: pki.server.certPath,
        keyPath: pki.server.keyPath, clientCaPath: pki.ca.certPath } }),
      plain: startPlainHttp(),
      server: startServer(),
    };
    const started = await Promise.all(Object.values(servers));
    Object.keys(servers).forEach((name, i) => { targets[name] = started[i]; });
    server = targets.server;
    delete targets.server;

    owner = await newUser(server);
    ws = await newWorkspace(server, owner);
    const builtin = await call(server, 'GET', '/api/v1/runners/builtin', { auth: owner.session });
    assert.equal(builtin.status, 200, builtin.text);
    const { id, name, box_public_key, sign_public_key } = builtin.json;
    const admitted = await post(`/api/v1/workspaces/${ws.id}/runners`,
      { id, name, box_public_key, sign_public_key });
    assert.equal(admitted.status, 201, admitted.text);
    runner = admitted.json;
  });

  after(async () => {
    await Promise.all([server && stopServer(server),
      ...Object.values(targets).map((t) => t.close())]);
    pki?.cleanup();
  });

  describe('kubernetes', () => {
    test('client certificate, kubeconfig style (CA from the credential): ok, version reported',
      async () => {
        const target = await kube('kube', 'client_certificate', {
          client_certificate: pki.clients.alice.certPem, client_key: pki.clients.alice.keyPem,
          ca_data: pki.ca.certPem });
        const { payload, state, recorded } = await probe(target);
        assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
        assert.equal(payload.credential_verified, true);
        assert.equal(payload.server_version, 'v1.30.4');
        assert.equal(payload.authenticated_as, 'alice');
        assert.equal(payload.credential_in_clear, false);
        assert.deepEqual(codes(payload), []);
        assert.equal(state, 'connected');
        assert.equal(recorded.last_test.http_status, 201);
        const review = targets.kube.requests.find((r) => r.path.endsWith('/selfsubjectreviews') &&
          r.user === 'alice');
        assert.equal(review?.authMethod, 'client-certificate');
      });

    test('bearer token: ok and connected', async () => {
      const target = await kube('kube', 'bearer_token', { token: KUBE_TOKEN, ca_data: pki.ca.certPem });
      const { payload, state } = await probe(target);
      assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
      assert.equal(payload.authenticated_as, 'deployer');
      assert.equal(payload.deciding_step, 'self_subject_review');
      assert.equal(state, 'connected');
    });

    test('unknown token: unauthorized, disconnected, re-upload kubeconfig / rotate token',
      async () => {
        const target = await kube('kube', 'bearer_token',
          { token: secret('revoked'), ca_data: pki.ca.certPem });
        const { payload, state } = await probe(target);
        assert.equal(payload.outcome, 'unauthorized');
        assert.equal(payload.http_status, 401);
        assert.equal(payload.credential_verified, false);
        assert.ok(codes(payload).includes('reupload_kubeconfig'), codes(payload).join());
        assert.ok(codes(payload).includes('rotate_token'), codes(payload).join());
        assert.match(payload.message, /kubeconfig/i);
        // kube-apiserver authenticates every path: a bad token gets 401 on /version as well
        // (only a request with no credential is anonymous), so no version is reported.
        assert.equal(payload.server_version, '');
        assert.equal(payload.deciding_step, 'self_subject_review');
        assert.equal(state, 'disconnected');
      });

    test('expired or foreign client certificate: unauthorized with re-upload kubeconfig',
      async () => {
        for (const id of ['alice-old', 'foreign']) {
          const target = await kube('kube', 'client_certificate', {
            client_certificate: pki.clients[id].certPem, client_key: pki.clients[id].keyPem,
            ca_data: pki.ca.certPem });
          const { payload, state } = await probe(target);
          assert.equal(payload.outcome, 'unauthorized', `${id}: ${JSON.stringify(payload)}`);
          assert.ok(codes(payload).includes('reupload_kubeconfig'), id);
          assert.equal(state, 'disconnected', id);
        }
      });

    test('valid user without RBAC permission: forbidden (credential valid, permission missing)',
      async () => {
        const target = await kube('kube', 'bearer_token',
          { token: KUBE_NO_RBAC_TOKEN, ca_data: pki.ca.certPem });
        const { payload, state } = await probe(target);
        assert.equal(payload.outcome, 'forbidden', JSON.stringify(payload));
        assert.equal(payload.http_status, 403);
        assert.deepEqual(codes(payload), ['check_permissions']);
        assert.match(payload.message, /credential is valid/);
        assert.equal(payload.credential_verified, false);
        assert.equal(state, 'disconnected');
      });

    // Before 1.26 system:basic-user does not grant selfsubjectreviews: the plan falls back to
    // the access review on a 403 that names the user.
    for (const [name, minor, version] of [['kube125', 25, 'v1.25.16'], ['kube', 30, 'v1.30.4']]) {
      test(`a good non-admin token on 1.${minor}: ok (fallback on the named-user 403)`,
        async () => {
          const target = await kube(name, 'bearer_token',
            { token: KUBE_TOKEN, ca_data: pki.ca.certPem });
          const { payload, state } = await probe(target);
          assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
          assert.equal(payload.server_version, version);
          assert.equal(payload.deciding_step,
            minor < 26 ? 'self_subject_access_review' : 'self_subject_review');
          assert.equal(state, 'connected');
          const review = targets[name].requests.filter((r) => r.path.endsWith('/selfsubjectreviews')
            && r.user === 'deployer').at(-1);
          assert.equal(review.status, minor < 26 ? 403 : 201);
        });

      test(`no RBAC on 1.${minor}: still forbidden`, async () => {
        const target = await kube(name, 'bearer_token',
          { token: KUBE_NO_RBAC_TOKEN, ca_data: pki.ca.certPem });
        const { payload } = await probe(target);
        assert.equal(payload.outcome, 'forbidden', JSON.stringify(payload));
      });

      test(`anonymous 403 on 1.${minor} stays unauthorized`, async () => {
        // Basic auth reaches the API server as no credential at all (system:anonymous).
        const target = await kube(name, 'basic',
          { username: 'admin', password: secret('basic'), ca_data: pki.ca.certPem });
        const { payload, state } = await probe(target);
        assert.equal(payload.outcome, 'unauthorized', JSON.stringify(payload));
        assert.equal(payload.http_status, 403);
        assert.equal(payload.deciding_step, 'self_subject_review');
        assert.ok(codes(payload).includes('reupload_kubeconfig'));
        assert.equal(state, 'disconnected');
      });
    }

    test('an admin on 1.25 (no SelfSubjectReview API: 404): ok through the fallback', async () => {
      const target = await kube('kube125', 'bearer_token',
        { token: KUBE_ADMIN_TOKEN, ca_data: pki.ca.certPem });
      const { payload, state } = await probe(target);
      assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
      assert.equal(payload.deciding_step, 'self_subject_access_review');
      assert.equal(state, 'connected');
      const review = targets.kube125.requests.filter((r) => r.path.endsWith('/selfsubjectreviews')
        && r.user === 'cluster-admin').at(-1);
      assert.equal(review.status, 404);
    });

    test('CA of another authority: tls_untrusted, upload the CA', async () => {
      const target = await kube('kube', 'bearer_token',
        { token: KUBE_TOKEN, ca_data: pki.otherCa.certPem });
      const { payload, state } = await probe(target);
      assert.equal(payload.outcome, 'tls_untrusted', JSON.stringify(payload));
      assert.equal(payload.transport_error, 'tls_untrusted_ca');
      assert.ok(codes(payload).includes('upload_ca'));
      assert.equal(state, 'not_found');
    });

    test('the connection\'s CA wins over the credential\'s', async () => {
      const target = await kube('kube', 'bearer_token',
        { token: KUBE_TOKEN, ca_data: pki.ca.certPem }, { ca: pki.otherCa.certPem });
      const { payload } = await probe(target);
      assert.equal(payload.outcome, 'tls_untrusted', JSON.stringify(payload));
    });

    test('server certificate for another name: tls_hostname_mismatch', async () => {
      const target = await kube('kubeOtherName', 'bearer_token',
        { token: KUBE_TOKEN, ca_data: pki.ca.certPem });
      const { payload, state } = await probe(target);
      assert.equal(payload.outcome, 'tls_hostname_mismatch', JSON.stringify(payload));
      assert.equal(payload.transport_error, 'tls_hostname_mismatch');
      assert.ok(codes(payload).includes('set_server_name'));
      assert.equal(state, 'not_found');
      // Setting the TLS server name to the one the certificate names fixes it.
      const named = await kube('kubeOtherName', 'bearer_token',
        { token: KUBE_TOKEN, ca_data: pki.ca.certPem }, { serverName: 'other.example' });
      assert.equal((await probe(named)).payload.outcome, 'ok');
    });

    test('expired server certificate: tls_expired', async () => {
      const target = await kube('kubeExpired', 'bearer_token',
        { token: KUBE_TOKEN, ca_data: pki.ca.certPem });
      const { payload, state } = await probe(target);
      assert.equal(payload.outcome, 'tls_expired', JSON.stringify(payload));
      assert.equal(payload.transport_error, 'tls_certificate_expired');
      assert.ok(codes(payload).includes('renew_server_certificate'));
      assert.equal(state, 'not_found');
    });
  });

  describe('prometheus with TLS and a required client certificate (real Prometheus)', () => {
    test('with the client certificate: ok', async () => {
      // The credential model has no client-certificate method for Prometheus, so this job is
      // sealed from the probe target directly (same runner, same relay, same verification).
      const target = await connect({ kind: 'prometheus', endpoint: targets.promTls.url,
        method: 'basic', fields: { username: 'scraper', password: PROM_PASSWORD },
        ca: pki.ca.certPem });
      const header = { job_id: cv.newId(), workspace_id: ws.id,
        connection_id: target.connection.id, runner_id: runner.id, issued_at: nowSeconds(),
        expires_at: nowSeconds() + 30 };
      const job = cv.sealTestJob(runner.box_public_key, header, {
        kind: 'prometheus', endpoint: targets.promTls.url,
        tls: { ca_pem: pki.ca.certPem, server_name: '', insecure_skip_verify: false },
        auth: { kind: 'client_certificate',
          client_certificate_pem: pki.clients['prom-scraper'].certPem,
          client_key_pem: pki.clients['prom-scraper'].keyPem } });
      const { payload, state } = await relay(target.connection, { job, header });
      assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
      assert.match(payload.server_version, /^\d+\.\d+/);
      assert.equal(state, 'connected');
    });

    test('basic auth only, no client certificate: tls_client_cert_refused', async () => {
      const target = await connect({ kind: 'prometheus', endpoint: targets.promTls.url,
        method: 'basic', fields: { username: 'scraper', password: PROM_PASSWORD },
        ca: pki.ca.certPem });
      const { payload, state } = await probe(target);
      assert.equal(payload.outcome, 'tls_client_cert_refused', JSON.stringify(payload));
      assert.equal(payload.transport_error, 'tls_client_certificate_refused');
      assert.ok(codes(payload).includes('upload_client_certificate'));
      assert.equal(state, 'disconnected');
    });
  });

  describe('grafana', () => {
    for (const [method, field, token] of [['service_account_token', 'token', GRAFANA_SA_TOKEN],
      ['api_key', 'api_key', GRAFANA_API_KEY]]) {
      test(`${method}: ok, wrong: unauthorized`, async () => {
        const good = await connect({ kind: 'grafana', endpoint: targets.grafana.url, method,
          fields: { [field]: token }, ca: pki.ca.certPem });
        const ok = await probe(good);
        assert.equal(ok.payload.outcome, 'ok', JSON.stringify(ok.payload));
        assert.equal(ok.payload.credential_verified, true);
        assert.equal(ok.payload.server_version, '11.2.0');
        assert.equal(ok.state, 'connected');

        const bad = await connect({ kind: 'grafana', endpoint: targets.grafana.url, method,
          fields: { [field]: makeServiceAccountToken() }, ca: pki.ca.certPem });
        const refused = await probe(bad);
        assert.equal(refused.payload.outcome, 'unauthorized', JSON.stringify(refused.payload));
        assert.equal(refused.payload.http_status, 401);
        assert.deepEqual(codes(refused.payload), ['rotate_token', 'edit_credential']);
        assert.equal(refused.state, 'disconnected');
      });
    }
  });

  describe('github', () => {
    const endpoint = () => targets.github.url;
    test('personal access token: ok, bad: unauthorized', async () => {
      const good = await connect({ kind: 'github', endpoint: endpoint(),
        method: 'personal_access_token', fields: { token: GITHUB_PAT }, ca: pki.ca.certPem });
      const ok = await probe(good);
      assert.equal(ok.payload.outcome, 'ok', JSON.stringify(ok.payload));
      assert.equal(ok.payload.authenticated_as, 'octocat');
      assert.equal(ok.state, 'connected');

      const bad = await connect({ kind: 'github', endpoint: endpoint(),
        method: 'personal_access_token', fields: { token: `ghp_${'0'.repeat(36)}` },
        ca: pki.ca.certPem });
      const refused = await probe(bad);
      assert.equal(refused.payload.outcome, 'unauthorized', JSON.stringify(refused.payload));
      assert.equal(refused.payload.http_status, 401);
      assert.match(refused.payload.message, /Bad credentials/);
      assert.ok(codes(refused.payload).includes('rotate_token'));
      assert.equal(refused.state, 'disconnected');
    });

    test('App (RS256 JWT, installation token, repositories): ok, wrong key: unauthorized',
      async () => {
        const app = (privateKey) => connect({ kind: 'github', endpoint: endpoint(),
          method: 'github_app', ca: pki.ca.certPem, fields: { app_id: String(APP_ID),
            installation_id: String(INSTALLATION_ID), private_key: privateKey } });
        const ok = await probe(await app(pki.githubApp.privateKeyPem));
        assert.equal(ok.payload.outcome, 'ok', JSON.stringify(ok.payload));
        assert.equal(ok.payload.authenticated_as, 'acme');
        assert.equal(ok.payload.deciding_step, 'installation_repositories');
        assert.equal(ok.state, 'connected');
        assert.ok(targets.github.requests.some((r) => r.credential === 'installation' &&
          r.path.startsWith('/api/v3/installation/repositories') && r.status === 200));

        const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048,
          privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
          publicKeyEncoding: { type: 'spki', format: 'pem' } });
        const refused = await probe(await app(privateKey));
        assert.equal(refused.payload.outcome, 'unauthorized', JSON.stringify(refused.payload));
        assert.equal(refused.payload.deciding_step, 'access_token');
        assert.equal(refused.payload.http_status, 401);
        assert.ok(codes(refused.payload).includes('edit_credential'));
        assert.equal(refused.state, 'disconnected');
      });
  });

  describe('http', () => {
    const httpConnection = (path, token = HTTP_TOKEN) => connect({ kind: 'http',
      endpoint: `${targets.plain.url}${path}`, method: 'bearer_token', fields: { token } });

    test('expected status with the right token: ok, and the plain-http warning', async () => {
      const { payload, state } = await probe(await httpConnection('/healthz'),
        { http_expected_status: 200 });
      assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
      assert.equal(payload.credential_verified, true);
      assert.equal(payload.credential_in_clear, true);
      assert.deepEqual(codes(payload), ['use_https']);
      assert.equal(state, 'connected');
    });

    test('wrong token: unauthorized', async () => {
      const { payload, state } = await probe(await httpConnection('/healthz', secret('nope')));
      assert.equal(payload.outcome, 'unauthorized', JSON.stringify(payload));
      assert.equal(payload.http_status, 401);
      assert.ok(codes(payload).includes('rotate_token'));
      assert.equal(state, 'disconnected');
    });

    test('a status other than the expected one: unexpected', async () => {
      const { payload, state } = await probe(await httpConnection('/healthz'),
        { http_expected_status: 204 });
      assert.equal(payload.outcome, 'unexpected', JSON.stringify(payload));
      assert.equal(payload.http_status, 200);
      assert.match(payload.message, /204/);
      assert.equal(state, 'not_found');
    });

    test('expecting 401 checks that the endpoint demands a credential', async () => {
      const { payload } = await probe(await httpConnection('/healthz', secret('nope')),
        { http_expected_status: 401 });
      assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
    });

    test('a server that checks nothing: ok, but the credential is not verified', async () => {
      const { payload } = await probe(await httpConnection('/open'));
      assert.equal(payload.outcome, 'ok', JSON.stringify(payload));
      assert.equal(payload.credential_verified, false);
      assert.match(payload.message, /without the credential/);
    });
  });

  test('no secret reaches the server log', () => {
    for (const s of EVERY_SECRET) assert.equal(server.rawLog.includes(s), false);
    assert.equal(server.rawLog.includes('PRIVATE KEY'), false);
  });
});
