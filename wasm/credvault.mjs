// credvault ES module: the WASM core with JavaScript errors. Works in Node 20 and browsers.
//
//   import createCredvault from 'credvault';
//   const cv = await createCredvault();
//
// Each function of the core returns its value, or an error object that becomes a thrown
// CredvaultError carrying the core's stable code. Keys stay in WASM memory behind handles.

export class CredvaultError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'CredvaultError';
    this.code = code;
  }
}

const isNode = typeof process === 'object' && process.versions != null &&
  process.versions.node != null;

function unwrap(result) {
  if (result !== null && typeof result === 'object' && result.__credvault_error !== undefined) {
    throw new CredvaultError(result.__credvault_error, result.message);
  }
  return result;
}

function ctxArgs(ctx) {
  if (ctx === null || typeof ctx !== 'object') {
    throw new CredvaultError('invalid_argument', 'context must be an object');
  }
  return [String(ctx.purpose ?? ''), String(ctx.workspace_id ?? ''), String(ctx.object_id ?? ''),
    Number(ctx.object_version ?? 0)];
}

// Emscripten 3.1.6 fetches the .wasm with fetch(), which Node cannot do for a file URL.
async function nodeWasm(name) {
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL(`./${name}`, import.meta.url));
}

// The kubeconfig module (YAML reader and planner, no key) is a download of its own, made on
// the first kubeconfig import; it is shared by every instance of this module.
let kubeconfigModule = null;
function loadKubeconfigModule() {
  if (kubeconfigModule === null) {
    kubeconfigModule = (async () => {
      const { default: create } = await import('./credvault_kubeconfig.mjs');
      return create(isNode ? { wasmBinary: await nodeWasm('credvault_kubeconfig.wasm') } : {});
    })();
    kubeconfigModule.catch(() => { kubeconfigModule = null; });  // a failed load may be retried
  }
  return kubeconfigModule;
}

// In a browser, evaluating this module already starts the three downloads it needs, side by
// side: the Emscripten glue, and the .wasm with its streaming compilation. Done in order (the
// glue statically imported, the .wasm fetched when the glue runs) they cost three round trips
// and a compile one after the other. A failed start is retried by the next createCredvault.
let coreGlue = null;
let coreCompiled = null;
function startCoreDownloads() {
  // The .wasm first: its download and compile are the long pole.
  if (coreCompiled === null && !isNode && typeof WebAssembly.compileStreaming === 'function' &&
      typeof fetch === 'function') {
    coreCompiled = WebAssembly.compileStreaming(
      fetch(new URL('./credvault_core.wasm', import.meta.url), { credentials: 'same-origin' }));
    coreCompiled.catch(() => { coreCompiled = null; });
  }
  if (coreGlue === null) {
    coreGlue = import('./credvault_core.mjs');
    coreGlue.catch(() => { coreGlue = null; });
  }
}
startCoreDownloads();

export default async function createCredvault(options = {}) {
  startCoreDownloads();
  let moduleArg = {};
  if (options.wasmBinary) {
    moduleArg.wasmBinary = options.wasmBinary;
  } else if (isNode) {
    moduleArg.wasmBinary = await nodeWasm('credvault_core.wasm');
  }
  // Emscripten's hook: instantiate the module compiled above with the glue's imports. If the
  // early compile failed (say, a server sending the .wasm with another type), the glue
  // fetches and compiles it itself, as it would without the hook.
  const compiled = coreCompiled === null ? null : await coreCompiled.catch(() => null);
  let instantiateFailed = new Promise(() => {});
  if (compiled !== null && moduleArg.wasmBinary === undefined) {
    let fail;
    instantiateFailed = new Promise((resolve, reject) => { fail = reject; });
    moduleArg.instantiateWasm = (imports, receiveInstance) => {
      WebAssembly.instantiate(compiled, imports)
        .then((instance) => receiveInstance(instance, compiled), fail);
      return {};
    };
  }
  const { default: createCredvaultCore } = await coreGlue;
  const m = await Promise.race([createCredvaultCore(moduleArg), instantiateFailed]);
  unwrap(m.init());
  const optional = (v) => (v === undefined ? null : v);
  // The import across the two modules (shared/include/credvault/kubeconfig_seal.h): the
  // kubeconfig module reads the file, this one derives the ids with the workspace's key,
  // the kubeconfig module plans with them, and this one seals.
  const planImport = async (text, request, workspace, withModels) => {
    const k = await loadKubeconfigModule();
    const source = String(text);
    const req = request ?? { select_all: true };
    const ids = unwrap(m.kubeconfigIds(unwrap(k.kubeconfigIdInputs(source)), workspace));
    return unwrap(k.planKubeconfigImport(source, req, ids, withModels));
  };
  return Object.freeze({
    info: () => unwrap(m.info()),
    newId: () => m.newId(),
    kdfDefaults: () => unwrap(m.kdfDefaults()),
    kdfMinimum: () => unwrap(m.kdfMinimum()),
    createAccount: (email, password, kdf) =>
      unwrap(m.createAccount(String(email), String(password), optional(kdf))),
    unlockAccount: (password, record) => unwrap(m.unlockAccount(String(password), record)),
    deriveAuthKey: (password, salt, kdf) =>
      unwrap(m.deriveAuthKey(String(password), String(salt), kdf)),
    deriveRecoveryAuthKey: (code) => unwrap(m.deriveRecoveryAuthKey(String(code))),
    recoverAccount: (code, record) => unwrap(m.recoverAccount(String(code), record)),
    changePassword: (account, record, password, kdf) =>
      unwrap(m.changePassword(account, record, String(password), optional(kdf))),
    accountInfo: (account) => unwrap(m.accountInfo(account)),
    fingerprint: (publicKey) => unwrap(m.fingerprint(String(publicKey))),
    newWorkspaceKeys: (workspaceId, generation) =>
      m.newWorkspaceKeys(String(workspaceId), generation >>> 0),
    makeGrant: (granter, workspace, includeSecrets, recipientId, recipientBoxPublicKey) =>
      unwrap(m.makeGrant(granter, workspace, Boolean(includeSecrets), String(recipientId),
        String(recipientBoxPublicKey))),
    openGrant: (recipient, grant, pinned) => unwrap(m.openGrant(recipient, grant, pinned)),
    workspaceHasSecrets: (workspace) => unwrap(m.workspaceHasSecrets(workspace)),
    newDataKey: () => m.newDataKey(),
    wrapDataKey: (workspace, credentialId, version, dataKey) =>
      unwrap(m.wrapDataKey(workspace, String(credentialId), Number(version), dataKey)),
    unwrapDataKey: (workspace, credentialId, version, wrapped) =>
      unwrap(m.unwrapDataKey(workspace, String(credentialId), Number(version), String(wrapped))),
    seal: (key, ctx, plaintext) => unwrap(m.seal(key, ...ctxArgs(ctx), String(plaintext))),
    open: (key, ctx, envelope) => unwrap(m.open(key, ...ctxArgs(ctx), String(envelope))),
    inspectEnvelope: (envelope) => unwrap(m.inspectEnvelope(String(envelope))),
    sealCredential: (view, record, dataKey, workspaces) =>
      unwrap(m.sealCredential(view, record, dataKey, Array.from(workspaces))),
    openCredential: (sealed, workspace) => unwrap(m.openCredential(sealed, workspace)),
    summarizeCredential: (sealed, workspace) => unwrap(m.summarizeCredential(sealed, workspace)),
    openCredentialDataKey: (sealed, workspace) =>
      unwrap(m.openCredentialDataKey(sealed, workspace)),
    grantCredential: (sealed, name, dataKey, target) =>
      unwrap(m.grantCredential(sealed, String(name), dataKey, target)),
    sealConnection: (view, workspace) => unwrap(m.sealConnection(view, workspace)),
    openConnection: (sealed, workspace) => unwrap(m.openConnection(sealed, workspace)),
    sealTestJob: (runnerBoxPublicKey, header, body) =>
      unwrap(m.sealTestJob(String(runnerBoxPublicKey), header, body)),
    sealConnectionTest: (connection, credential, workspace, runner, options) =>
      unwrap(m.sealConnectionTest(connection, optional(credential), workspace, runner,
        options ?? { now: Math.floor(Date.now() / 1000) })),
    verifyTestResult: (runnerSignPublicKey, result, jobId, connectionId) =>
      unwrap(m.verifyTestResult(String(runnerSignPublicKey), result, String(jobId),
        String(connectionId))),
    authMethods: (kind) => unwrap(m.authMethods(String(kind))),
    credentialForm: (view, touched = false) => unwrap(m.credentialForm(view, Boolean(touched))),
    dropUnusedFields: (view) => unwrap(m.dropUnusedFields(view)),
    connectionForm: (input, touched = false) => unwrap(m.connectionForm(input, Boolean(touched))),
    stateChip: (state) => unwrap(m.stateChip(String(state))),
    outcomeChip: (outcome) => unwrap(m.outcomeChip(String(outcome))),
    expiryChip: (entry, options) => unwrap(m.expiryChip(entry ?? null,
      { now: Math.floor(Date.now() / 1000), ...options })),
    summarizeConnection: (sealed, workspace) => unwrap(m.summarizeConnection(sealed, workspace)),
    listConnections: (summaries, query) =>
      unwrap(m.listConnections(Array.from(summaries), optional(query))),
    listCredentials: (summaries, query) =>
      unwrap(m.listCredentials(Array.from(summaries), optional(query))),
    connectionActions: (state, role) => unwrap(m.connectionActions(String(state), String(role))),
    planKubeconfigImport: async (text, request, workspace) =>
      (await planImport(text, request, workspace, false)).plan,
    sealKubeconfigImport: async (text, request, workspace, options) => {
      const { plan, models } = await planImport(text, request, workspace, true);
      const sealed = unwrap(m.sealImportedModels(models, request ?? { select_all: true },
        workspace, { now: Math.floor(Date.now() / 1000), ...options }));
      return { plan, ...sealed };
    },
    release: (handle) => m.release(handle),
    handleCount: () => m.handleCount(),
    benchOpenEnvelopes: (count) => m.benchOpenEnvelopes(count),
  });
}
