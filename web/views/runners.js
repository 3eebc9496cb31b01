// Runners: the processes that run connectivity tests. Admitting one pins its keys in the
// workspace: compare the fingerprint with the one the runner printed before admitting it.
import { confirmAction } from '../app.js';
import { chip, formatTime, h, replace, errorText } from '../dom.js';

export async function renderRunners(view, app) {
  const ws = app.ws;
  const canManage = ['owner', 'admin'].includes(app.wsInfo.role);
  const [runners, builtin] = await Promise.all([ws.runners(), app.client.builtinRunner()]);
  const rerender = () => renderRunners(view, app);
  const admitted = new Set(runners.map((r) => r.id));
  const fingerprints = await Promise.all(runners.map((r) => app.cv.fingerprint(r.sign_public_key)));

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

  const rows = runners.map((r, i) => h('tr', { dataset: { runnerId: r.id } },
    h('th', { scope: 'row' }, r.name),
    h('td', {}, chip(r.connected ? { label: 'connected', tone: 'success' }
      : { label: 'offline', tone: 'neutral' })),
    h('td', { class: 'fingerprint' }, fingerprints[i]),
    h('td', { class: 'muted small' }, `admitted ${formatTime(r.created_at)}`),
    h('td', { class: 'row-actions' }, canManage ? h('button', { type: 'button',
      class: 'danger small', onclick: async () => {
        if (!await confirmAction(`Remove ${r.name}?`, 'Jobs will no longer be sealed to it.',
          'Remove')) return;
        await ws.removeRunner(r.id);
        rerender();
      } }, 'Remove') : null)));
  replace(view, h('section', { class: 'card wide' }, h('h1', {}, 'Runners'),
    runners.length === 0 ? h('p', { class: 'empty' }, 'No runner is admitted: connections ' +
      'cannot be tested yet.') : h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Runner'), h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Fingerprint'), h('th', { scope: 'col' }, 'Admitted'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, rows)))), builtinCard);
}
