// Connections: counts per state, filters, the list with status chips, and per connection the
// test (spinner, then the verified outcome with its remediation actions as buttons), the
// state menu with the core's confirmation texts, and the create / edit form. A name links to
// the connection's detail (connection_detail.js).
import { openDialog } from '../app.js';
import { chip, field, formatTime, h, replace, setFieldMessage, errorText } from '../dom.js';
import { credentialDialog } from './credentials.js';

export const KINDS = ['kubernetes', 'prometheus', 'grafana', 'github', 'http'];
export const KIND_LABELS = { kubernetes: 'Kubernetes', prometheus: 'Prometheus',
  grafana: 'Grafana', github: 'GitHub', http: 'HTTP API' };
const STATES = ['discovered', 'registered', 'connected', 'ignored', 'maintenance',
  'disconnected', 'not_found', 'deleted'];

function options(values, labels = {}, selected = '') {
  return values.map((value) => h('option', { value, selected: value === selected },
    labels[value] ?? value.replace(/_/g, ' ')));
}

// ---- the form ---------------------------------------------------------------------------

async function connectionDialog(app, { existing } = {}) {
  const ws = app.ws;
  const [credentials, environments] = await Promise.all([ws.credentials(), ws.environments()]);
  const view = existing ? await ws.openConnection(existing.id) : null;
  const kind = h('select', { name: 'kind', disabled: Boolean(existing) },
    options(KINDS, KIND_LABELS, view?.kind ?? 'prometheus'));
  const name = h('input', { name: 'name', type: 'text', autocomplete: 'off',
    value: view?.name ?? '' });
  const endpoint = h('input', { name: 'endpoint', type: 'url', autocomplete: 'off',
    spellcheck: false, value: view?.endpoint ?? '', placeholder: 'https://prometheus.internal:9090' });
  const credential = h('select', { name: 'credential' });
  const ca = h('textarea', { name: 'ca_data', rows: 4, spellcheck: false,
    placeholder: '-----BEGIN CERTIFICATE-----' }, view?.tls?.ca_data ?? '');
  const serverName = h('input', { name: 'server_name', type: 'text', autocomplete: 'off',
    value: view?.tls?.server_name ?? '' });
  const skip = h('input', { name: 'insecure_skip_verify', type: 'checkbox',
    checked: Boolean(view?.tls?.insecure_skip_verify) });
  const environment = h('select', { name: 'environments', multiple: true,
    size: Math.min(4, Math.max(2, environments.length)) },
  environments.map((e) => h('option', { value: e.id,
    selected: view?.environment_ids?.includes(e.id) }, e.name)));
  const warnings = h('div', { class: 'chips', 'aria-live': 'polite' });
  const wrappers = {
    name: field('Name', name), endpoint: field('Endpoint URL', endpoint),
    credential: field('Credential', credential, { hint: 'Only credentials that fit the kind ' +
      'can be picked. None: the connection is tested anonymously.' }),
    ca_data: field('CA certificate (PEM)', ca, { hint: 'Leave empty to trust the runner\'s ' +
      'system store (a kubeconfig credential brings its cluster CA).' }),
    server_name: field('TLS server name', serverName, { hint: 'Only when the certificate names ' +
      'another host than the URL.' }),
    insecure_skip_verify: h('div', { class: 'check' }, skip, h('label', { for: skip.id || 'skip' },
      'Skip certificate verification (not recommended)')),
  };
  skip.id = 'skip-verify';
  wrappers.insecure_skip_verify.querySelector('label').setAttribute('for', 'skip-verify');

  function fillCredentials() {
    const wanted = kind.value;
    const fitting = credentials.filter((c) => c.kind === wanted ||
      (c.kind === 'http' && wanted !== 'kubernetes' && wanted !== 'github'));
    replace(credential, h('option', { value: '' }, 'None (anonymous)'),
      fitting.map((c) => h('option', { value: c.id, selected: c.id === view?.credential_id },
        `${c.name} (${c.auth_method.replace(/_/g, ' ')})`)));
  }
  fillCredentials();

  let touched = false;
  const input = () => {
    const picked = credentials.find((c) => c.id === credential.value);
    return { kind: kind.value, name: name.value, endpoint: endpoint.value.trim(),
      tls: { ca_data: ca.value, server_name: serverName.value.trim(),
        insecure_skip_verify: skip.checked },
      credential: picked ? { kind: picked.kind, auth_method: picked.auth_method } : null };
  };
  async function check() {
    const state = await app.cv.connectionForm(input(), touched);
    for (const key of ['name', 'endpoint', 'credential', 'ca_data', 'server_name']) {
      setFieldMessage(wrappers[key], state[key]?.message);
    }
    replace(warnings, (state.warnings ?? []).map((w) => chip(w)));
    return state;
  }
  for (const control of [kind, name, endpoint, credential, ca, serverName, skip]) {
    control.addEventListener('input', check);
  }
  kind.addEventListener('change', () => { fillCredentials(); check(); });
  await check();

  const body = h('form', { class: 'dialog-form', onsubmit: (e) => e.preventDefault() },
    field('Kind', kind), wrappers.name, wrappers.endpoint, warnings, wrappers.credential,
    environments.length ? field('Environments', environment) : null,
    h('details', { open: Boolean(view?.tls?.ca_data || view?.tls?.server_name) },
      h('summary', {}, 'TLS settings'), wrappers.ca_data, wrappers.server_name,
      wrappers.insecure_skip_verify));
  return openDialog(existing ? `Edit ${existing.name}` : 'New connection', body, { actions: [{
    label: existing ? 'Save' : 'Create', kind: 'primary', run: async () => {
      touched = true;
      const state = await check();
      if (!state.valid) return undefined;
      const now = Math.floor(Date.now() / 1000);
      const chosen = input();
      const next = {
        schema_version: 1, id: view?.id ?? await app.cv.newId(), workspace_id: app.wsInfo.id,
        kind: chosen.kind, name: chosen.name.trim(), endpoint: chosen.endpoint, tls: chosen.tls,
        credential_id: credential.value, managed: view?.managed ?? false,
        environment_ids: [...environment.selectedOptions].map((o) => o.value),
        state: view?.state ?? 'registered', version: view ? view.version + 1 : 1,
        created_at: view?.created_at ?? now, updated_at: now,
      };
      try {
        if (view) await ws.updateConnection(view.id, next);
        else await ws.createConnection(next);
      } catch (error) {
        setFieldMessage(wrappers.name, errorText(error));
        return undefined;
      }
      app.toast(view ? 'Connection saved.' : `Connection “${next.name}” created.`);
      return true;
    } }] });
}

// ---- a test -----------------------------------------------------------------------------

function remediationButton(app, connection, remediation, rerender, retest) {
  const run = {
    reupload_kubeconfig: () => app.go(`#/w/${app.wsInfo.id}/import`),
    rotate_token: () => editCredentialOf(app, connection, rerender),
    edit_credential: () => editCredentialOf(app, connection, rerender),
    upload_client_certificate: () => editCredentialOf(app, connection, rerender),
    register_connection: async () => {
      await app.ws.transition(connection.id, 'registered');
      rerender();
    },
    upload_ca: () => connectionDialog(app, { existing: connection }).then(rerender),
    set_server_name: () => connectionDialog(app, { existing: connection }).then(rerender),
    check_endpoint: () => connectionDialog(app, { existing: connection }).then(rerender),
    use_https: () => connectionDialog(app, { existing: connection }).then(rerender),
    retry_later: retest,
  }[remediation.code];
  if (!run) return h('span', { class: 'chip tone-neutral', title: remediation.code }, remediation.label);
  return h('button', { type: 'button', class: 'secondary small', dataset: { remediation: remediation.code },
    onclick: run }, remediation.label);
}

async function editCredentialOf(app, connection, rerender) {
  if (!connection.credential_id) return connectionDialog(app, { existing: connection }).then(rerender);
  const credentials = await app.ws.credentials();
  const credential = credentials.find((c) => c.id === connection.credential_id);
  if (!credential) {
    app.toast('The credential is not shared with this workspace.', 'error');
    return undefined;
  }
  await credentialDialog(app, { existing: credential });
  return rerender();
}

function testResultPanel(app, connection, result, rerender, retest) {
  return h('div', { class: `test-result outcome-${result.outcome}`, role: 'status' },
    h('div', { class: 'test-head' }, chip(result.chip ?? { label: result.outcome.replace(/_/g, ' '),
      tone: result.outcome === 'ok' ? 'success' : 'danger' }),
    h('span', {}, `${result.latency_ms} ms`),
    result.http_status ? h('span', {}, `HTTP ${result.http_status}`) : null,
    result.server_version ? h('span', {}, `server ${result.server_version}`) : null,
    result.authenticated_as ? h('span', {}, `as ${result.authenticated_as}`) : null,
    h('span', { class: 'verified', title: 'Signed by the runner; the signature was checked ' +
      'in this browser against the runner key pinned in the workspace' }, 'signature verified')),
    h('p', { class: 'test-message' }, result.message),
    result.remediations?.length ? h('div', { class: 'remediations' },
      result.remediations.map((r) => remediationButton(app, connection, r, rerender, retest)))
      : null);
}

// ---- the list ---------------------------------------------------------------------------

export async function renderConnections(view, app) {
  const ws = app.ws;
  const role = app.wsInfo.role;
  const query = app.connectionQuery ??= { search: '', kind: '', state: '', environment: '',
    sort: 'name', descending: false };
  const [listed, environments, monitor] = await Promise.all([ws.connections(), ws.environments(),
    ws.monitorSettings().catch(() => null)]);
  const latest = new Map((monitor?.latest ?? []).map((e) => [e.connection_id, e]));
  const shown = await app.cv.listConnections(listed.items, query);
  const rerender = () => renderConnections(view, app);
  const results = app.testResults ??= new Map();

  const search = h('input', { type: 'search', value: query.search, placeholder: 'Search name or host',
    'aria-label': 'Search connections' });
  search.addEventListener('input', async () => {
    query.search = search.value;
    await renderRows();
  });
  const filter = (name, label, values, labels) => {
    const select = h('select', { 'aria-label': label, onchange: async (e) => {
      query[name] = e.target.value;
      await rerender();
    } }, h('option', { value: '' }, `Any ${label.toLowerCase()}`), options(values, labels, query[name]));
    return select;
  };
  const counts = shown.counts ?? listed.counts ?? {};
  const countChips = h('div', { class: 'counts', 'aria-label': 'Connections per state' },
    STATES.filter((s) => counts[s]).map((s) => h('button', { type: 'button',
      class: `count state-${s}`, 'aria-pressed': query.state === s ? 'true' : 'false',
      onclick: () => { query.state = query.state === s ? '' : s; rerender(); } },
    h('strong', {}, String(counts[s])), ` ${s.replace(/_/g, ' ')}`)));

  const tbody = h('tbody');
  async function renderRows() {
    const current = await app.cv.listConnections(listed.items, query);
    replace(tbody, current.items.length === 0
      ? h('tr', {}, h('td', { colspan: 5, class: 'empty' }, listed.items.length
        ? 'No connection matches these filters.' : 'No connections yet: create one, or import a kubeconfig.'))
      : await Promise.all(current.items.map((c) => row(c))));
  }

  async function row(connection) {
    const actions = await app.cv.connectionActions(connection.state, role);
    const spot = h('td', { class: 'row-actions' });
    // The core's rule (ui_expiry.h) over the newest recorded result; no round trip to the
    // worker for a connection with none.
    const newest = latest.get(connection.id);
    const expiry = newest ? await app.cv.expiryChip(newest).catch(() => null) : null;
    const resultRow = h('tr', { class: 'result-row', hidden: !results.has(connection.id) },
      h('td', { colspan: 5 }));
    const retest = () => runTest();
    const showResult = (result) => {
      resultRow.hidden = false;
      replace(resultRow.firstChild, testResultPanel(app, connection, result, rerender, retest));
    };
    if (results.has(connection.id)) showResult(results.get(connection.id));
    async function runTest() {
      testButton.disabled = true;
      testButton.setAttribute('aria-busy', 'true');
      replace(testButton, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Testing…');
      try {
        const result = await ws.testConnection(connection.id);
        result.chip = await app.cv.outcomeChip(result.outcome);
        results.set(connection.id, result);
        await rerender();
      } catch (error) {
        results.set(connection.id, { outcome: error.code ?? 'error', latency_ms: 0,
          message: errorText(error), remediations: [] });
        await rerender();
      }
    }
    const testButton = h('button', { type: 'button', class: 'small', disabled: !actions.can_test,
      onclick: runTest, 'aria-label': `Test ${connection.name}` }, 'Test');
    const stateMenu = h('select', { 'aria-label': `Change state of ${connection.name}`,
      disabled: actions.transitions.length === 0, onchange: async (e) => {
        const transition = actions.transitions.find((t) => t.to === e.target.value);
        e.target.value = '';
        if (!transition) return;
        const ok = await openDialog(transition.label, h('p', {}, transition.confirmation),
          { actions: [{ label: transition.label, value: true,
            kind: transition.destructive ? 'danger' : 'primary' }] });
        if (!ok) return;
        try {
          await ws.transition(connection.id, transition.to);
          app.toast(`${connection.name}: ${transition.to.replace(/_/g, ' ')}.`);
        } catch (error) {
          app.toast(errorText(error), 'error');
        }
        await rerender();
      } }, h('option', { value: '' }, 'State…'),
    actions.transitions.map((t) => h('option', { value: t.to }, t.label)));
    const edit = actions.can_edit ? h('button', { type: 'button', class: 'secondary small',
      onclick: async () => { if (await connectionDialog(app, { existing: connection })) rerender(); } },
    'Edit') : null;
    replace(spot, testButton, stateMenu, edit);
    const last = connection.last_test;
    return [h('tr', { dataset: { connectionId: connection.id } },
      h('th', { scope: 'row' }, h('a', { class: 'conn-name',
        href: `#/w/${app.wsInfo.id}/connections/${encodeURIComponent(connection.id)}` },
      connection.name),
        h('span', { class: 'muted small' }, ` ${KIND_LABELS[connection.kind] ?? connection.kind}`),
        connection.managed ? h('span', { class: 'muted small' }, ' · imported') : null),
      h('td', { class: 'endpoint' }, connection.endpoint),
      h('td', {}, chip(connection.chips?.state), (connection.chips?.warnings ?? []).map((w) => chip(w)),
        chip(expiry, 'expiry')),
      h('td', { class: 'last-test' }, last ? [chip(connection.chips?.last_test),
        h('span', { class: 'muted small' }, ` ${formatTime(last.tested_at)} · ${last.latency_ms} ms`)]
        : h('span', { class: 'muted small' }, 'never tested')),
      spot), resultRow];
  }

  const canCreate = role !== 'viewer';
  replace(view, h('section', { class: 'card wide' },
    h('div', { class: 'section-head' }, h('h1', {}, 'Connections'),
      canCreate ? h('button', { type: 'button', onclick: async () => {
        if (await connectionDialog(app)) rerender();
      } }, 'New connection') : null),
    countChips,
    h('div', { class: 'filters' }, search, filter('kind', 'Kind', KINDS, KIND_LABELS),
      filter('state', 'State', STATES),
      environments.length ? filter('environment', 'Environment', environments.map((e) => e.id),
        Object.fromEntries(environments.map((e) => [e.id, e.name]))) : null),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Endpoint'),
        h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Last test'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      tbody))));
  await renderRows();
}
