// Shared by the Node tests of the REST API: a small JSON client for the running server, and
// helpers that make real records with the WASM module (accounts, workspaces, grants), so the
// server is exercised with exactly what a browser would send.
//
// The module comes from CREDVAULT_MODULE_DIR (default build/wasm/wasm). Accounts use the
// core's minimum KDF parameters to keep each Argon2id run short.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { REPO_ROOT } from './harness.mjs';

export const MODULE_DIR = process.env.CREDVAULT_MODULE_DIR ??
  path.join(REPO_ROOT, 'build', 'wasm', 'wasm');

let credvaultPromise;
export function loadCredvault() {
  credvaultPromise ??= import(pathToFileURL(path.join(MODULE_DIR, 'credvault.mjs')).href)
    .then((module) => module.default());
  return credvaultPromise;
}

// One request. `auth` is a session ({token, csrf_token}) sent as a Bearer token, or with
// {cookie: true} as the browser sends it (cookie + X-CSRF-Token unless csrf: false).
// `body` is JSON-encoded unless `raw` is given (sent as is). Resolves {status, headers, json}.
export async function call(server, method, target, {
  body, raw, auth, cookie = false, csrf = true, headers = {}, contentType = 'application/json',
} = {}) {
  const sent = { ...headers };
  if (auth && !cookie) sent.authorization = `Bearer ${auth.token}`;
  if (auth && cookie) {
    sent.cookie = `cv_session=${auth.token}`;
    if (csrf) sent['x-csrf-token'] = auth.csrf_token;
  }
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && contentType) sent['content-type'] = contentType;
  const response = await fetch(`${server.url}${target}`, { method, headers: sent, body: payload });
  const text = await response.text();
  let json;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

let counter = 0;
export function uniqueEmail(prefix = 'user') {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.test`;
}

// Registers and logs in a new account. Returns everything a test needs of that person.
export async function newUser(server, { email = uniqueEmail(), password = 'correct horse battery' } = {}) {
  const cv = await loadCredvault();
  const made = cv.createAccount(email, password, cv.kdfMinimum());
  const registered = await call(server, 'POST', '/api/v1/accounts', {
    body: { record: made.record, auth_key: made.auth_key, recovery_auth_key: made.recovery_auth_key },
  });
  if (registered.status !== 201) {
    throw new Error(`register: ${registered.status} ${registered.text}`);
  }
  const session = await login(server, email, made.auth_key);
  return {
    id: made.record.account_id,
    email,
    password,
    record: made.record,
    authKey: made.auth_key,
    recoveryCode: made.recovery_code,
    recoveryAuthKey: made.recovery_auth_key,
    handle: made.account,
    session,
  };
}

export async function login(server, email, authKey) {
  const response = await call(server, 'POST', '/api/v1/auth/login',
    { body: { email, auth_key: authKey } });
  if (response.status !== 200) throw new Error(`login: ${response.status} ${response.text}`);
  return response.json;
}

// A workspace owned by `user`, with the owner's generation-1 grant. Returns {id, keys, json}.
export async function newWorkspace(server, user, name = 'Platform team') {
  const cv = await loadCredvault();
  const id = cv.newId();
  const keys = cv.newWorkspaceKeys(id, 1);
  const grant = cv.makeGrant(user.handle, keys, true, user.id, user.record.box_public_key);
  const response = await call(server, 'POST', '/api/v1/workspaces',
    { auth: user.session, body: { id, name, grant } });
  if (response.status !== 201) throw new Error(`workspace: ${response.status} ${response.text}`);
  return { id, keys, json: response.json.workspace };
}

// A grant of `workspace`'s keys from `granter` to `member` for `role` (secrets key included
// exactly when the role receives it).
export const ROLES_WITH_SECRETS = new Set(['owner', 'admin', 'operator']);
export async function grantFor(granter, keys, member, role) {
  const cv = await loadCredvault();
  return cv.makeGrant(granter.handle, keys, ROLES_WITH_SECRETS.has(role), member.id,
    member.record.box_public_key);
}

export async function addMember(server, owner, workspace, member, role) {
  const grant = await grantFor(owner, workspace.keys, member, role);
  const response = await call(server, 'POST', `/api/v1/workspaces/${workspace.id}/members`,
    { auth: owner.session, body: { account_id: member.id, role, grant } });
  if (response.status !== 201) throw new Error(`add member: ${response.status} ${response.text}`);
  return response.json.member;
}

// Asserts the uniform error shape and returns the error object.
export function errorOf(response) {
  const error = response.json?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') {
    throw new Error(`not an error body (${response.status}): ${response.text}`);
  }
  return error;
}
