// The client's one way to the server: JSON over fetch, with the session attached, and every
// error answer turned into a CredvaultError carrying the server's stable code.
//
// Sessions: a Bearer token (Node, or a browser talking to another origin), or the server's
// HttpOnly cookie plus the X-CSRF-Token header (a browser on the server's own origin). In
// cookie mode the token is dropped as soon as login answers: JavaScript never keeps it.
// Nothing is ever written to localStorage or any other storage.
import { CredvaultError } from '../credvault.mjs';

export const API = '/api/v1';

// Largest page the server gives (api/query): fewer round trips when listing everything.
const PAGE_LIMIT = 200;

function sameOriginBrowser(baseUrl) {
  const location = globalThis.location;
  const inBrowser = typeof globalThis.document !== 'undefined' ||
    typeof globalThis.WorkerGlobalScope !== 'undefined';
  if (!inBrowser || location == null || typeof location.origin !== 'string') return false;
  if (baseUrl === '') return true;
  try {
    return new URL(baseUrl, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

// The error the server sent, as a CredvaultError with .status and .details (the server's
// error object, e.g. the connections that block a credential's deletion).
function httpError(status, text) {
  let body;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const details = body?.error;
  const code = typeof details?.code === 'string' ? details.code : `http_${status}`;
  const message = typeof details?.message === 'string' ? details.message :
    `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const error = new CredvaultError(code, message);
  error.status = status;
  error.details = details ?? null;
  return error;
}

export class Http {
  #baseUrl;
  #fetch;
  #cookie;
  #token = null;
  #csrf = null;

  // `session`: 'auto' (cookie for a same-origin browser, else bearer), 'bearer' or 'cookie'.
  constructor({ baseUrl = '', fetch, session = 'auto' }) {
    if (typeof fetch !== 'function') {
      throw new CredvaultError('invalid_argument', 'no fetch: pass createClient({ fetch })');
    }
    if (!['auto', 'bearer', 'cookie'].includes(session)) {
      throw new CredvaultError('invalid_argument', "session: 'auto', 'bearer' or 'cookie'");
    }
    this.#baseUrl = String(baseUrl).replace(/\/+$/, '');
    this.#fetch = fetch;
    this.#cookie = session === 'cookie' || (session === 'auto' && sameOriginBrowser(this.#baseUrl));
  }

  get hasSession() {
    return this.#token !== null || this.#csrf !== null;
  }

  // From the login answer {token, csrf_token, ...}.
  setSession(login) {
    this.#csrf = login.csrf_token;
    this.#token = this.#cookie ? null : login.token;
  }

  clearSession() {
    this.#token = null;
    this.#csrf = null;
  }

  // One request; resolves the parsed JSON body (undefined for 204). `query` values that are
  // undefined, null or '' are left out.
  async request(method, path, { body, query } = {}) {
    let target = `${this.#baseUrl}${path}`;
    if (query) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
      }
      const text = params.toString();
      if (text) target += `?${text}`;
    }
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`;
    if (this.#cookie && this.#csrf !== null) headers['x-csrf-token'] = this.#csrf;
    const fetchFn = this.#fetch;
    const response = await fetchFn(target, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: this.#cookie ? 'same-origin' : 'omit',
      cache: 'no-store',
    });
    const text = await response.text();
    if (!response.ok) throw httpError(response.status, text);
    if (text.length === 0) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new CredvaultError('malformed', `${method} ${path}: the answer is not JSON`);
    }
  }

  get(path, query) {
    return this.request('GET', path, { query });
  }

  post(path, body) {
    return this.request('POST', path, { body });
  }

  put(path, body) {
    return this.request('PUT', path, { body });
  }

  patch(path, body) {
    return this.request('PATCH', path, { body });
  }

  delete(path, { body, query } = {}) {
    return this.request('DELETE', path, { body, query });
  }

  // Every item of a paged list, following next_cursor. Returns {items, first} where `first`
  // is the first page (for facts that come with it, like connection counts).
  async all(path, query = {}) {
    const items = [];
    let first;
    let cursor;
    do {
      const page = await this.get(path, { ...query, limit: PAGE_LIMIT, cursor });
      first ??= page;
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return { items, first };
  }
}
