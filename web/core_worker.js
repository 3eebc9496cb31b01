// The credvault client in a Web Worker (rpc.js is the page's side). Ref 0 is the client;
// objects with methods (a workspace, the module) are kept here and referred to by number.
import { createClient } from '/module/client.mjs';

const refs = new Map();
let nextRef = 1;
const ready = createClient().then((client) => {
  refs.set(0, client);
  refs.set(-1, client.cv);
  return client;
});

function isData(value) {
  if (value === null || typeof value !== 'object') return typeof value !== 'function';
  if (Array.isArray(value)) return value.every(isData);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every(isData);
}

function toWire(value) {
  if (isData(value)) return value;
  const ref = nextRef++;
  refs.set(ref, value);
  return { __ref: ref };
}

function fromWire(arg, id) {
  if (arg && typeof arg === 'object' && typeof arg.__ref === 'number') return refs.get(arg.__ref);
  if (arg && typeof arg === 'object' && arg.onProgress === '__progress') {
    return { ...arg, onProgress: (stage) => self.postMessage({ id, progress: stage }) };
  }
  return arg;
}

self.addEventListener('message', async ({ data }) => {
  const { id, ref, method, args = [], get, release } = data;
  try {
    await ready;
    const target = refs.get(ref);
    if (target === undefined) throw Object.assign(new Error('unknown object'), { code: 'unknown_ref' });
    let value;
    if (release) {
      if (ref > 0) refs.delete(ref);
      value = null;
    } else if (get !== undefined) {
      value = target[get];
    } else {
      if (typeof target[method] !== 'function') {
        throw Object.assign(new Error(`no method ${method}`), { code: 'unknown_method' });
      }
      value = await target[method](...args.map((arg) => fromWire(arg, id)));
    }
    self.postMessage({ id, ok: true, value: toWire(value) });
  } catch (error) {
    self.postMessage({ id, ok: false, error: { code: error?.code ?? 'unexpected',
      message: error?.message ?? String(error), status: error?.status,
      details: isData(error?.details) ? error.details : undefined } });
  }
});
