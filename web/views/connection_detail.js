// One connection: its state and warnings (with the core's expiry warning from the newest
// result), its monitoring schedule (workspace default / off / every N minutes) and a timeline
// of its recorded results, newest first. Refreshes while shown, so scheduled results appear
// without a reload.
import { chip, formatTime, h, replace } from '../dom.js';
import { KIND_LABELS } from './connections.js';
import {
  arrow, chipCache, keepRefreshing, scheduleControl, scheduleForm, scheduleText,
} from './monitoring.js';

const TIMELINE_MARKS = 50;  // the bar shows this many; the table lists every kept result
const HISTORY_KEPT = 100;  // what the server keeps per connection

function stateChange(entry) {
  return entry.state_before !== entry.state_after;
}

// A row of marks, one per result: colour from the outcome's tone, and a text label for
// screen readers and the tooltip.
function timelineBar(entries, outcomeChips, runnerName) {
  return h('ol', { class: 'timeline', 'aria-label': 'Results, newest first' },
    entries.slice(0, TIMELINE_MARKS).map((e, i) => {
      const c = outcomeChips[i];
      const text = `${formatTime(e.at)}: ${c.label}, ${e.latency_ms} ms, ${runnerName(e.runner_id)}`;
      return h('li', { class: `mark tone-${c.tone}${stateChange(e) ? ' changed' : ''}`, title: text },
        h('span', { class: 'visually-hidden' }, text));
    }));
}

function historyTable(entries, outcomeChips, stateChips, runnerName) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list history' },
    h('thead', {}, h('tr', {}, ['Time', 'Outcome', 'Latency', 'Runner', 'State'].map((t) =>
      h('th', { scope: 'col' }, t)))),
    h('tbody', {}, entries.map((e, i) => h('tr', { dataset: { outcome: e.outcome } },
      h('td', {}, formatTime(e.at)),
      h('td', {}, chip(outcomeChips[i]), e.http_status ? h('span', { class: 'muted small' },
        ` HTTP ${e.http_status}`) : null),
      h('td', {}, `${e.latency_ms} ms`),
      h('td', {}, runnerName(e.runner_id), h('span', { class: 'muted small' },
        e.source === 'monitor' ? ' · scheduled' : ' · on request')),
      h('td', {}, stateChange(e) ? [chip(stateChips.get(e.state_before)), arrow(),
        chip(stateChips.get(e.state_after))] : h('span', { class: 'muted small' }, 'unchanged')))))));
}

export async function renderConnectionDetail(view, app, id) {
  const ws = app.ws;
  const route = app.routeSeq;
  const chips = chipCache(app);
  const canEdit = app.wsInfo.role !== 'viewer';
  const listHref = `#/w/${app.wsInfo.id}/connections`;
  const [runners, settings] = await Promise.all([ws.runners(), ws.monitorSettings()]);
  const names = new Map(runners.map((r) => [r.id, r.name]));
  const runnerName = (runnerId) => names.get(runnerId) ?? `runner ${runnerId.slice(0, 8)}`;
  const anyGranted = runners.some((r) => r.granted);

  const summary = async () => (await ws.connections()).items.find((c) => c.id === id);
  const connection = await summary();
  if (!connection) {
    replace(view, h('section', { class: 'card' }, h('h1', {}, 'Connection not found'),
      h('p', {}, 'It may have been deleted. ', h('a', { href: listHref }, 'Back to the connections'))));
    return;
  }
  document.title = `${connection.name} · ${app.wsInfo.name} · credvault`;

  const statusChips = h('div', { class: 'chip-row', 'aria-live': 'polite', id: 'connection-chips' });
  const lastTest = h('dd', {});
  const timeline = h('div', { id: 'timeline' });
  async function refresh() {
    const [current, history] = await Promise.all([summary(), ws.history(id, { limit: HISTORY_KEPT })]);
    if (!current) return;
    const expiry = await app.cv.expiryChip(history[0] ?? null).catch(() => null);
    replace(statusChips, chip(current.chips?.state), (current.chips?.warnings ?? []).map((w) => chip(w)),
      chip(expiry, 'expiry'));
    replace(lastTest, current.last_test ? `${formatTime(current.last_test.tested_at)} · ` +
      `${current.last_test.latency_ms} ms` : 'never');
    const outcomeChips = await Promise.all(history.map((e) => chips.outcome(e.outcome)));
    const stateChips = new Map();
    for (const e of history.filter(stateChange)) {
      for (const s of [e.state_before, e.state_after]) stateChips.set(s, await chips.state(s));
    }
    replace(timeline, history.length === 0
      ? h('p', { class: 'empty' }, 'No results recorded yet. Run a test, or set a schedule.')
      : [h('p', { class: 'muted small' }, `${history.length} result${history.length === 1 ? '' : 's'}` +
        ' kept, newest first.'),
      timelineBar(history, outcomeChips, runnerName),
      historyTable(history, outcomeChips, stateChips, runnerName)]);
  }

  const own = settings.connections.find((c) => c.connection_id === id);
  const current = own ? own.interval_minutes : null;
  const defaultText = scheduleText(settings.default_interval_minutes);
  const control = scheduleControl({ label: 'Schedule', current, inherit: true, defaultText,
    disabled: !canEdit });
  const effective = h('p', { class: 'status', role: 'status', id: 'schedule-status' },
    `Tested ${scheduleText(current ?? settings.default_interval_minutes)}` +
    `${current === null ? ' (the workspace default)' : ''}.`);
  const schedule = scheduleForm(control, { button: canEdit ? 'Save schedule' : null,
    status: effective,
    async save(minutes) {
      const answer = await ws.setMonitor(id, minutes);
      effective.dataset.state = 'ok';
      effective.textContent = `Saved: tested ${scheduleText(answer.effective_interval_minutes)}` +
        `${answer.interval_minutes === null ? ' (the workspace default)' : ''}.`;
    } });

  replace(view,
    h('section', { class: 'card wide' },
      h('p', { class: 'small' }, h('a', { href: listHref }, '← All connections')),
      h('h1', {}, connection.name),
      statusChips,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Kind'), h('dd', {}, KIND_LABELS[connection.kind] ?? connection.kind),
        h('dt', {}, 'Endpoint'), h('dd', {}, connection.endpoint),
        h('dt', {}, 'Last test'), lastTest)),
    h('section', { class: 'card wide', 'aria-labelledby': 'monitoring-title' },
      h('h2', { id: 'monitoring-title' }, 'Monitoring'),
      anyGranted ? null : h('p', { class: 'hint' }, 'No runner holds a monitoring grant: a ' +
        'schedule takes effect once an owner or admin grants one on the Runners page.'),
      schedule),
    h('section', { class: 'card wide', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'Recent results'), timeline));
  await refresh();
  keepRefreshing(app, refresh, route);
}
