// Kubeconfig import: pick a file (or paste it), preview every context with what the import
// will do, pick and rename contexts, import, and see the outcome per context. The file holds
// secrets: it is parsed and sealed in the worker, and the page forgets it (input cleared)
// once the import is done or abandoned.
import { chip, field, h, replace, errorText } from '../dom.js';

const OUTCOME_TONES = { imported: 'success', updated: 'info', skipped: 'neutral', error: 'danger' };

export async function renderImport(view, app) {
  const canImport = ['owner', 'admin', 'operator'].includes(app.wsInfo.role);
  let text = '';
  const file = h('input', { type: 'file', accept: '.yaml,.yml,.conf,text/yaml,application/x-yaml,*' });
  const paste = h('textarea', { rows: 6, spellcheck: false, autocomplete: 'off',
    placeholder: 'apiVersion: v1\nkind: Config\n…' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const planBox = h('div', { class: 'plan' });
  const forget = () => {
    text = '';
    paste.value = '';
    file.value = '';
  };
  // Leaving the page forgets the file too.
  window.addEventListener('hashchange', forget, { once: true });

  async function preview() {
    status.dataset.state = 'working';
    status.textContent = 'Reading the kubeconfig…';
    replace(planBox);
    try {
      const plan = await app.ws.previewKubeconfig(text);
      status.dataset.state = 'ok';
      status.textContent = `${plan.contexts.length} contexts found.`;
      renderPlan(plan);
    } catch (error) {
      status.dataset.state = 'error';
      status.textContent = `This file cannot be imported: ${errorText(error)}`;
    }
  }

  function renderPlan(plan) {
    const rows = plan.contexts.map((c) => {
      const importable = c.outcome === 'imported' || c.outcome === 'updated';
      const pick = h('input', { type: 'checkbox', checked: importable, disabled: !importable,
        'aria-label': `Import ${c.context}` });
      const rename = h('input', { type: 'text', value: c.name, 'aria-label': `Name for ${c.context}`,
        disabled: !importable, autocomplete: 'off' });
      return { c, pick, rename, row: h('tr', { dataset: { context: c.context } },
        h('td', {}, pick),
        h('th', { scope: 'row' }, c.context, c.current ? h('span', { class: 'muted small' },
          ' (current)') : null),
        h('td', {}, rename),
        h('td', { class: 'endpoint' }, c.endpoint?.server ?? ''),
        h('td', {}, chip({ label: c.outcome === 'imported' ? 'new' : c.outcome,
          tone: OUTCOME_TONES[c.outcome] }),
        c.problem ? h('span', { class: 'muted small' }, ` ${c.problem.message}`) : null)) };
    });
    const go = h('button', { type: 'button', disabled: !canImport }, 'Import selected');
    go.addEventListener('click', async () => {
      const selected = rows.filter((r) => r.pick.checked)
        .map((r) => ({ context: r.c.context, new_name: r.rename.value.trim() }));
      if (selected.length === 0) return;
      go.disabled = true;
      status.dataset.state = 'working';
      status.textContent = `Encrypting and importing ${selected.length} contexts…`;
      try {
        const done = await app.ws.importKubeconfig(text, { selected });
        forget();
        renderResults(done);
      } catch (error) {
        status.dataset.state = 'error';
        status.textContent = errorText(error);
        go.disabled = false;
      }
    });
    replace(planBox, h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' },
        'Import')), h('th', { scope: 'col' }, 'Context'), h('th', { scope: 'col' }, 'Connection name'),
      h('th', { scope: 'col' }, 'API server'), h('th', { scope: 'col' }, 'Plan'))),
      h('tbody', {}, rows.map((r) => r.row)))), go);
  }

  function renderResults(done) {
    const counts = {};
    for (const r of done.results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    status.dataset.state = 'ok';
    status.textContent = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
    const names = new Map(done.plan.contexts.map((c) => [c.context, c.name]));
    replace(planBox, h('ul', { class: 'plain-list outcomes', id: 'import-outcomes' },
      done.results.map((r) => h('li', { dataset: { context: r.context, outcome: r.outcome } },
        chip({ label: r.outcome, tone: OUTCOME_TONES[r.outcome] ?? 'neutral' }), ' ', r.context,
        r.connection_id && names.get(r.context) !== r.context
          ? h('span', { class: 'muted' }, ` → ${names.get(r.context)}`) : null,
        r.error ? h('span', { class: r.outcome === 'error' ? 'error-text' : 'muted small' },
          ` — ${r.error.message ?? r.error.code}`) : null))),
    h('p', {}, h('a', { href: `#/w/${app.wsInfo.id}/connections` }, 'See the connections')));
  }

  file.addEventListener('change', async () => {
    if (!file.files[0]) return;
    text = await file.files[0].text();
    file.value = '';
    await preview();
  });
  const pasted = h('button', { type: 'button', class: 'secondary' }, 'Preview pasted text');
  pasted.addEventListener('click', async () => {
    text = paste.value;
    paste.value = '';
    await preview();
  });

  replace(view, h('section', { class: 'card wide' }, h('h1', {}, 'Import a kubeconfig'),
    h('p', {}, 'Each context becomes a connection; each distinct user becomes one credential. ' +
      'The file is parsed and encrypted in this browser; the server never sees it.'),
    canImport ? [field('Kubeconfig file', file), h('details', {}, h('summary', {}, 'Or paste it'),
      field('Kubeconfig text', paste), pasted)]
      : h('p', { class: 'hint' }, 'Importing needs the operator role or above.'),
    status, planBox));
}
