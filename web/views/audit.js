// The workspace's audit log: who did what to which object, when. Never secret content.
import { formatTime, h, replace } from '../dom.js';

export async function renderAudit(view, app) {
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older events');
  const members = await app.ws.members().catch(() => []);
  const names = new Map(members.map((m) => [m.account_id, m.email]));
  let cursor = '';
  async function load() {
    const page = await app.ws.audit({ cursor });
    for (const event of page.items) {
      tbody.append(h('tr', {}, h('td', { class: 'muted small' }, formatTime(event.at)),
        h('td', {}, names.get(event.actor_id) ?? event.actor_id),
        h('td', {}, h('code', {}, event.action)),
        h('td', { class: 'muted small' }, `${event.object_type} ${event.object_id}`)));
    }
    cursor = page.next_cursor ?? '';
    more.hidden = !cursor;
  }
  more.addEventListener('click', load);
  replace(view, h('section', { class: 'card wide' }, h('h1', {}, 'Audit log'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Who'),
      h('th', { scope: 'col' }, 'Action'), h('th', { scope: 'col' }, 'Object'))), tbody)), more));
  await load();
}
