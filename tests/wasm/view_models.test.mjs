// The view models and the kubeconfig import of the ES module, as the web app calls them:
// plain `import`, Node 20, JSON in and out, errors as CredvaultError with the core's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const moduleDir = process.env.CREDVAULT_MODULE_DIR ?? path.resolve('build/wasm/wasm');
const { default: createCredvault, CredvaultError } =
  await import(pathToFileURL(path.join(moduleDir, 'credvault.mjs')).href);
const cv = await createCredvault();
const kdf = cv.kdfMinimum();
const multi = await readFile(new URL('../data/kubeconfig/multi.yaml', import.meta.url), 'utf8');

// What the fixture holds that must never leave WASM unsealed.
const SECRETS = ['shared-ci-token-abcdef0123456789', 'lab-p@ss: word'];
const CLIENT_KEY_B64 = multi.match(/client-key-data: (\S+)/)[1];
const ID = /^[A-Za-z0-9_-]{22}$/;

function assertCode(fn, code) {
  assert.throws(fn, (e) => e instanceof CredvaultError && e.code === code,
    `expected CredvaultError ${code}`);
}

async function assertRejects(fn, code) {
  await assert.rejects(fn, (e) => e instanceof CredvaultError && e.code === code,
    `expected CredvaultError ${code}`);
}

function workspace() {
  const id = cv.newId();
  return { id, keys: cv.newWorkspaceKeys(id, 1) };
}

const owner = cv.createAccount('importer@example.com', 'pw', kdf);
const ownerId = owner.record.account_id;

test('authMethods: each kind offers its own methods and fields', () => {
  const methods = (kind) => cv.authMethods(kind).map((m) => m.method);
  assert.deepEqual(methods('kubernetes'), ['bearer_token', 'client_certificate', 'basic']);
  for (const kind of ['prometheus', 'grafana', 'github', 'http']) {
    assert.ok(methods(kind).length > 0, kind);
  }
  assert.ok(methods('github').includes('github_app'));
  assert.ok(!methods('github').includes('basic'));
  assert.ok(methods('grafana').includes('service_account_token'));
  const cert = cv.authMethods('kubernetes').find((m) => m.method === 'client_certificate');
  const key = cert.fields.find((f) => f.name === 'client_key');
  assert.deepEqual({ required: key.required, masked: key.masked, multiline: key.multiline },
    { required: true, masked: true, multiline: true });
  assertCode(() => cv.authMethods('ftp'), 'validation');
});

test('credentialForm: a bad PEM and a missing required field, beside their fields', () => {
  const view = { schema_version: 1, name: 'alice', kind: 'kubernetes',
    auth_method: 'client_certificate', fields: { client_certificate: 'bm90LWEtcGVt' } };
  const pristine = cv.credentialForm(view, false);
  assert.equal(pristine.valid, false);
  const field = (form, name) => form.fields.find((f) => f.name === name);
  assert.equal(field(pristine, 'client_certificate').code, 'pem_missing_armour');
  assert.ok(field(pristine, 'client_certificate').message.length > 0);
  assert.equal(field(pristine, 'client_key').code, '');  // "required" waits for a submit
  const submitted = cv.credentialForm(view, true);
  assert.equal(field(submitted, 'client_key').code, 'required');
  assert.deepEqual(submitted.methods, ['bearer_token', 'client_certificate', 'basic']);
  assert.equal(JSON.stringify(submitted).includes('bm90LWEtcGVt'), false);

  const ok = cv.credentialForm({ schema_version: 1, name: 'ci', kind: 'kubernetes',
    auth_method: 'bearer_token', fields: { token: 'abc.def', password: 'left-over' } }, true);
  assert.equal(ok.valid, true);  // a field of another method does not block the form
  const dropped = cv.dropUnusedFields({ schema_version: 1, name: 'ci', kind: 'kubernetes',
    auth_method: 'bearer_token', fields: { token: 'abc.def', password: 'left-over' } });
  assert.deepEqual(dropped.fields, { token: 'abc.def' });
  assertCode(() => cv.credentialForm({ schema_version: 1, kind: 'ftp', auth_method: 'basic',
    fields: {} }), 'validation');
});

test('connectionForm: plain http warns without blocking; a misfit credential blocks', () => {
  const input = { kind: 'prometheus', name: 'prom', endpoint: 'http://prom.internal:9090',
    tls: { ca_data: '', server_name: '', insecure_skip_verify: false }, credential: null };
  const form = cv.connectionForm(input, true);
  assert.equal(form.valid, true);
  assert.deepEqual(form.warnings.map((w) => [w.label, w.tone]), [['Plain HTTP', 'warning']]);
  const misfit = cv.connectionForm({ ...input, endpoint: 'https://prom.internal',
    credential: { kind: 'github', auth_method: 'personal_access_token' } }, true);
  assert.equal(misfit.valid, false);
  assert.equal(misfit.credential.code, 'does_not_fit');
  assert.equal(misfit.warnings.length, 0);
  assert.equal(cv.connectionForm({ kind: 'http', endpoint: 'ftp://x' }, false).endpoint.code,
    'bad_scheme');
  assertCode(() => cv.connectionForm({ name: 'no kind' }), 'validation');
});

test('chips and actions: a viewer sees no state menu, an operator does', () => {
  assert.deepEqual(cv.stateChip('disconnected'),
    { label: 'Disconnected', tone: 'danger', code: 'disconnected',
      tooltip: cv.stateChip('disconnected').tooltip });
  assert.equal(cv.outcomeChip('ok').tone, 'success');
  assertCode(() => cv.stateChip('up'), 'validation');

  const viewer = cv.connectionActions('registered', 'viewer');
  assert.deepEqual(viewer, { transitions: [], can_test: false, can_edit: false });
  const operator = cv.connectionActions('registered', 'operator');
  assert.equal(operator.can_test, true);
  assert.ok(operator.transitions.length > 0);
  for (const t of operator.transitions) {
    assert.ok(t.label && t.confirmation, JSON.stringify(t));
    assert.notEqual(t.to, 'connected');  // only a test proves a connection
  }
  assert.equal(cv.connectionActions('deleted', 'owner').can_edit, false);
  assertCode(() => cv.connectionActions('registered', 'root'), 'validation');
});

test('expiryChip: the soonest reported expiry within the window, as a history entry gives it',
  () => {
    const DAY = 86400;
    const now = 1893456000;  // 2030-01-01 00:00 UTC
    const entry = { connection_id: 'c', outcome: 'ok', client_cert_not_after: now + 5 * DAY,
      server_cert_not_after: now + 365 * DAY, token_expires_at: null };
    assert.deepEqual(cv.expiryChip(entry, { now }), {
      label: 'client certificate expires in 5 days', tone: 'warning', code: 'expiry',
      item: 'client_certificate', expires_at: now + 5 * DAY, days_left: 5, expired: false,
      tooltip: 'The client certificate is not valid after 2030-01-06 00:00 UTC.' });
    // Exactly the window is within it; a second more is not; the window is the caller's.
    assert.equal(cv.expiryChip({ token_expires_at: now + 14 * DAY }, { now }).days_left, 14);
    assert.equal(cv.expiryChip({ token_expires_at: now + 14 * DAY + 1 }, { now }), null);
    assert.equal(cv.expiryChip(entry, { now, warning_days: 4 }), null);
    assert.equal(cv.expiryChip({ token_expires_at: now + 2 * DAY }, { now }).tone, 'danger');
    const expired = cv.expiryChip({ server_cert_not_after: now - DAY }, { now });
    assert.equal(expired.label, 'server certificate expired');
    assert.equal(expired.tone, 'danger');
    // Never tested, nothing reported, or far ahead (by the current time): no chip.
    assert.equal(cv.expiryChip(null), null);
    assert.equal(cv.expiryChip({}), null);
    assert.equal(cv.expiryChip({ client_cert_not_after: Math.floor(Date.now() / 1000) +
      100 * DAY }), null);
    assertCode(() => cv.expiryChip({ client_cert_not_after: '2030-01-06' }, { now }),
      'validation');
    assertCode(() => cv.expiryChip({ token_expires_at: -1 }, { now }), 'invalid_argument');
    assertCode(() => cv.expiryChip(entry, { now, warning_days: -1 }), 'invalid_argument');
  });

test('summarizeConnection and listConnections: filter, sort, counts', () => {
  const ws = workspace();
  const make = (name, kind, endpoint, state, updated, environment_ids = []) => {
    const sealed = cv.sealConnection({ schema_version: 1, id: cv.newId(), workspace_id: ws.id,
      kind, name, endpoint, tls: { ca_data: '', server_name: '', insecure_skip_verify: false },
      credential_id: '', managed: false, environment_ids, state, version: 1,
      created_at: updated, updated_at: updated }, ws.keys);
    return cv.summarizeConnection(sealed, ws.keys);
  };
  const env = cv.newId();
  const rows = [
    make('prod-eu', 'kubernetes', 'https://eu.k8s.corp:6443', 'connected', 50, [env]),
    make('Prod-US', 'kubernetes', 'https://us.k8s.corp:6443', 'disconnected', 30, [env]),
    make('metrics', 'prometheus', 'http://prom.corp:9090', 'connected', 90),
    make('old', 'kubernetes', 'https://old.k8s.corp', 'deleted', 10),
  ];
  assert.equal(rows[2].plain_http, true);
  assert.equal(rows[2].version, 1);
  assert.deepEqual(rows[2].chips.warnings.map((c) => c.label), ['Plain HTTP']);
  assert.equal(rows[0].chips.state.label, 'Connected');
  assert.equal(rows[0].chips.last_test, null);
  assert.equal(rows[0].host, 'eu.k8s.corp');

  const all = cv.listConnections(rows, {});
  assert.deepEqual(all.items.map((r) => r.name), ['metrics', 'prod-eu', 'Prod-US']);
  assert.equal(all.total, 3);
  assert.equal(all.counts.connected, 2);
  assert.equal(all.counts.deleted, 1);
  assert.deepEqual(all.items[0].chips, rows[2].chips);  // rows come back whole

  const k8s = cv.listConnections(rows, { kind: 'kubernetes', sort: 'updated', descending: true });
  assert.deepEqual(k8s.items.map((r) => r.name), ['prod-eu', 'Prod-US']);
  const down = cv.listConnections(rows, { state: 'disconnected' });
  assert.deepEqual(down.items.map((r) => r.name), ['Prod-US']);
  assert.equal(down.counts.connected, 2);  // counts ignore the state filter
  assert.equal(cv.listConnections(rows, { environment: env, search: 'US' }).total, 1);
  assert.equal(cv.listConnections(rows, { search: 'K8S.CORP' }).total, 2);
  const page = cv.listConnections(rows, { sort: 'name', offset: 1, limit: 1 });
  assert.deepEqual(page.items.map((r) => r.name), ['prod-eu']);
  assert.equal(page.total, 3);
  assertCode(() => cv.listConnections(rows, { sort: 'size' }), 'validation');
  assertCode(() => cv.listConnections([{ id: 'x' }], {}), 'validation');
});

test('listCredentials: search, kind, rotate count; rows carry chips', () => {
  const ws = workspace();
  const seal = (name, kind, auth_method, fields) => {
    const dataKey = cv.newDataKey();
    const sealed = cv.sealCredential({ schema_version: 1, name, kind, auth_method, fields },
      { id: cv.newId(), owner_id: ownerId, workspace_id: ws.id, version: 1, created_at: 1,
        updated_at: 1 }, dataKey, [ws.keys]);
    cv.release(dataKey);
    return cv.summarizeCredential(sealed, ws.keys);
  };
  const rows = [
    seal('zeta token', 'kubernetes', 'bearer_token', { token: 'abc' }),
    seal('Alpha reader', 'prometheus', 'basic', { username: 'r', password: 'p' }),
  ];
  assert.deepEqual(rows[0].chips, { warnings: [] });
  const list = cv.listCredentials(rows, { sort: 'name' });
  assert.deepEqual(list.items.map((r) => r.name), ['Alpha reader', 'zeta token']);
  assert.equal(list.rotate_recommended, 0);
  const rotated = [{ ...rows[0], rotate_recommended: true }, rows[1]];
  assert.equal(cv.listCredentials(rotated, {}).rotate_recommended, 1);
  assert.equal(cv.listCredentials(rows, { kind: 'prometheus' }).total, 1);
  assert.equal(cv.listCredentials(rows, { search: 'ZETA' }).items[0].name, 'zeta token');
  assertCode(() => cv.listCredentials(rows, { kind: 'ftp' }), 'validation');
});

test('the YAML reader is a module of its own, without keys, loaded on first use', async () => {
  const load = async (name) => (await import(pathToFileURL(path.join(moduleDir, name)).href))
    .default({ wasmBinary: await readFile(path.join(moduleDir, name.replace('.mjs', '.wasm'))) });
  const core = await load('credvault_core.mjs');
  assert.equal(core.planKubeconfigImport, undefined);
  assert.equal(typeof core.kubeconfigIds, 'function');
  const kube = await load('credvault_kubeconfig.mjs');
  assert.equal(kube.newWorkspaceKeys, undefined);
  assert.equal(kube.kubeconfigIds, undefined);
  // Without ids from the main module, the kubeconfig module cannot plan an import.
  const plan = kube.planKubeconfigImport(multi, { select_all: true }, { contexts: {} }, false);
  assert.equal(plan.__credvault_error, 'invalid_argument');
  assert.equal(kube.kubeconfigIdInputs('- a list\n').__credvault_error, 'validation');
});

test('planKubeconfigImport: every context, then a selection with a rename', async () => {
  const ws = workspace();
  const plan = await cv.planKubeconfigImport(multi, { select_all: true }, ws.keys);
  assert.deepEqual(plan.contexts.map((c) => c.context), ['dev', 'staging', 'prod', 'lab', 'qa']);
  assert.equal(plan.current_context, 'staging');
  assert.equal(plan.summary.imported, 5);
  for (const c of plan.contexts) {
    assert.equal(c.outcome, 'imported', JSON.stringify(c.problem));
    assert.match(c.connection_id, ID);
    assert.match(c.credential_id, ID);
    assert.equal(c.state, 'discovered');
  }
  // ci-bot and ci-bot-copy hold the same token: one credential for staging, prod and qa.
  const byContext = Object.fromEntries(plan.contexts.map((c) => [c.context, c]));
  assert.equal(byContext.staging.credential_id, byContext.qa.credential_id);
  assert.equal(plan.credentials.length, 3);
  const json = JSON.stringify(plan);
  for (const s of [...SECRETS, CLIENT_KEY_B64.slice(0, 40)]) assert.equal(json.includes(s), false);

  const picked = await cv.planKubeconfigImport(multi,
    { selected: [{ context: 'prod', new_name: 'prod-web' }, { context: 'lab' }] }, ws.keys);
  const outcomes = Object.fromEntries(picked.contexts.map((c) => [c.context, c.outcome]));
  assert.deepEqual(outcomes,
    { dev: 'skipped', staging: 'skipped', prod: 'imported', lab: 'imported', qa: 'skipped' });
  assert.equal(picked.contexts.find((c) => c.context === 'prod').name, 'prod-web');
  assert.equal(picked.contexts.find((c) => c.context === 'dev').problem.code, 'not_selected');
  // The same workspace gives the same ids; another workspace, other ids.
  assert.equal(picked.contexts[2].connection_id, byContext.prod.connection_id);
  const other = await cv.planKubeconfigImport(multi, undefined, workspace().keys);
  assert.notEqual(other.contexts[2].connection_id, byContext.prod.connection_id);

  await assertRejects(
    () => cv.planKubeconfigImport(multi, { selected: [{ context: 'nope' }] }, ws.keys),
    'not_found');
  await assertRejects(() => cv.planKubeconfigImport(multi, { select_all: 'yes' }, ws.keys),
    'validation');
});

test('planKubeconfigImport: a broken file is an error with its line and column', async () => {
  const ws = workspace();
  await assert.rejects(
    () => cv.planKubeconfigImport('apiVersion: v1\nclusters: [\n  - {', {}, ws.keys),
    (e) => e instanceof CredvaultError && e.code === 'parse_error' && /line \d+/.test(e.message));
  await assertRejects(() => cv.planKubeconfigImport('- just\n- a list\n', {}, ws.keys),
    'validation');
  await assertRejects(() => cv.planKubeconfigImport(multi, {}, 12345), 'unknown_handle');
});

test('sealKubeconfigImport: records to POST, no secret in them, re-open in WASM', async () => {
  const ws = workspace();
  const out = await cv.sealKubeconfigImport(multi, { select_all: true }, ws.keys,
    { owner_id: ownerId, now: 1700000000 });
  const text = JSON.stringify(out);
  for (const s of [...SECRETS, CLIENT_KEY_B64.slice(0, 40)]) {
    assert.equal(text.includes(s), false, `leaked ${s.slice(0, 12)}`);
  }
  // The plan shows the user their endpoints; the records sent to the server do not.
  const records = JSON.stringify([out.credentials, out.connections]);
  for (const host of ['dev.k8s.example.test', 'staging.k8s.example.test', '10.0.0.9']) {
    assert.equal(records.includes(host), false, host);
  }
  assert.equal(out.credentials.length, 3);
  assert.equal(out.connections.length, 5);
  const views = {};
  for (const c of out.credentials) {
    assert.match(c.id, ID);
    assert.equal(c.version, 1);
    assert.equal(c.owner_id, ownerId);
    assert.equal(c.workspace_id, ws.id);
    assert.deepEqual(c.grants.map((g) => g.workspace_id), [ws.id]);
    views[c.id] = cv.openCredential(c, ws.keys);
  }
  // Each credential has its own data key: no two wrap the same key.
  assert.equal(new Set(out.credentials.map((c) => c.grants[0].wrapped_data_key)).size, 3);
  const tokens = Object.values(views).filter((v) => v.auth_method === 'bearer_token');
  assert.deepEqual(tokens.map((v) => v.fields.token), [SECRETS[0]]);
  const basic = Object.values(views).find((v) => v.auth_method === 'basic');
  assert.equal(basic.fields.password, SECRETS[1]);

  for (const c of out.connections) {
    assert.equal(c.version, 1);
    assert.equal(c.state, 'discovered');
    assert.equal(c.managed, true);
    assert.ok(views[c.credential_id], 'every connection names a sealed credential');
  }
  const dev = cv.openConnection(out.connections[0], ws.keys);
  assert.equal(dev.name, 'dev');
  assert.equal(dev.endpoint, 'https://dev.k8s.example.test:6443');
  assert.equal(dev.tls.server_name, 'kubernetes.default');
  assert.match(dev.tls.ca_data, /BEGIN CERTIFICATE/);
  const lab = cv.openConnection(out.connections[3], ws.keys);
  assert.equal(lab.tls.insecure_skip_verify, true);
  assert.equal(cv.summarizeConnection(out.connections[3], ws.keys).chips.warnings[0].label,
    'TLS not verified');
});

test('sealKubeconfigImport: a re-import updates at version + 1, reuses credentials', async () => {
  const ws = workspace();
  const first = await cv.sealKubeconfigImport(multi, { select_all: true }, ws.keys,
    { owner_id: ownerId, now: 1 });
  const rows = first.connections.map((c) => cv.summarizeConnection(c, ws.keys));
  rows[0] = { ...rows[0], version: 3, state: 'connected' };
  const env = cv.newId();
  rows[0].environment_ids = [env];
  const request = { selected: [{ context: 'dev' }, { context: 'lab', new_name: 'lab-2' }],
    existing: rows.slice(0, 1), existing_credentials: first.credentials.map((c) => c.id) };
  const again = await cv.sealKubeconfigImport(multi, request, ws.keys,
    { owner_id: ownerId, now: 2 });
  const outcome = Object.fromEntries(again.plan.contexts.map((c) => [c.context, c.outcome]));
  assert.equal(outcome.dev, 'updated');
  assert.equal(outcome.lab, 'imported');
  assert.deepEqual(again.credentials, []);
  const [dev, lab] = again.connections;
  assert.equal(dev.id, first.connections[0].id);
  assert.equal(dev.version, 4);  // PUT .../connections/{id}
  assert.deepEqual(dev.environment_ids, [env]);
  assert.equal(cv.openConnection(dev, ws.keys).state, 'connected');
  assert.equal(lab.version, 1);  // POST
  assert.equal(cv.openConnection(lab, ws.keys).name, 'lab-2');

  const noVersion = { ...request, existing: [{ id: rows[0].id, state: 'connected', name: 'dev' }] };
  await assertRejects(
    () => cv.sealKubeconfigImport(multi, noVersion, ws.keys, { owner_id: ownerId }),
    'invalid_argument');
  await assertRejects(() => cv.sealKubeconfigImport(multi, {}, ws.keys, {}), 'validation');
});

test('sealKubeconfigImport: a viewer cannot seal credentials, but can preview', async () => {
  const member = cv.createAccount('viewer@example.com', 'pw', kdf);
  const ws = workspace();
  const pins = { [ownerId]: owner.record.sign_public_key };
  const grant = cv.makeGrant(owner.account, ws.keys, false, member.record.account_id,
    member.record.box_public_key);
  const viewerWs = cv.openGrant(member.account, grant, pins);
  const plan = await cv.planKubeconfigImport(multi, {}, viewerWs);
  // Every member derives the same id key from the metadata key.
  assert.deepEqual(plan.contexts.map((c) => c.connection_id),
    (await cv.planKubeconfigImport(multi, {}, ws.keys)).contexts.map((c) => c.connection_id));
  await assertRejects(() => cv.sealKubeconfigImport(multi, { select_all: true }, viewerWs,
    { owner_id: ownerId }), 'permission_denied');
});
