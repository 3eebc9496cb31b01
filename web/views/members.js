// Members and roles: invite by email (the key grant is sealed to the invitee's public key and
// signed here), change a role, remove (the workspace keys are rotated in this browser; the
// credentials the removed member could open are listed for rotation). Fingerprints let
// people compare keys out of band.
import { openDialog, confirmAction } from '../app.js';
import { field, h, replace, errorText } from '../dom.js';

const ROLES = ['owner', 'admin', 'operator', 'viewer'];

export async function renderMembers(view, app) {
  const ws = app.ws;
  const canManage = ['owner', 'admin'].includes(app.wsInfo.role);
  const members = await ws.members();
  const rerender = () => renderMembers(view, app);

  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off',
    placeholder: 'colleague@example.com' });
  const role = h('select', { name: 'role' }, ROLES.filter((r) => r !== 'owner' ||
    app.wsInfo.role === 'owner').map((r) => h('option', { value: r, selected: r === 'viewer' }, r)));
  const status = h('p', { class: 'status', role: 'status' });
  const invite = h('form', { class: 'inline-form' }, field('Invite by email', email),
    field('Role', role), h('button', { type: 'submit' }, 'Invite'), status);
  invite.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await ws.invite(email.value.trim(), role.value);
      app.toast(`${email.value.trim()} added as ${role.value}.`);
      rerender();
    } catch (error) {
      status.dataset.state = 'error';
      status.textContent = error.status === 404 ? 'No account with this email: they must sign up first.'
        : errorText(error);
    }
  });

  async function remove(member) {
    if (!await confirmAction(`Remove ${member.email}?`, 'They lose access at once. The ' +
      'workspace keys are rotated now, in this browser, so that nothing new is readable with ' +
      'the keys they held.', 'Remove and rotate keys')) return;
    try {
      const outcome = await ws.removeMember(member.account_id);
      await openDialog('Member removed, keys rotated', h('div', {},
        h('p', {}, `The workspace keys are now at generation ${outcome.generation}.`),
        outcome.rotateRecommended.length
          ? [h('p', {}, 'They could open these credentials. Rotate the secrets at their source ' +
            '(new token, new password), then edit the credential:'),
          h('ul', { class: 'plain-list', id: 'rotate-list' }, outcome.rotateRecommended.map((c) =>
            h('li', {}, c.name ?? c.id)))]
          : h('p', {}, 'They could not open any credential secret.')));
    } catch (error) {
      app.toast(errorText(error), 'error');
    }
    rerender();
  }

  const rows = members.map((m) => h('tr', { dataset: { accountId: m.account_id } },
    h('th', { scope: 'row' }, m.email, m.account_id === app.account.id
      ? h('span', { class: 'muted small' }, ' (you)') : null),
    h('td', {}, canManage && m.account_id !== app.account.id
      ? h('select', { 'aria-label': `Role of ${m.email}`, onchange: async (e) => {
        try {
          await ws.changeRole(m.account_id, e.target.value);
          app.toast(`${m.email} is now ${e.target.value}.`);
        } catch (error) {
          app.toast(errorText(error), 'error');
        }
        rerender();
      } }, ROLES.map((r) => h('option', { value: r, selected: r === m.role }, r)))
      : m.role),
    h('td', { class: 'fingerprint' }, m.fingerprint),
    h('td', { class: 'row-actions' }, canManage && m.account_id !== app.account.id
      ? h('button', { type: 'button', class: 'danger small', onclick: () => remove(m) }, 'Remove')
      : null)));

  replace(view, h('section', { class: 'card wide' }, h('h1', {}, 'Members'),
    h('p', { class: 'hint' }, 'Compare a fingerprint with its owner (in person or on a call) ' +
      'before you trust it. Yours: ', h('code', {}, app.account.fingerprint)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Member'), h('th', { scope: 'col' }, 'Role'),
      h('th', { scope: 'col' }, 'Key fingerprint'),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    h('tbody', {}, rows)))),
  canManage ? h('section', { class: 'card' }, invite) : null);
}
