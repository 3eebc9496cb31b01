// credvault web app: the shell, the router and the session. Every view renders from data the
// core (in a Web Worker, see rpc.js) hands back; keys and secrets stay in the worker's WASM
// memory, and a secret shown in a dialog leaves the DOM when the dialog closes.
import { h, replace, errorText } from './dom.js';
import { connectCore } from './rpc.js';
import { renderAuth } from './views/auth.js';
import { renderAccount } from './views/account.js';
import { renderAudit } from './views/audit.js';
import { renderConnectionDetail } from './views/connection_detail.js';
import { renderConnections } from './views/connections.js';
import { renderCredentials } from './views/credentials.js';
import { renderFeed } from './views/feed.js';
import { renderImport } from './views/kubeconfig.js';
import { renderMembers } from './views/members.js';
import { stopRefreshing } from './views/monitoring.js';
import { renderRunners } from './views/runners.js';
import { renderWorkspaces } from './views/workspaces.js';

const $ = (id) => document.getElementById(id);

const SECTIONS = [
  { path: 'connections', label: 'Connections', render: renderConnections },
  { path: 'credentials', label: 'Credentials', render: renderCredentials },
  { path: 'import', label: 'Import kubeconfig', render: renderImport },
  { path: 'members', label: 'Members', render: renderMembers },
  { path: 'runners', label: 'Runners', render: renderRunners },
  { path: 'feed', label: 'Monitoring feed', render: renderFeed },
  { path: 'audit', label: 'Audit log', render: renderAudit },
];

// What every view receives.
export const app = {
  client: null,   // remote client (rpc.js)
  cv: null,       // remote module functions (view models)
  account: null,  // {id, email, fingerprint} once unlocked
  workspaces: [], // [{id, name, role, key_generation}]
  ws: null,       // the open workspace: remote object
  wsInfo: null,   // {id, name, role, ...}
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  toast(text, tone = 'ok') {
    const toast = $('toast');
    toast.dataset.tone = tone;
    toast.textContent = text;
    clearTimeout(app.toastTimer);
    app.toastTimer = setTimeout(() => { toast.textContent = ''; }, 6000);
  },
  async signedIn(account) {
    app.account = account;
    localStorage.setItem('credvault.email', account.email);
    await app.refreshWorkspaces();
    renderAccountMenu();
  },
  async refreshWorkspaces() {
    app.workspaces = await app.client.workspaces();
    renderSwitcher();
  },
  async signedOut() {
    if (app.ws) await app.ws.close().catch(() => {});
    app.account = null;
    app.ws = null;
    app.wsInfo = null;
    app.workspaces = [];
    renderAccountMenu();
    renderSwitcher();
    app.go('#/login');
  },
};

// ---- dialogs --------------------------------------------------------------------------

// Opens the one <dialog> with `title` and `body`; resolves with what `actions` returns.
// The dialog's content is removed when it closes, so a secret shown in it leaves the DOM.
export function openDialog(title, body, { actions = [], onClose } = {}) {
  const dialog = $('dialog');
  return new Promise((resolve) => {
    const finish = (value) => {
      dialog.close();
      replace(dialog);
      onClose?.();
      resolve(value);
    };
    const buttons = actions.map(({ label, value, kind = 'secondary', run }) =>
      h('button', { type: 'button', class: kind, onclick: async (event) => {
        if (!run) return finish(value);
        event.target.disabled = true;
        try {
          const result = await run();
          if (result !== undefined) finish(result);
        } finally {
          event.target.disabled = false;
        }
      } }, label));
    buttons.push(h('button', { type: 'button', class: 'secondary', onclick: () => finish(null) },
      'Close'));
    replace(dialog, h('h2', { id: 'dialog-title' }, title), h('div', { class: 'dialog-body' }, body),
      h('div', { class: 'dialog-actions' }, buttons));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(null); },
      { once: true });
    dialog.showModal();
  });
}

export async function confirmAction(title, text, label = 'Confirm') {
  const answer = await openDialog(title, h('p', {}, text),
    { actions: [{ label, value: true, kind: 'danger' }] });
  return answer === true;
}

// ---- shell ----------------------------------------------------------------------------

function renderAccountMenu() {
  const menu = $('account-menu');
  if (!app.account) {
    replace(menu);
    return;
  }
  if (app.account.locked) {
    replace(menu, h('span', { class: 'who' }, app.account.email),
      h('button', { type: 'button', class: 'link', onclick: onLogOut }, 'Log out'));
    return;
  }
  replace(menu,
    h('span', { class: 'who', title: `Key fingerprint ${app.account.fingerprint}` },
      app.account.email),
    h('a', { href: '#/account' }, 'Account'),
    h('button', { type: 'button', class: 'link', onclick: onLock }, 'Lock'),
    h('button', { type: 'button', class: 'link', onclick: onLogOut }, 'Log out'));
}

function renderSwitcher() {
  const container = $('workspace-switcher');
  if (!app.account || app.account.locked) {
    replace(container);
    return;
  }
  const select = h('select', { id: 'workspace-select', 'aria-label': 'Workspace',
    onchange: (event) => {
      if (event.target.value === '__manage') app.go('#/workspaces');
      else app.go(`#/w/${event.target.value}/connections`);
    } },
    h('option', { value: '', disabled: true, selected: !app.wsInfo }, 'Choose a workspace'),
    app.workspaces.map((w) => h('option', { value: w.id, selected: app.wsInfo?.id === w.id },
      `${w.name} (${w.role})`)),
    h('option', { value: '__manage' }, 'All workspaces…'));
  replace(container, select);
}

function renderSections(active) {
  const nav = $('sections');
  if (!app.wsInfo || !active) {
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  replace(nav, SECTIONS.map((section) => h('a', {
    href: `#/w/${app.wsInfo.id}/${section.path}`,
    'aria-current': section.path === active ? 'page' : undefined,
  }, section.label)));
}

async function onLock() {
  app.returnTo = location.hash;  // unlocking comes back here
  await app.client.lock();
  app.account = { ...app.account, locked: true };
  renderAccountMenu();
  renderSwitcher();
  app.go('#/unlock');
}

async function onLogOut() {
  try {
    await app.client.logOut();
  } finally {
    await app.signedOut();
  }
}

async function openWorkspace(id) {
  if (app.wsInfo?.id === id && app.ws) return;
  if (app.ws) await app.ws.close().catch(() => {});
  app.ws = null;
  app.wsInfo = null;
  const ws = await app.client.workspace(id);
  app.ws = ws;
  app.wsInfo = { id, name: await ws.$get('name'), role: await ws.$get('role'),
    generation: await ws.$get('generation') };
  renderSwitcher();
}

// ---- routing --------------------------------------------------------------------------

// Each navigation renders into a container of its own, put on the page when it is ready and
// still the latest: a slow earlier navigation never paints over a newer one.
let latestRoute = 0;

async function route() {
  const seq = ++latestRoute;
  const main = $('view');
  const view = h('div', { class: 'route' });
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [first = '', second, third = 'connections', fourth] = parts;
  app.routeSeq = seq;
  stopRefreshing(app);  // a live view refreshes only while it is the one shown
  try {
    if (['login', 'signup', 'recover', 'unlock'].includes(first) || !app.account ||
        app.account.locked) {
      const mode = ['login', 'signup', 'recover', 'unlock'].includes(first) ? first
        : app.account?.locked ? 'unlock' : 'login';
      renderSections(null);
      return renderAuth(view, app, mode);
    }
    if (first === 'account') {
      renderSections(null);
      return renderAccount(view, app);
    }
    if (first === 'w' && second) {
      await openWorkspace(second);
      const section = SECTIONS.find((s) => s.path === third) ?? SECTIONS[0];
      renderSections(section.path);
      document.title = `${section.label} · ${app.wsInfo.name} · credvault`;
      if (section.path === 'connections' && fourth) {
        return await renderConnectionDetail(view, app, decodeURIComponent(fourth));
      }
      return await section.render(view, app);
    }
    renderSections(null);
    if (app.workspaces.length === 1 && first === '') {
      return app.go(`#/w/${app.workspaces[0].id}/connections`);
    }
    return renderWorkspaces(view, app);
  } catch (error) {
    if (error?.status === 401) return app.signedOut();
    replace(view, h('section', { class: 'card' }, h('h1', {}, 'Something went wrong'),
      h('p', { class: 'error-text', role: 'alert' }, errorText(error)),
      h('p', {}, h('a', { href: '#/' }, 'Back to your workspaces'))));
  } finally {
    if (seq === latestRoute) {
      replace(main, view);
      (view.querySelector('[autofocus]') ?? main).focus({ preventScroll: true });
    }
  }
}

async function boot() {
  const state = $('module-state');
  try {
    const worker = new Worker('/core_worker.js', { type: 'module' });
    const core = connectCore(worker);
    app.client = core.client;
    app.cv = core.cv;
    await app.cv.info();  // the worker has loaded the module
  } catch (error) {
    state.dataset.state = 'error';
    state.textContent = `The crypto module did not load: ${errorText(error)}.`;
    return;
  }
  window.addEventListener('hashchange', route);
  await route();
}

boot();
