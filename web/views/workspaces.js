// Your workspaces, and a form to create one (you become its owner; its keys are made here).
import { h, field, replace, errorText } from '../dom.js';

export async function renderWorkspaces(view, app) {
  document.title = 'Workspaces · credvault';
  await app.refreshWorkspaces();  // an invitation may have come since the sign-in
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: 200,
    autocomplete: 'off', placeholder: 'Platform team' });
  const status = h('p', { class: 'status', role: 'status' });
  const form = h('form', { class: 'inline-form' }, field('New workspace name', name),
    h('button', { type: 'submit' }, 'Create workspace'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const ws = await app.client.createWorkspace(name.value.trim());
      const id = await ws.$get('id');
      await ws.close();
      await app.refreshWorkspaces();
      app.toast(`Workspace “${name.value.trim()}” created.`);
      app.go(`#/w/${id}/connections`);
    } catch (error) {
      status.dataset.state = 'error';
      status.textContent = errorText(error);
    }
  });
  const list = app.workspaces.length === 0
    ? h('p', { class: 'empty' }, 'You are not in any workspace yet. Create one, or ask a ' +
      'workspace admin to invite you.')
    : h('ul', { class: 'plain-list' }, app.workspaces.map((w) => h('li', {},
      h('a', { href: `#/w/${w.id}/connections` }, w.name), ' ',
      h('span', { class: 'chip tone-neutral' }, w.role))));
  replace(view, h('section', { class: 'card' }, h('h1', {}, 'Workspaces'), list),
    h('section', { class: 'card' }, form));
}
