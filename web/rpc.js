// The page talks to the credvault client living in a Web Worker: the WASM core, its keys and
// the slow Argon2id derivation stay off the page's thread, so the page never freezes.
//
//   const { client, cv } = connectCore(new Worker('/core_worker.js', {type: 'module'}));
//   const ws = await client.workspace(id);        // a remote object
//   await ws.connections();                       // plain data comes back as is
//   await client.$get('account');                 // a property
//
// Errors arrive as Error objects with the core's or the server's `code` (and `status`).

export class CoreError extends Error {
  constructor({ code, message, status, details }) {
    super(message || code);
    this.name = 'CoreError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function connectCore(worker) {
  let nextId = 1;
  const pending = new Map();
  worker.addEventListener('message', ({ data }) => {
    const entry = pending.get(data.id);
    if (!entry) return;
    if (data.progress !== undefined) {
      entry.onProgress?.(data.progress);
      return;
    }
    pending.delete(data.id);
    if (data.ok) entry.resolve(revive(data.value));
    else entry.reject(new CoreError(data.error));
  });

  function send(message, onProgress) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onProgress });
      worker.postMessage({ id, ...message });
    });
  }

  // Remote objects travel as {__ref: n}; arguments that are remote objects go back that way.
  function revive(value) {
    if (value && typeof value === 'object' && typeof value.__ref === 'number') {
      return remote(value.__ref);
    }
    return value;
  }

  function remote(ref) {
    const handle = { __ref: ref };
    return new Proxy(handle, {
      get(target, property) {
        if (property === '__ref') return ref;
        if (property === 'then') return undefined;  // not a thenable
        if (property === '$get') return (name) => send({ ref, get: name });
        if (property === '$release') return () => send({ ref, release: true });
        return (...args) => {
          let onProgress;
          const wire = args.map((arg) => {
            if (arg && typeof arg === 'object' && typeof arg.__ref === 'number') {
              return { __ref: arg.__ref };
            }
            if (arg && typeof arg === 'object' && typeof arg.onProgress === 'function') {
              onProgress = arg.onProgress;
              return { ...arg, onProgress: '__progress' };
            }
            return arg;
          });
          return send({ ref, method: property, args: wire }, onProgress);
        };
      },
    });
  }

  // Ref 0 is the client, ref -1 the module's functions (view models, fingerprints).
  return { client: remote(0), cv: remote(-1) };
}
