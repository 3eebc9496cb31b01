// Sign up, log in, unlock and recovery. Argon2id runs in the worker: the page shows its
// progress and stays responsive. Passwords are read from their inputs once and the inputs
// are emptied straight after.
import { h, field, replace, errorText } from '../dom.js';

const TITLES = {
  login: 'Log in', signup: 'Create an account', unlock: 'Unlock', recover: 'Recover your account',
};

const STAGES = {
  deriving: 'Deriving your keys with Argon2id (this takes a moment, on purpose)…',
  signing_in: 'Signing in…',
  unlocking: 'Unlocking your keys…',
};

function input(name, type, attributes = {}) {
  return h('input', { name, type, required: true, ...attributes });
}

// Runs `work` with a progress line that counts seconds, so a slow KDF never looks frozen.
async function withProgress(status, work) {
  const started = performance.now();
  let stage = STAGES.deriving;
  status.dataset.state = 'working';
  const tick = () => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    status.textContent = `${stage} ${seconds} s`;
  };
  tick();
  const timer = setInterval(tick, 100);
  try {
    return await work((next) => {
      stage = STAGES[next] ?? stage;
      tick();
    });
  } finally {
    clearInterval(timer);
  }
}

function recoveryPanel(view, app, code) {
  const saved = h('input', { type: 'checkbox', id: 'recovery-saved' });
  const next = h('button', { type: 'button', disabled: true }, 'Continue');
  saved.addEventListener('change', () => { next.disabled = !saved.checked; });
  const codeNode = h('code', { class: 'recovery-code', id: 'recovery-code' }, code);
  next.addEventListener('click', async () => {
    codeNode.textContent = '';  // shown once: gone from the page from here on
    await app.signedIn(await app.client.$get('account'));
    app.go('#/workspaces');
  });
  replace(view, h('section', { class: 'card narrow', 'aria-labelledby': 'recovery-title' },
    h('h1', { id: 'recovery-title' }, 'Save your recovery code'),
    h('p', {}, 'It is shown ', h('strong', {}, 'once'), '. It is the only way back into your ' +
      'account if you forget your password: nobody, not even the server, can reset it.'),
    codeNode,
    h('div', { class: 'check' }, saved, h('label', { for: 'recovery-saved' },
      'I have stored the recovery code somewhere safe')),
    next));
  saved.focus();
}

export function renderAuth(view, app, mode) {
  document.title = `${TITLES[mode]} · credvault`;
  const email = input('email', 'email', { autocomplete: 'username',
    value: app.account?.email ?? localStorage.getItem('credvault.email') ?? '' });
  const password = input('password', 'password', {
    autocomplete: mode === 'signup' ? 'new-password' : 'current-password', minlength: 8 });
  const confirm = input('confirm', 'password', { autocomplete: 'new-password', minlength: 8 });
  const code = input('code', 'text', { autocomplete: 'off', spellcheck: false });
  const newPassword = input('new_password', 'password', { autocomplete: 'new-password',
    minlength: 8 });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, TITLES[mode]);

  const fields = [];
  if (mode === 'unlock') {
    fields.push(h('p', {}, 'Signed in as ', h('strong', {}, app.account?.email ?? ''),
      '. Your keys were locked; enter your password to unlock them.'));
  } else {
    fields.push(field('Email', email));
  }
  if (mode === 'recover') {
    fields.push(field('Recovery code', code, { hint: 'The code you saved when you signed up.' }));
    fields.push(field('New password', newPassword, { hint: 'At least 8 characters.' }));
  } else {
    fields.push(field('Password', password, { hint: mode === 'signup'
      ? 'Your keys are derived from it in this browser; the server never sees it.' : undefined }));
  }
  if (mode === 'signup') fields.push(field('Repeat the password', confirm));

  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'auth-title' },
    h('h1', { id: 'auth-title' }, TITLES[mode]), fields, submit, status,
    h('p', { class: 'switch' },
      mode !== 'login' && mode !== 'unlock' ? h('a', { href: '#/login' }, 'Log in') : null,
      mode !== 'signup' && mode !== 'unlock' ? h('a', { href: '#/signup' }, 'Create an account')
        : null,
      mode !== 'recover' && mode !== 'unlock' ? h('a', { href: '#/recover' },
        'Forgot your password?') : null,
      mode === 'unlock' ? h('a', { href: '#/login', onclick: (event) => {
        event.preventDefault();
        app.client.logOut().catch(() => {}).finally(() => app.signedOut());
      } }, 'Log in as someone else') : null));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (mode === 'signup' && password.value !== confirm.value) {
      status.dataset.state = 'error';
      status.textContent = 'The two passwords differ.';
      return;
    }
    submit.disabled = true;
    const secret = mode === 'recover' ? newPassword.value : password.value;
    const recoveryCode = code.value.trim();
    for (const box of [password, confirm, newPassword, code]) box.value = '';
    try {
      await withProgress(status, async (onProgress) => {
        if (mode === 'signup') {
          const made = await app.client.signUp(email.value.trim(), secret, { onProgress });
          recoveryPanel(view, app, made.recoveryCode);
          return;
        }
        if (mode === 'login') {
          await app.client.logIn(email.value.trim(), secret, { onProgress });
        } else if (mode === 'unlock') {
          await app.client.unlock(secret);
        } else {
          await app.client.recover(email.value.trim(), recoveryCode, secret);
          app.toast('Recovered: your password is changed and you are signed in.');
        }
        await app.signedIn(await app.client.$get('account'));
        app.go(mode === 'unlock' ? (app.returnTo ?? '#/') : '#/');
      });
    } catch (error) {
      status.dataset.state = 'error';
      status.textContent = error?.status === 401 || error?.code === 'decrypt_failed'
        ? 'Wrong email or password.' : errorText(error);
      submit.disabled = false;
    }
  });
  replace(view, form);
  // The router focuses it once the form is on the page.
  (mode === 'unlock' || email.value ? (mode === 'recover' ? code : password) : email)
    .setAttribute('autofocus', '');
}
