// Runners: the processes that run connectivity tests. Admitting one pins its keys in the
// workspace: compare the fingerprint with the one the runner printed before admitting it.
// Active monitoring: an owner or admin may grant an admitted runner the workspace keys, so it
// tests on schedule with nobody signed in; revoking rotates the keys. The workspace default
// schedule is set here too.
import { confirmAction, openDialog } from '../app.js';
import { chip, field, formatTime, h, replace, errorText, setFieldMessage } from '../dom.js';
import { scheduleControl, scheduleForm, scheduleText } from './monitoring.js';

function revokeSummary(app, runnerName, answer) {
  const rotated = answer.rotate_recommended?.length ?? 0;
  return h('div', { class: 'notice', role: 'status', id: 'revoke-result' },
    h('h2', {}, `Monitoring revoked for ${runnerName}`),
    h('p', {}, `The workspace keys were rotated to generation ${answer.key_generation}: ` +
      `${answer.grants} member grant${answer.grants === 1 ? '' : 's'} re-sealed, ` +
      `${answer.credential_keys} credential key${answer.credential_keys === 1 ? '' : 's'} ` +
      `re-wrapped, ${answer.connections} connection${answer.connections === 1 ? '' : 's'} ` +
      're-sealed. The keys the runner held open nothing written from now on.'),
    rotated ? h('p', {}, `${rotated} credential${rotated === 1 ? '' : 's'} it could open ` +
      `${rotated === 1 ? 'is' : 'are'} marked “Rotate recommended”: change ` +
      `${rotated === 1 ? 'it' : 'them'} upstream if the runner's host is not trusted.`) : null,
    h('button', { type: 'button', class: 'secondary small',
      onclick: (e) => { app.revokeResult = null; e.target.closest('.notice').remove(); } },
    'Dismiss'));
}

async function grantMonitoring(app, runner, rerender) {
  const ok = await openDialog(`Grant monitoring to ${runner.name}?`, h('div', {},
    h('p', {}, `${runner.name} will receive this workspace's keys, sealed to its own key and ` +
      'signed by you. It will be able to open this workspace\'s credentials and test its ' +
      'connections on their schedules, with nobody signed in.'),
    h('p', {}, 'The server still cannot open them: it only passes the sealed keys on.'),
    h('p', { class: 'muted small' }, 'Revoking later rotates the workspace keys.')),
  { actions: [{ label: 'Grant monitoring', value: true, kind: 'primary' }] });
  if (!ok) return;
  try {
    await app.ws.grantRunner(runner.id);
    app.toast(`${runner.name} may now monitor this workspace.`);
  } catch (error) {
    app.toast(errorText(error), 'error');
  }
  await rerender();
}

async function revokeMonitoring(app, runner, rerender) {
  if (!await confirmAction(`Revoke monitoring from ${runner.name}?`,
    'Revoking rotates the workspace keys: a new key generation is made and every member ' +
    'grant, credential key and connection is re-sealed under it, so the keys the runner ' +
    'holds open nothing written afterwards. Scheduled tests stop until a runner is granted ' +
    'again.', 'Revoke and rotate keys')) return;
  try {
    const answer = await app.ws.revokeRunner(runner.id);
    app.revokeResult = { workspaceId: app.wsInfo.id, name: runner.name, answer };
    app.wsInfo.generation = answer.key_generation;
    app.toast(`Keys rotated to generation ${answer.key_generation}.`);
  } catch (error) {
    app.toast(errorText(error), 'error');
  }
  await rerender();
}

async function defaultScheduleCard(app, canEdit, anyGranted, rerender) {
  const settings = await app.ws.monitorSettings();
  const current = settings.default_interval_minutes;
  const intro = h('p', {}, 'Connections without a schedule of their own are tested this ' +
    `often. Now: ${scheduleText(current)}.`);
  const grantNote = anyGranted ? null : h('p', { class: 'hint' }, 'No runner holds a ' +
    'monitoring grant: schedules take effect once one is granted.');
  if (!canEdit) {
    return h('section', { class: 'card' }, h('h2', {}, 'Default schedule'), intro, grantNote);
  }
  const control = scheduleControl({ label: 'Default schedule', current });
  const status = h('p', { class: 'status', role: 'status' });
  const form = scheduleForm(control, { button: 'Save default', status,
    async save(minutes) {
      await app.ws.setMonitorDefault(minutes);
      app.toast(`Default schedule: ${scheduleText(minutes)}.`);
      await rerender();
    } });
  return h('section', { class: 'card', id: 'default-schedule' }, h('h2', {}, 'Default schedule'),
    intro, grantNote, form);
}

// The line `credvault-runner --print-keys` prints, read back: {id, box_public_key,
// sign_public_key, fingerprint}. Returns the keys or a message saying what is wrong.
function parsePrintedKeys(text) {
  let keys;
  try {
    keys = JSON.parse(text);
  } catch {
    return { message: 'Paste the whole line that credvault-runner --print-keys printed ' +
      '(it starts with {).' };
  }
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
    return { message: 'Expected the JSON object credvault-runner --print-keys prints.' };
  }
  for (const name of ['id', 'box_public_key', 'sign_public_key']) {
    if (typeof keys[name] !== 'string' || keys[name] === '') {
      return { message: `The pasted keys lack "${name}".` };
    }
  }
  return { keys };
}

// Admitting a standalone runner: its printed keys are pasted here, the core computes the
// fingerprint of the signing key, and the admin compares it with the one the runner's own
// machine shows before the keys are pinned. A fingerprint in the pasted text that does not
// match its key means the text was altered on its way here.
function admitRunnerCard(app, admitted, rerender) {
  const name = h('input', { type: 'text', autocomplete: 'off', maxlength: '100',
    placeholder: 'e.g. runner in the staging cluster' });
  const keysInput = h('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'off' });
  const nameField = field('Name', name);
  const keysField = field('Keys printed by credvault-runner --print-keys', keysInput,
    { hint: 'On the runner\'s machine: credvault-runner --print-keys --key-dir <dir>. ' +
      'Only public keys: nothing secret is pasted here.' });
  const preview = h('p', { class: 'hint', id: 'admit-fingerprint', 'aria-live': 'polite' });
  const showFingerprint = async () => {
    const { keys } = parsePrintedKeys(keysInput.value.trim());
    if (!keys) {
      preview.textContent = '';
      return;
    }
    try {
      preview.textContent = `Fingerprint of this signing key: ${await app.cv.fingerprint(keys.sign_public_key)}`;
    } catch {
      preview.textContent = '';
    }
  };
  keysInput.addEventListener('input', showFingerprint);
  const form = h('form', { id: 'admit-runner', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      setFieldMessage(nameField, '');
      setFieldMessage(keysField, '');
      const { keys, message } = parsePrintedKeys(keysInput.value.trim());
      if (!keys) return setFieldMessage(keysField, message);
      if (name.value.trim() === '') return setFieldMessage(nameField, 'Give the runner a name.');
      if (admitted.has(keys.id)) {
        return setFieldMessage(keysField, 'This runner is already admitted here.');
      }
      let fingerprint;
      try {
        fingerprint = await app.cv.fingerprint(keys.sign_public_key);
      } catch (error) {
        return setFieldMessage(keysField, `The signing key is not valid: ${errorText(error)}`);
      }
      if (typeof keys.fingerprint === 'string' && keys.fingerprint !== fingerprint) {
        return setFieldMessage(keysField, 'The fingerprint in the pasted text does not ' +
          'match its signing key: the text was altered. Print the keys again on the runner.');
      }
      const ok = await openDialog(`Admit ${name.value.trim()}?`, h('div', {},
        h('p', {}, 'Compare this fingerprint with the one credvault-runner printed on its own ' +
          'machine. Admit it only if they are the same.'),
        h('p', { class: 'fingerprint', id: 'admit-confirm-fingerprint' }, fingerprint),
        h('p', { class: 'muted small' }, 'Tests will be sealed to this runner\'s key, and ' +
          'only results signed by it are accepted.')),
      { actions: [{ label: 'Fingerprints match: admit', value: true, kind: 'primary' }] });
      if (!ok) return;
      try {
        await app.ws.admitRunner({ id: keys.id, name: name.value.trim(),
          box_public_key: keys.box_public_key, sign_public_key: keys.sign_public_key });
        keysInput.value = '';
        app.toast(`${name.value.trim()} admitted.`);
        await rerender();
      } catch (error) {
        setFieldMessage(keysField, errorText(error));
      }
    } }, nameField, keysField, preview, h('button', { type: 'submit' }, 'Admit runner'));
  return h('section', { class: 'card', id: 'admit-runner-card' }, h('h2', {}, 'Admit a runner'),
    h('p', {}, 'A runner in your own network dials this server and runs the tests there. ' +
      'Admitting it pins its keys in this workspace.'), form);
}

export async function renderRunners(view, app) {
  const ws = app.ws;
  const canManage = ['owner', 'admin'].includes(app.wsInfo.role);
  const [runners, builtin] = await Promise.all([ws.runners(), app.client.builtinRunner()]);
  const rerender = () => renderRunners(view, app);
  const admitted = new Set(runners.map((r) => r.id));
  const fingerprints = await Promise.all(runners.map((r) => app.cv.fingerprint(r.sign_public_key)));
  const anyGranted = runners.some((r) => r.granted);

  const builtinCard = builtin && !admitted.has(builtin.id) && canManage
    ? h('section', { class: 'card' }, h('h2', {}, 'Built-in runner'),
      h('p', {}, 'This server runs connectivity tests itself. Admit it to test connections ' +
        'from here; the server still cannot open a job or forge a result.'),
      h('dl', { class: 'facts' }, h('dt', {}, 'Fingerprint'), h('dd', {}, builtin.fingerprint)),
      h('button', { type: 'button', onclick: async () => {
        try {
          await ws.admitBuiltinRunner();
          app.toast('Built-in runner admitted.');
        } catch (error) {
          app.toast(errorText(error), 'error');
        }
        rerender();
      } }, 'Admit the built-in runner'))
    : null;

  const monitoringCell = (r) => {
    const state = chip(r.granted
      ? { label: 'monitoring', tone: 'success',
        tooltip: 'Holds the workspace keys: tests connections on their schedules.' }
      : { label: 'not granted', tone: 'neutral',
        tooltip: 'Runs tests only when a member asks for one.' });
    if (!canManage) return h('td', {}, state);
    const button = r.granted
      ? h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke monitoring from ${r.name}`,
        onclick: () => revokeMonitoring(app, r, rerender) }, 'Revoke monitoring')
      : h('button', { type: 'button', class: 'small', 'aria-label': `Grant monitoring to ${r.name}`,
        onclick: () => grantMonitoring(app, r, rerender) }, 'Grant monitoring');
    return h('td', { class: 'monitoring-cell' }, state, button);
  };

  const rows = runners.map((r, i) => h('tr', { dataset: { runnerId: r.id,
    granted: r.granted ? 'true' : 'false' } },
  h('th', { scope: 'row' }, r.name),
  h('td', {}, chip(r.connected ? { label: 'connected', tone: 'success' }
    : { label: 'offline', tone: 'neutral' })),
  monitoringCell(r),
  h('td', { class: 'fingerprint' }, fingerprints[i]),
  h('td', { class: 'muted small' }, `admitted ${formatTime(r.created_at)}`),
  h('td', { class: 'row-actions' }, canManage ? h('button', { type: 'button',
    class: 'danger small', 'aria-label': `Remove ${r.name}`, onclick: async () => {
      const text = r.granted ? 'It holds the workspace keys for monitoring: removing it ' +
        'rotates them (a new key generation). Jobs will no longer be sealed to it.'
        : 'Jobs will no longer be sealed to it.';
      if (!await confirmAction(`Remove ${r.name}?`, text, 'Remove')) return;
      try {
        await ws.removeRunner(r.id);
      } catch (error) {
        app.toast(errorText(error), 'error');
      }
      rerender();
    } }, 'Remove') : null)));

  const revoked = app.revokeResult?.workspaceId === app.wsInfo.id ? app.revokeResult : null;
  replace(view, h('section', { class: 'card wide' }, h('h1', {}, 'Runners'),
    revoked ? revokeSummary(app, revoked.name, revoked.answer) : null,
    runners.length === 0 ? h('p', { class: 'empty' }, 'No runner is admitted: connections ' +
      'cannot be tested yet.') : h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Runner'), h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Monitoring'), h('th', { scope: 'col' }, 'Fingerprint'),
        h('th', { scope: 'col' }, 'Admitted'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, rows))),
    runners.length && canManage ? h('p', { class: 'hint' }, 'Granting monitoring lets a ' +
      'runner open this workspace\'s credentials itself, to test on a schedule; the server ' +
      'still cannot.') : null),
  runners.length ? await defaultScheduleCard(app, canManage, anyGranted, rerender) : null,
  builtinCard, canManage ? admitRunnerCard(app, admitted, rerender) : null);
}
