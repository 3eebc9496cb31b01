// credvault client: the account, workspaces, credentials, connections and connectivity tests
// of a credvault server, over fetch, with every key held by the WASM core. Node 20 and
// browsers.
//
//   import { createClient } from 'credvault/client';
//   const client = await createClient({ baseUrl: 'https://credvault.example.com' });
//   await client.logIn(email, password);
//   const ws = await client.workspace(id);
//
// What JavaScript holds: the session (a Bearer token in Node; in a same-origin browser only
// the CSRF token, the session itself being an HttpOnly cookie), the account's public record,
// and numeric key handles. Keys stay in WASM memory; lock(), logOut() and ws.close() release
// them. Nothing is written to localStorage. See client.d.ts for every shape.
import createCredvault, { CredvaultError } from './credvault.mjs';
import { API, Http } from './client/http.mjs';
import { RELEASE, Workspace, workspaceKeysFor } from './client/workspace.mjs';

export { CredvaultError };

function locked() {
  return new CredvaultError('locked', 'the account is locked: unlock it with the password');
}

class Client {
  #cv;
  #http;
  #record = null;      // the account record: public keys and wrapped private keys
  #email = null;
  #handle = null;      // the account's identity in WASM memory while unlocked
  #live = new Set();   // workspaces not closed: lock() releases their keys

  constructor(cv, http) {
    this.#cv = cv;
    this.#http = http;
  }

  get cv() {
    return this.#cv;
  }

  get account() {
    if (this.#record === null) return null;
    return {
      id: this.#record.account_id,
      email: this.#email,
      fingerprint: this.#cv.fingerprint(this.#record.sign_public_key),
    };
  }

  get unlocked() {
    return this.#handle !== null;
  }

  // What a Workspace needs of the client, without widening the public surface.
  #context() {
    const client = this;
    return {
      cv: this.#cv,
      http: this.#http,
      get record() {
        return client.#record;
      },
      accountHandle: () => {
        if (client.#handle === null) throw locked();
        return client.#handle;
      },
      opened: (ws) => client.#live.add(ws),
      closed: (ws) => client.#live.delete(ws),
      workspace: (id) => client.workspace(id),
    };
  }

  #signedIn(login, email, handle) {
    this.#http.setSession(login);
    this.#record = login.account;
    this.#email = email;
    this.#setHandle(handle);
  }

  #setHandle(handle) {
    if (this.#handle !== null && this.#handle !== handle) this.#cv.release(this.#handle);
    this.#handle = handle;
  }

  async signUp(email, password, { kdf } = {}) {
    const made = this.#cv.createAccount(email, password, kdf);
    try {
      await this.#http.post(`${API}/accounts`, {
        record: made.record, auth_key: made.auth_key, recovery_auth_key: made.recovery_auth_key,
      });
      const login = await this.#http.post(`${API}/auth/login`,
        { email, auth_key: made.auth_key });
      this.#signedIn(login, email, made.account);
    } catch (error) {
      this.#cv.release(made.account);
      throw error;
    }
    return { accountId: made.record.account_id, recoveryCode: made.recovery_code };
  }

  async logIn(email, password, { onProgress } = {}) {
    const progress = (stage) => {
      if (typeof onProgress === 'function') onProgress(stage);
    };
    progress('deriving');
    const { kdf, salt } = await this.#http.post(`${API}/auth/prelogin`, { email });
    const authKey = this.#cv.deriveAuthKey(password, salt, kdf);
    progress('signing_in');
    const login = await this.#http.post(`${API}/auth/login`, { email, auth_key: authKey });
    progress('unlocking');
    let unlocked;
    try {
      unlocked = this.#cv.unlockAccount(password, login.account);
    } catch (error) {
      await this.#http.post(`${API}/auth/logout`).catch(() => {});
      this.#http.clearSession();
      throw error;
    }
    this.#closeWorkspaces();
    this.#signedIn(login, email, unlocked.account);
    return this.account;
  }

  // Releases every key handle; the session stays, so unlock() needs only the password.
  lock() {
    this.#lockWorkspaces();
    this.#setHandle(null);
  }

  #lockWorkspaces() {
    for (const ws of this.#live) ws[RELEASE]();
  }

  // A new sign-in: the workspaces opened before belong to the previous session.
  #closeWorkspaces() {
    for (const ws of [...this.#live]) ws.close();
  }

  async unlock(password) {
    if (!this.#http.hasSession) {
      throw new CredvaultError('unauthenticated', 'no session: log in first');
    }
    const { account, email } = await this.#http.get(`${API}/account`);
    const unlocked = this.#cv.unlockAccount(password, account);
    this.#record = account;
    this.#email = email;
    this.#setHandle(unlocked.account);
  }

  async logOut() {
    try {
      if (this.#http.hasSession) await this.#http.post(`${API}/auth/logout`);
    } catch (error) {
      // A session that already ended (expired, or a password change elsewhere) is logged out.
      if (error.status !== 401) throw error;
    } finally {
      this.#closeWorkspaces();
      this.lock();
      this.#http.clearSession();
      this.#record = null;
      this.#email = null;
    }
  }

  // Other sessions end; this one stays. `kdf` defaults to the account's current parameters.
  async changePassword(currentPassword, newPassword, { kdf } = {}) {
    if (this.#handle === null) throw locked();
    const record = this.#record;
    const authKey = this.#cv.deriveAuthKey(currentPassword, record.salt, record.kdf);
    const changed = this.#cv.changePassword(this.#handle, record, newPassword, kdf ?? record.kdf);
    const answer = await this.#http.put(`${API}/account/password`,
      { auth_key: authKey, record: changed.record, new_auth_key: changed.auth_key });
    this.#record = answer.account;
  }

  // Sets a new password with the recovery code (every session ends), then logs in.
  async recover(email, recoveryCode, newPassword, { kdf } = {}) {
    const proof = this.#cv.deriveRecoveryAuthKey(recoveryCode);
    const { account: record } = await this.#http.post(`${API}/auth/recover`,
      { email, recovery_auth_key: proof });
    const handle = this.#cv.recoverAccount(recoveryCode, record);
    try {
      const changed = this.#cv.changePassword(handle, record, newPassword, kdf ?? record.kdf);
      await this.#http.post(`${API}/auth/recover/complete`, {
        email, recovery_auth_key: proof, record: changed.record, auth_key: changed.auth_key,
      });
      const login = await this.#http.post(`${API}/auth/login`,
        { email, auth_key: changed.auth_key });
      this.#closeWorkspaces();
      this.#signedIn(login, email, handle);
    } catch (error) {
      if (this.#handle !== handle) this.#cv.release(handle);
      throw error;
    }
    return this.account;
  }

  async workspaces() {
    const { items } = await this.#http.all(`${API}/workspaces`);
    return items.map(({ id, name, role, key_generation, permissions }) =>
      ({ id, name, role, key_generation, permissions }));
  }

  async createWorkspace(name) {
    if (this.#handle === null) throw locked();
    const cv = this.#cv;
    const id = cv.newId();
    const keys = cv.newWorkspaceKeys(id, 1);
    try {
      const grant = cv.makeGrant(this.#handle, keys, true, this.#record.account_id,
        this.#record.box_public_key);
      const { workspace } = await this.#http.post(`${API}/workspaces`, { id, name, grant });
      return new Workspace(this.#context(), workspace, new Map([[1, keys]]));
    } catch (error) {
      cv.release(keys);
      throw error;
    }
  }

  async workspace(id) {
    if (this.#handle === null) throw locked();
    const { workspace } = await this.#http.get(`${API}/workspaces/${encodeURIComponent(id)}`);
    const context = this.#context();
    return new Workspace(context, workspace, await workspaceKeysFor(context, workspace));
  }

  async builtinRunner() {
    try {
      const { id, name, box_public_key, sign_public_key, fingerprint } =
        await this.#http.get(`${API}/runners/builtin`);
      return { id, name, box_public_key, sign_public_key, fingerprint };
    } catch (error) {
      if (error.status === 404) return null;
      throw error;
    }
  }
}

export async function createClient({
  baseUrl = '', fetch = globalThis.fetch, credvault, session = 'auto',
} = {}) {
  const cv = credvault ?? await createCredvault();
  return new Client(cv, new Http({ baseUrl, fetch, session }));
}

export default createClient;
