// Account: the key fingerprint to compare with colleagues, and a password change (the keys are
// re-wrapped under the new password here; the server learns nothing).
import { h, field, replace, errorText } from '../dom.js';

export function renderAccount(view, app) {
  document.title = 'Account · credvault';
  const current = h('input', { type: 'password', name: 'current', required: true,
    autocomplete: 'current-password' });
  const next = h('input', { type: 'password', name: 'next', required: true, minlength: 8,
    autocomplete: 'new-password' });
  const status = h('p', { class: 'status', role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Change password');
  const form = h('form', {}, h('h2', {}, 'Change password'), field('Current password', current),
    field('New password', next, { hint: 'At least 8 characters. Other sessions are signed out.' }),
    submit, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const [oldValue, newValue] = [current.value, next.value];
    current.value = '';
    next.value = '';
    submit.disabled = true;
    status.dataset.state = 'working';
    status.textContent = 'Re-deriving your keys with Argon2id…';
    try {
      await app.client.changePassword(oldValue, newValue);
      status.dataset.state = 'ok';
      status.textContent = 'Password changed.';
    } catch (error) {
      status.dataset.state = 'error';
      status.textContent = errorText(error);
    } finally {
      submit.disabled = false;
    }
  });
  replace(view, h('section', { class: 'card' }, h('h1', {}, 'Your account'),
    h('dl', { class: 'facts' }, h('dt', {}, 'Email'), h('dd', {}, app.account.email),
      h('dt', {}, 'Key fingerprint'), h('dd', { id: 'my-fingerprint' }, app.account.fingerprint)),
    h('p', { class: 'hint' }, 'Colleagues compare this fingerprint with the one their screen ' +
      'shows for you before they trust a key grant.')),
  h('section', { class: 'card' }, form));
}
