// Kubeconfig import: the core plans it (which contexts import, update or are skipped, and
// why) and seals what it imports; the tokens, keys and passwords of the file stay in WASM
// memory. Ids are keyed digests of the auth material and the endpoint, so importing the
// same file again finds the same records: an existing credential has the same material and
// is kept, an existing connection is updated.
import { workspacePath } from './keys.mjs';

// The plan request from what the caller picked and the connections the workspace has.
function planRequest(selection, existing) {
  const selected = (selection?.selected ?? []).map(({ context, new_name }) =>
    ({ context, new_name: new_name ?? '' }));
  return {
    select_all: selection?.select_all === true,
    selected,
    existing: existing.map(({ id, state, name }) => ({ id, state, name })),
  };
}

function errorJson(error) {
  return { code: error.code ?? 'error', message: error.message, status: error.status };
}

export function previewKubeconfig(cv, text, selection, existing, keys) {
  return cv.planKubeconfigImport(text, planRequest(selection, existing), keys);
}

// Resolves {plan, results: [{context, outcome, connection_id, error?}]}, one result per
// context of the file, in file order. A context whose records the server refused has
// outcome "error" and the server's error.
export async function importKubeconfig(context, workspace, text, selection, existing, keys) {
  const { cv, http } = context;
  const sealed = cv.sealKubeconfigImport(text, planRequest(selection, existing), keys,
    { owner_id: context.record.account_id, now: Math.floor(Date.now() / 1000) });
  const credentialsPath = workspacePath(workspace.id, '/credentials');
  const connectionsPath = workspacePath(workspace.id, '/connections');

  const failed = new Map();  // record id → error
  const { items: stored } = await http.all(credentialsPath);
  const present = new Set(stored.map((c) => c.id));
  for (const credential of sealed.credentials) {
    if (present.has(credential.id)) continue;
    try {
      await http.post(credentialsPath, credential);
    } catch (error) {
      failed.set(credential.id, error);
    }
  }

  const known = new Set(existing.map((c) => c.id));
  for (const connection of sealed.connections) {
    const blocked = failed.get(connection.credential_id);
    if (blocked) {
      failed.set(connection.id, blocked);
      continue;
    }
    try {
      if (known.has(connection.id)) {
        const path = `${connectionsPath}/${encodeURIComponent(connection.id)}`;
        const current = await http.get(path);
        const view = cv.openConnection(connection, keys);
        await http.put(path, cv.sealConnection(
          { ...view, state: current.state, version: current.version + 1 }, keys));
      } else {
        await http.post(connectionsPath, connection);
      }
    } catch (error) {
      failed.set(connection.id, error);
    }
  }

  const results = sealed.plan.contexts.map((c) => {
    const imported = c.outcome === 'imported' || c.outcome === 'updated';
    const error = imported ? failed.get(c.connection_id) : undefined;
    const result = {
      context: c.context,
      outcome: error ? 'error' : c.outcome,
      connection_id: imported && !error ? c.connection_id : null,
    };
    if (error) result.error = errorJson(error);
    else if (c.problem) result.error = c.problem;
    return result;
  });
  return { plan: sealed.plan, results };
}
