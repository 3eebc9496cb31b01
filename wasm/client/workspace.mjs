// One workspace as this member sees it: members, credentials, connections, tests, runners,
// environments and audit. Its keys are handles opened from this member's grants; they are
// released by close() and by the client's lock(), and re-opened on the next call once the
// client is unlocked again.
import { CredvaultError } from '../credvault.mjs';
import { importKubeconfig, previewKubeconfig } from './kubeconfig.mjs';
import {
  ROLES_WITH_SECRETS, connectionGeneration, credentialGeneration, handleFor, workspaceKeysFor,
  workspacePath,
} from './keys.mjs';
import { removeWithRotation } from './rotation.mjs';
import { testConnection } from './testing.mjs';

export { workspaceKeysFor };

// Module-private: what the client and sibling workspaces call, kept off the public surface.
export const RELEASE = Symbol('release');
export const CURRENT_KEYS = Symbol('currentKeys');

// A connection created by hand starts registered (the user vouches for it), not discovered.
const CREATED_STATE = 'registered';

// Fields of a test result that a probe may leave out (only a Prometheus reports a version).
const TEST_RESULT_DEFAULTS = Object.freeze({
  message: '', remediations: [], latency_ms: 0, http_status: 0, server_version: '',
  authenticated_as: '',
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

export class Workspace {
  #context;
  #handles;   // Map(generation → handle); empty while locked
  #closed = false;

  constructor(context, json, handles) {
    this.#context = context;
    this.#handles = handles;
    this.#apply(json);
    context.opened(this);
  }

  #apply(json) {
    this.id = json.id;
    this.name = json.name;
    this.role = json.role;
    this.generation = json.key_generation;
    this.version = json.version;
    this.permissions = Object.freeze([...json.permissions]);
  }

  get #cv() {
    return this.#context.cv;
  }

  get #http() {
    return this.#context.http;
  }

  #path(rest = '') {
    return workspacePath(this.id, rest);
  }

  can(action) {
    return this.permissions.includes(action);
  }

  [RELEASE]() {
    for (const handle of this.#handles.values()) this.#cv.release(handle);
    this.#handles = new Map();
  }

  close() {
    if (this.#closed) return;
    this[RELEASE]();
    this.#closed = true;
    this.#context.closed(this);
  }

  // Re-reads the workspace (name, role, key generation) and re-opens its keys.
  async refresh() {
    this.#checkOpen();
    const { workspace } = await this.#http.get(this.#path());
    this.#apply(workspace);
    this[RELEASE]();
    await this.#keys();
  }

  #checkOpen() {
    if (this.#closed) throw new CredvaultError('closed', 'this workspace was closed');
  }

  async #keys() {
    this.#checkOpen();
    if (this.#handles.size === 0) {
      this.#context.accountHandle();  // throws 'locked' before any request
      this.#handles = await workspaceKeysFor(this.#context, this);
      this.generation = Math.max(this.generation, ...this.#handles.keys());
    }
    return this.#handles;
  }

  async [CURRENT_KEYS]() {
    return handleFor(await this.#keys(), this.generation);
  }

  async #credentialKeys(sealed) {
    return handleFor(await this.#keys(), credentialGeneration(sealed, this.id));
  }

  async #connectionKeys(sealed) {
    return handleFor(await this.#keys(), connectionGeneration(this.#cv, sealed));
  }

  // ---- members ----

  async members() {
    await this.#keys();
    const { items } = await this.#http.all(this.#path('/members'));
    return items.map((m) => ({
      account_id: m.account_id, email: m.email, role: m.role, version: m.version,
      fingerprint: this.#cv.fingerprint(m.sign_public_key),
    }));
  }

  async invite(email, role) {
    const current = await this[CURRENT_KEYS]();
    const found = await this.#http.get('/api/v1/accounts/lookup', { email });
    const grant = this.#cv.makeGrant(this.#context.accountHandle(), current,
      ROLES_WITH_SECRETS.has(role), found.account_id, found.box_public_key);
    const { member } = await this.#http.post(this.#path('/members'),
      { account_id: found.account_id, role, grant });
    return { ...member, email, fingerprint: this.#cv.fingerprint(found.sign_public_key) };
  }

  async changeRole(accountId, role) {
    const current = await this[CURRENT_KEYS]();
    const { items } = await this.#http.all(this.#path('/members'));
    const member = items.find((m) => m.account_id === accountId);
    if (!member) throw new CredvaultError('not_found', 'not a member of this workspace');
    const grant = this.#cv.makeGrant(this.#context.accountHandle(), current,
      ROLES_WITH_SECRETS.has(role), accountId, member.box_public_key);
    const answer = await this.#http.patch(this.#path(`/members/${encodeURIComponent(accountId)}`),
      { role, version: member.version, grant });
    if (accountId === this.#context.record.account_id) await this.refresh();
    return answer.member;
  }

  async removeMember(accountId) {
    const { workspace } = await this.#http.get(this.#path());
    this.#apply(workspace);
    const handles = await this.#keys();
    const { answer, next, names } =
      await removeWithRotation(this.#context, this, handles, accountId);
    if (accountId === this.#context.record.account_id) {
      this.#cv.release(next);
      this.close();
    } else {
      this.#handles.set(answer.key_generation, next);
      this.generation = answer.key_generation;
    }
    return {
      generation: answer.key_generation,
      rotated: {
        grants: answer.grants, credentials: answer.credential_keys,
        connections: answer.connections,
      },
      rotateRecommended: answer.rotate_recommended.map((id) => ({ id, name: names.get(id) ?? '' })),
    };
  }

  // ---- credentials ----

  async #getCredential(id) {
    return this.#http.get(this.#path(`/credentials/${encodeURIComponent(id)}`));
  }

  async #summarizeCredential(sealed) {
    return this.#cv.summarizeCredential(sealed, await this.#credentialKeys(sealed));
  }

  async credentials({ kind } = {}) {
    await this.#keys();
    const { items } = await this.#http.all(this.#path('/credentials'), { kind });
    const summaries = [];
    for (const sealed of items) summaries.push(await this.#summarizeCredential(sealed));
    return summaries;
  }

  async createCredential(view) {
    const cv = this.#cv;
    const current = await this[CURRENT_KEYS]();
    const now = nowSeconds();
    const record = { id: cv.newId(), owner_id: this.#context.record.account_id,
      workspace_id: this.id, version: 1, created_at: now, updated_at: now };
    const dataKey = cv.newDataKey();
    let sealed;
    try {
      sealed = cv.sealCredential(view, record, dataKey, [current]);
    } finally {
      cv.release(dataKey);
    }
    return this.#summarizeCredential(await this.#http.post(this.#path('/credentials'), sealed));
  }

  async openCredential(id) {
    const sealed = await this.#getCredential(id);
    return this.#cv.openCredential(sealed, await this.#credentialKeys(sealed));
  }

  // A new version under the same data key: the grants of other workspaces stay valid. With
  // {rotated: true} the credential's "rotate recommended" flag is cleared.
  async updateCredential(id, view, { rotated } = {}) {
    const cv = this.#cv;
    const stored = await this.#getCredential(id);
    if (stored.workspace_id !== this.id) {
      throw new CredvaultError('permission_denied', 'this credential is shared with this ' +
        'workspace; it is edited in the workspace that owns it');
    }
    const keys = await this.#credentialKeys(stored);
    const current = await this[CURRENT_KEYS]();
    const record = { id: stored.id, owner_id: stored.owner_id, workspace_id: stored.workspace_id,
      version: stored.version + 1, created_at: stored.created_at, updated_at: nowSeconds() };
    const dataKey = cv.openCredentialDataKey(stored, keys);
    let sealed;
    try {
      sealed = cv.sealCredential(view, record, dataKey, [current]);
    } finally {
      cv.release(dataKey);
    }
    const body = {
      ...sealed,
      grants: stored.grants.map((g) => (g.workspace_id === this.id ? sealed.grants[0] : g)),
    };
    if (rotated === true) body.rotate_recommended = false;
    else delete body.rotate_recommended;
    return this.#summarizeCredential(
      await this.#http.put(this.#path(`/credentials/${encodeURIComponent(id)}`), body));
  }

  // Refused (409 conflict) while connections use it: error.details.connections lists them.
  async deleteCredential(id) {
    await this.#http.delete(this.#path(`/credentials/${encodeURIComponent(id)}`));
  }

  // `target`: a Workspace of this client, or a workspace id (opened for the call).
  async shareCredential(id, target) {
    const cv = this.#cv;
    const other = typeof target === 'string' ? await this.#context.workspace(target) : target;
    try {
      const sealed = await this.#getCredential(id);
      const keys = await this.#credentialKeys(sealed);
      const { name } = cv.summarizeCredential(sealed, keys);
      const targetKeys = await other[CURRENT_KEYS]();
      const dataKey = cv.openCredentialDataKey(sealed, keys);
      let grant;
      try {
        grant = cv.grantCredential(sealed, name, dataKey, targetKeys);
      } finally {
        cv.release(dataKey);
      }
      return this.#summarizeCredential(await this.#http.post(
        this.#path(`/credentials/${encodeURIComponent(id)}/grants`), grant));
    } finally {
      if (other !== target) other.close();
    }
  }

  async revokeShare(id, targetWorkspaceId) {
    await this.#http.delete(this.#path(
      `/credentials/${encodeURIComponent(id)}/grants/${encodeURIComponent(targetWorkspaceId)}`));
  }

  // ---- connections ----

  async #getConnection(id) {
    return this.#http.get(this.#path(`/connections/${encodeURIComponent(id)}`));
  }

  async #summarizeConnection(sealed) {
    return this.#cv.summarizeConnection(sealed, await this.#connectionKeys(sealed));
  }

  // Server-side filters {kind, state, environment}; deleted connections only with
  // {includeDeleted: true} or {state: 'deleted'}. `counts` are per state, over every state.
  async connections({ kind, state, environment, includeDeleted = false } = {}) {
    await this.#keys();
    const { items, first } = await this.#http.all(this.#path('/connections'),
      { kind, state, environment });
    const summaries = [];
    for (const sealed of items) {
      if (sealed.state === 'deleted' && !includeDeleted && state !== 'deleted') continue;
      summaries.push(await this.#summarizeConnection(sealed));
    }
    return { items: summaries, counts: first.counts };
  }

  async createConnection(view) {
    const cv = this.#cv;
    const current = await this[CURRENT_KEYS]();
    const now = nowSeconds();
    const full = {
      schema_version: 1, state: CREATED_STATE, environment_ids: [], ...view,
      id: view.id || cv.newId(), workspace_id: this.id, version: 1, created_at: now,
      updated_at: now,
    };
    return this.#summarizeConnection(
      await this.#http.post(this.#path('/connections'), cv.sealConnection(full, current)));
  }

  async openConnection(id) {
    const sealed = await this.#getConnection(id);
    return this.#cv.openConnection(sealed, await this.#connectionKeys(sealed));
  }

  // `view` may be partial: it is laid over the stored details. State and kind do not change
  // here (transition() moves the state).
  async updateConnection(id, view) {
    const cv = this.#cv;
    const stored = await this.#getConnection(id);
    const before = cv.openConnection(stored, await this.#connectionKeys(stored));
    const next = { ...before, ...view, id: stored.id, workspace_id: this.id, kind: stored.kind,
      state: stored.state, version: stored.version + 1, updated_at: nowSeconds() };
    const sealed = cv.sealConnection(next, await this[CURRENT_KEYS]());
    return this.#summarizeConnection(
      await this.#http.put(this.#path(`/connections/${encodeURIComponent(id)}`), sealed));
  }

  async transition(id, to) {
    const stored = await this.#getConnection(id);
    return this.#summarizeConnection(await this.#http.post(
      this.#path(`/connections/${encodeURIComponent(id)}/transitions`),
      { version: stored.version, to }));
  }

  async deleteConnection(id) {
    await this.#http.delete(this.#path(`/connections/${encodeURIComponent(id)}`));
  }

  async testConnection(id, options = {}) {
    const sealed = await this.#getConnection(id);
    const keys = await this.#connectionKeys(sealed);
    const answer = await testConnection(this.#context, this, sealed, keys, options);
    return {
      ...TEST_RESULT_DEFAULTS, ...answer.result,
      connection: await this.#summarizeConnection(answer.connection), verified: true,
    };
  }

  // ---- kubeconfig ----

  async previewKubeconfig(text, selection = { select_all: true }) {
    const { items } = await this.connections();
    return previewKubeconfig(this.#context, this, text, selection, items,
      await this[CURRENT_KEYS]());
  }

  async importKubeconfig(text, selection = { select_all: true }) {
    const { items } = await this.connections();
    return importKubeconfig(this.#context, this, text, selection, items,
      await this[CURRENT_KEYS]());
  }

  // ---- runners, environments, audit ----

  async runners() {
    return (await this.#http.all(this.#path('/runners'))).items;
  }

  async admitRunner({ id, name, box_public_key, sign_public_key }) {
    return this.#http.post(this.#path('/runners'), { id, name, box_public_key, sign_public_key });
  }

  async admitBuiltinRunner() {
    const builtin = await this.#http.get('/api/v1/runners/builtin');
    return this.admitRunner(builtin);
  }

  // A runner holding the workspace keys (grantRunner) is removed with a key rotation.
  async removeRunner(id) {
    const runner = (await this.runners()).find((r) => r.id === id);
    if (runner?.granted) {
      await this.#rotateAway({ runnerId: id, removeRunner: true });
      return;
    }
    await this.#http.delete(this.#path(`/runners/${encodeURIComponent(id)}`));
  }

  // ---- active monitoring ----

  // Grants an admitted runner the workspace keys (sealed to its X25519 key, signed by this
  // account) so it can test the workspace's connections on a schedule with no client
  // involved. The server still cannot open them.
  async grantRunner(runnerId) {
    const current = await this[CURRENT_KEYS]();
    const runner = (await this.runners()).find((r) => r.id === runnerId);
    if (!runner) throw new CredvaultError('not_found', 'no such runner in this workspace');
    const grant = this.#cv.makeGrant(this.#context.accountHandle(), current, true, runner.id,
      runner.box_public_key);
    return this.#http.post(this.#path(`/runners/${encodeURIComponent(runnerId)}/grant`),
      { grant });
  }

  // Revokes the grant with a key rotation: the runner's old keys open nothing written after.
  async revokeRunner(runnerId) {
    return this.#rotateAway({ runnerId });
  }

  async #rotateAway(removed) {
    const { workspace } = await this.#http.get(this.#path());
    this.#apply(workspace);
    const handles = await this.#keys();
    const { answer, next } = await removeWithRotation(this.#context, this, handles, removed);
    this.#handles.set(answer.key_generation, next);
    this.generation = answer.key_generation;
    return answer;
  }

  // Minutes between scheduled tests of a connection: 0 = off, null = the workspace default.
  async setMonitor(connectionId, minutes) {
    return this.#http.put(this.#path(`/connections/${encodeURIComponent(connectionId)}/monitor`),
      { interval_minutes: minutes });
  }

  async setMonitorDefault(minutes) {
    return this.#http.put(this.#path('/monitor'), { default_interval_minutes: minutes });
  }

  async monitorSettings() {
    return this.#http.get(this.#path('/monitor'));
  }

  // The connection's recorded results, newest first (at most 100 are kept).
  async history(connectionId, { limit } = {}) {
    const { items } = await this.#http.get(
      this.#path(`/connections/${encodeURIComponent(connectionId)}/history`), { limit });
    return items;
  }

  // State changes recorded from test results in the workspace, newest first.
  async feed({ limit } = {}) {
    return (await this.#http.get(this.#path('/feed'), { limit })).items;
  }

  async environments() {
    return (await this.#http.all(this.#path('/environments'))).items;
  }

  async createEnvironment(name) {
    return this.#http.post(this.#path('/environments'), { id: this.#cv.newId(), name });
  }

  async audit({ cursor, limit } = {}) {
    const { items, next_cursor } = await this.#http.get(this.#path('/audit'), { cursor, limit });
    return { items, next_cursor };
  }
}
