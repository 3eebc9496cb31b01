// Credentials: search and kind filter (the core's list view), per-kind forms whose fields and
// per-field messages come from the core, share to another of your workspaces, delete (refused
// while connections use it, naming them). Secret values live only in the open dialog's inputs
// and are gone from the DOM when it closes.
import { openDialog, confirmAction } from '../app.js';
import { chip, field, formatTime, h, replace, setFieldMessage, errorText } from '../dom.js';

const KINDS = ['kubernetes', 'prometheus', 'grafana', 'github', 'http'];
const KIND_LABELS = { kubernetes: 'Kubernetes', prometheus: 'Prometheus', grafana: 'Grafana',
  github: 'GitHub', http: 'HTTP API' };

export async function credentialDialog(app, { existing } = {}) {
  const ws = app.ws;
  const opened = existing ? await ws.openCredential(existing.id) : null;
  const kind = h('select', { name: 'kind', disabled: Boolean(existing) },
    KINDS.map((k) => h('option', { value: k, selected: k === (opened?.kind ?? 'prometheus') },
      KIND_LABELS[k])));
  const name = h('input', { name: 'name', type: 'text', autocomplete: 'off',
    value: opened?.name ?? '' });
  const method = h('select', { name: 'auth_method' });
  const nameField = field('Name', name);
  const methodField = field('Authentication', method);
  const fieldsBox = h('div', { class: 'secret-fields' });
  const values = { ...(opened?.fields ?? {}) };
  const wrappers = new Map();
  let touched = false;

  async function renderMethods() {
    const methods = await app.cv.authMethods(kind.value);
    const current = opened?.auth_method ?? method.value;
    replace(method, methods.map((m) => h('option', { value: m.method,
      selected: m.method === current }, m.label)));
    await renderFields();
  }

  function view() {
    return { schema_version: 1, name: name.value.trim(), kind: kind.value,
      auth_method: method.value, fields: Object.fromEntries(Object.entries(values)
        .filter(([, v]) => v !== '')) };
  }

  async function renderFields() {
    const form = await app.cv.credentialForm(view(), touched);
    replace(fieldsBox);
    wrappers.clear();
    for (const f of form.fields) {
      const control = f.multiline
        ? h('textarea', { name: f.name, rows: 5, spellcheck: false, autocomplete: 'off' },
          values[f.name] ?? '')
        : h('input', { name: f.name, type: f.masked ? 'password' : 'text', autocomplete: 'off',
          spellcheck: false, value: values[f.name] ?? '' });
      control.addEventListener('input', () => {
        values[f.name] = control.value;
        check();
      });
      const wrapper = field(`${f.label}${f.required ? '' : ' (optional)'}`, control,
        { message: f.message });
      wrappers.set(f.name, wrapper);
      fieldsBox.append(wrapper);
    }
    setFieldMessage(nameField, form.name?.message);
  }

  async function check() {
    const form = await app.cv.credentialForm(view(), touched);
    setFieldMessage(nameField, form.name?.message);
    setFieldMessage(methodField, form.method_message);
    for (const f of form.fields) {
      if (wrappers.has(f.name)) setFieldMessage(wrappers.get(f.name), f.message);
    }
    return form;
  }

  kind.addEventListener('change', renderMethods);
  method.addEventListener('change', renderFields);
  name.addEventListener('input', check);
  await renderMethods();

  const body = h('form', { class: 'dialog-form', onsubmit: (e) => e.preventDefault() },
    field('Kind', kind), nameField, methodField, fieldsBox,
    h('p', { class: 'hint' }, 'Encrypted in this browser before it is sent; the server stores ' +
      'only ciphertext.'));
  const scrub = () => { for (const key of Object.keys(values)) values[key] = ''; };
  return openDialog(existing ? `Edit ${existing.name}` : 'New credential', body, {
    onClose: scrub,
    actions: [{ label: existing ? 'Save' : 'Create', kind: 'primary', run: async () => {
      touched = true;
      const form = await check();
      if (!form.valid) return undefined;
      const sealed = await app.cv.dropUnusedFields(view());
      try {
        if (existing) await ws.updateCredential(existing.id, sealed);
        else await ws.createCredential(sealed);
      } catch (error) {
        setFieldMessage(nameField, errorText(error));
        return undefined;
      }
      app.toast(existing ? 'Credential saved.' : `Credential “${sealed.name}” created.`);
      return true;
    } }],
  });
}

async function shareDialog(app, credential, rerender) {
  const targets = app.workspaces.filter((w) => w.id !== app.wsInfo.id &&
    ['owner', 'admin', 'operator'].includes(w.role));
  if (targets.length === 0) {
    await openDialog('Share credential', h('p', {}, 'You have no other workspace where you may ' +
      'add credentials.'));
    return;
  }
  const select = h('select', { name: 'target' }, targets.map((w) => h('option', { value: w.id },
    w.name)));
  await openDialog(`Share ${credential.name}`, h('div', {}, field('Workspace', select),
    h('p', { class: 'hint' }, 'The credential\'s key is wrapped for that workspace here, in ' +
      'your browser. Its members can then use it for their connections.')),
  { actions: [{ label: 'Share', kind: 'primary', run: async () => {
    const target = await app.client.workspace(select.value);
    try {
      await app.ws.shareCredential(credential.id, target);
      app.toast(`Shared with ${select.selectedOptions[0].textContent}.`);
    } catch (error) {
      app.toast(errorText(error), 'error');
    } finally {
      await target.close();
    }
    return true;
  } }] });
  rerender();
}

async function deleteCredential(app, credential, rerender) {
  if (!await confirmAction(`Delete ${credential.name}?`, 'The credential is deleted everywhere it ' +
    'is shared. This cannot be undone.', 'Delete')) return;
  try {
    await app.ws.deleteCredential(credential.id);
    app.toast(`Deleted ${credential.name}.`);
    rerender();
  } catch (error) {
    const uses = error.details?.connections ?? [];
    if (error.code === 'conflict' && uses.length) {
      await openDialog('Still in use', h('div', {}, h('p', {}, 'These connections use this ' +
        'credential. Change or delete them first:'), h('ul', { class: 'plain-list' },
        uses.map((c) => h('li', {}, c.name ?? c.id)))));
    } else {
      app.toast(errorText(error), 'error');
    }
  }
}

export async function renderCredentials(view, app) {
  const role = app.wsInfo.role;
  const query = app.credentialQuery ??= { search: '', kind: '', sort: 'name' };
  const items = await app.ws.credentials();
  const rerender = () => renderCredentials(view, app);
  const canEdit = ['owner', 'admin', 'operator'].includes(role);
  const tbody = h('tbody');

  async function renderRows() {
    const shown = await app.cv.listCredentials(items, query);
    replace(tbody, shown.items.length === 0
      ? h('tr', {}, h('td', { colspan: 4, class: 'empty' }, items.length
        ? 'No credential matches.' : 'No credentials yet.'))
      : shown.items.map((c) => h('tr', { dataset: { credentialId: c.id } },
        h('th', { scope: 'row' }, c.name, c.rotate_recommended
          ? [' ', chip({ label: 'rotate recommended', tone: 'warning' })] : null,
        (c.chips?.warnings ?? []).map((w) => chip(w))),
        h('td', {}, `${KIND_LABELS[c.kind] ?? c.kind} · ${c.auth_method.replace(/_/g, ' ')}`),
        h('td', { class: 'muted small' }, `updated ${formatTime(c.updated_at)}`,
          c.shared_workspaces > 1 ? ` · shared with ${c.shared_workspaces - 1} more` : ''),
        h('td', { class: 'row-actions' }, canEdit ? [
          h('button', { type: 'button', class: 'secondary small', onclick: async () => {
            if (await credentialDialog(app, { existing: c })) rerender();
          } }, 'Edit'),
          h('button', { type: 'button', class: 'secondary small',
            onclick: () => shareDialog(app, c, rerender) }, 'Share'),
          h('button', { type: 'button', class: 'danger small',
            onclick: () => deleteCredential(app, c, rerender) }, 'Delete'),
        ] : h('span', { class: 'muted small' }, 'read only')))));
  }

  const search = h('input', { type: 'search', value: query.search, placeholder: 'Search names',
    'aria-label': 'Search credentials' });
  search.addEventListener('input', () => { query.search = search.value; renderRows(); });
  const kind = h('select', { 'aria-label': 'Kind', onchange: (e) => {
    query.kind = e.target.value;
    renderRows();
  } }, h('option', { value: '' }, 'Any kind'), KINDS.map((k) => h('option', { value: k,
    selected: query.kind === k }, KIND_LABELS[k])));
  replace(view, h('section', { class: 'card wide' },
    h('div', { class: 'section-head' }, h('h1', {}, 'Credentials'), canEdit
      ? h('button', { type: 'button', onclick: async () => {
        if (await credentialDialog(app)) rerender();
      } }, 'New credential') : null),
    role === 'viewer' ? h('p', { class: 'hint' }, 'As a viewer you see names only; opening a ' +
      'secret needs the operator role or above.') : null,
    h('div', { class: 'filters' }, search, kind),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Kind'),
      h('th', { scope: 'col' }, 'Updated'), h('th', { scope: 'col' },
        h('span', { class: 'visually-hidden' }, 'Actions')))), tbody))));
  await renderRows();
}
