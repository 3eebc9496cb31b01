// The first page: create an account, then seal and reopen one credential, all inside the
// credvault WebAssembly module. Keys never reach JavaScript: the module hands out numbered
// handles, and every handle made here is released when it is no longer needed.

const MODULE_URL = '/module/credvault.mjs';
const CREDENTIAL_VERSION = 1;
const WORKSPACE_GENERATION = 1;
const MIB = 1024 * 1024;
const ALGORITHM_NAMES = { 1: 'XChaCha20-Poly1305' };

const $ = (id) => document.getElementById(id);

const session = {
  cv: null,       // the loaded module
  account: null,  // handle of the unlocked account keys
};

// The module throws CredvaultError with a stable `code`; anything else is unexpected.
function errorCode(error) {
  return error && typeof error.code === 'string' ? error.code : 'unexpected';
}

function setStatus(element, state, text) {
  element.dataset.state = state;
  element.textContent = text;
}

function showError(element, error) {
  const detail = error && error.message ? ` (${error.message})` : '';
  setStatus(element, 'error', `Error: ${errorCode(error)}${detail}`);
}

// Argon2id runs synchronously on this thread: give the browser one frame to paint the
// progress text first.
function nextPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function loadModule() {
  const moduleState = $('module-state');
  try {
    const { default: createCredvault } = await import(MODULE_URL);
    session.cv = await createCredvault();
    const info = session.cv.info();
    setStatus(moduleState, 'ready',
      `Crypto module ready (${info.target} ${info.version}, randomness from ${info.random_source}).`);
    $('create-account').disabled = false;
  } catch (error) {
    const code = errorCode(error) === 'unexpected' ? 'module_unavailable' : errorCode(error);
    setStatus(moduleState, 'error', `The crypto module did not load: ${code}.`);
  }
}

async function onCreateAccount(event) {
  event.preventDefault();
  const { cv } = session;
  const status = $('account-status');
  const button = $('create-account');
  const email = $('email').value.trim();
  const password = $('password').value;
  const kdf = cv.kdfDefaults();

  button.disabled = true;
  setStatus(status, 'working', `Deriving your keys with Argon2id (${Math.round(kdf.mem_limit_bytes / MIB)} MiB, ` +
    `${kdf.ops_limit} passes)…`);
  await nextPaint();
  const started = performance.now();
  try {
    const created = cv.createAccount(email, password, kdf);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    $('password').value = '';
    session.account = created.account;
    showRecoveryCode(created.recovery_code, cv.accountInfo(created.account).fingerprint);
    setStatus(status, 'ok', `Account created for ${created.record.email} in ${seconds} s.`);
    $('account-form').querySelectorAll('input, button').forEach((control) => {
      control.disabled = true;
    });
    $('credential-fields').disabled = false;
    setStatus($('status'), 'idle', 'ready');
    $('credential-name').focus();
  } catch (error) {
    showError(status, error);
    button.disabled = false;
  }
}

function showRecoveryCode(code, fingerprint) {
  $('recovery-code').textContent = code;
  $('fingerprint').textContent = fingerprint;
  $('recovery').hidden = false;
}

function onRecoveryStored() {
  // Shown once: once dismissed, the code is gone from the page.
  $('recovery-code').textContent = '';
  $('recovery').hidden = true;
}

// Seals {name, token} under a new data key wrapped by a new workspace key, then opens it the
// way another reader would: from the wrapped key and the envelope alone.
function roundTrip(cv, name, token) {
  const handles = [];
  const keep = (handle) => {
    handles.push(handle);
    return handle;
  };
  try {
    const workspaceId = cv.newId();
    const credentialId = cv.newId();
    const context = {
      purpose: 'credential',
      workspace_id: workspaceId,
      object_id: credentialId,
      object_version: CREDENTIAL_VERSION,
    };
    const workspace = keep(cv.newWorkspaceKeys(workspaceId, WORKSPACE_GENERATION));
    const dataKey = keep(cv.newDataKey());
    const wrapped = cv.wrapDataKey(workspace, credentialId, CREDENTIAL_VERSION, dataKey);
    const envelope = cv.seal(dataKey, context, JSON.stringify({ name, token }));

    const reopenedKey = keep(cv.unwrapDataKey(workspace, credentialId, CREDENTIAL_VERSION, wrapped));
    const opened = JSON.parse(cv.open(reopenedKey, context, envelope));
    return {
      name: opened.name,
      intact: opened.name === name && opened.token === token,
      envelope,
      wrapped,
      header: cv.inspectEnvelope(envelope),
    };
  } finally {
    handles.forEach((handle) => cv.release(handle));
  }
}

function onSealCredential(event) {
  event.preventDefault();
  const status = $('status');
  const tokenInput = $('credential-token');
  const name = $('credential-name').value.trim();
  try {
    const result = roundTrip(session.cv, name, tokenInput.value);
    tokenInput.value = '';
    if (!result.intact) {
      setStatus(status, 'error', 'Error: round_trip_mismatch');
      return;
    }
    setStatus(status, 'ok', `round trip ok: decrypted “${result.name}”`);
    showEnvelopeFacts(result);
  } catch (error) {
    showError(status, error);
  }
}

function showEnvelopeFacts({ envelope, wrapped, header }) {
  $('envelope-size').textContent = `${envelope.length} base64url characters`;
  const algorithm = ALGORITHM_NAMES[header.algorithm] ?? `algorithm ${header.algorithm}`;
  $('envelope-header').textContent = `format v${header.version}, ${algorithm}, ` +
    `key generation ${header.key_generation}, ` +
    `${header.padded_plaintext_bytes} padded bytes`;
  $('wrapped-size').textContent = `${wrapped.length} base64url characters`;
  $('envelope-facts').hidden = false;
}

$('account-form').addEventListener('submit', onCreateAccount);
$('credential-form').addEventListener('submit', onSealCredential);
$('recovery-done').addEventListener('click', onRecoveryStored);
loadModule();
