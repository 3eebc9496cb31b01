// The workspace feed: state changes caused by test results (scheduled ones first of all),
// newest first. Connection names are sealed: they come from the summaries this browser
// decrypts, matched by id. Refreshes while shown.
import { chip, formatTime, h, replace } from '../dom.js';
import { arrow, chipCache, keepRefreshing } from './monitoring.js';

const FEED_LIMIT = 100;

export async function renderFeed(view, app) {
  const ws = app.ws;
  const route = app.routeSeq;
  const chips = chipCache(app);
  const base = `#/w/${app.wsInfo.id}/connections`;
  const body = h('div', { id: 'feed', 'aria-live': 'polite' });

  async function refresh() {
    const [feed, listed, runners] = await Promise.all([ws.feed({ limit: FEED_LIMIT }),
      ws.connections(), ws.runners()]);
    const names = new Map(listed.items.map((c) => [c.id, c.name]));
    const runnerNames = new Map(runners.map((r) => [r.id, r.name]));
    if (feed.length === 0) {
      replace(body, h('p', { class: 'empty' }, 'No state changes yet. When a test — scheduled ' +
        'or asked for — changes a connection\'s state, it shows here.'));
      return;
    }
    const rows = await Promise.all(feed.map(async (e) => {
      const name = names.get(e.connection_id);
      return h('tr', { dataset: { connectionId: e.connection_id, to: e.state_after } },
        h('td', {}, formatTime(e.at)),
        h('th', { scope: 'row' }, name ? h('a', { href: `${base}/${e.connection_id}` }, name)
          : h('span', { class: 'muted' }, 'a deleted connection')),
        h('td', { class: 'change' }, chip(await chips.state(e.state_before)),
          arrow(), chip(await chips.state(e.state_after))),
        h('td', {}, chip(await chips.outcome(e.outcome))),
        h('td', {}, runnerNames.get(e.runner_id) ?? 'a removed runner',
          h('span', { class: 'muted small' }, e.source === 'monitor' ? ' · scheduled'
            : ' · on request')));
    }));
    replace(body, h('div', { class: 'table-wrap' }, h('table', { class: 'list feed' },
      h('thead', {}, h('tr', {}, ['Time', 'Connection', 'Change', 'Outcome', 'Runner'].map((t) =>
        h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))));
  }

  replace(view, h('section', { class: 'card wide' }, h('h1', {}, 'Monitoring feed'),
    h('p', { class: 'muted' }, 'Connections whose state a test changed, newest first. A ' +
      'change made by a scheduled test is also in the audit log.'),
    body));
  await refresh();
  keepRefreshing(app, refresh, route);
}
