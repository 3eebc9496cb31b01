// Kubeconfig import: the core plans it (which contexts import, update or are skipped, and
// why) and seals what it imports; the tokens, keys and passwords of the file stay in WASM
// memory. Ids are keyed digests of the auth material and the endpoint, so importing the
// same file again finds the same records: an existing credential has the same material and
// is kept, an existing connection is updated.
import { workspacePath } from './keys.mjs';

// The plan request from what the caller picked, the connections the workspace has (with
// their versions, which an update builds on) and its credential ids (the same id is the
// same material, which is kept as it is).
function planRequest(selection, existing, credentialIds) {
  const selected = (selection?.selected ?? []).map(({ context, new_name }) =>
    ({ context, new_name: new_name ?? '' }));
  return {
    select_all: selection?.select_all === true,
    selected,
    existing: existing.map(({ id, state, name, version, environment_ids }) =>
      ({ id, state, name, version, environment_ids })),
    existing_credentials: credentialIds,
  };
}

function errorJson(error) {
  return { code: error.code ?? 'error', message: error.message, status: error.status };
}

async function credentialIds(http, workspace) {
  const { items } = await http.all(workspacePath(workspace.id, '/credentials'));
  return items.map((c) => c.id);
}

export async function previewKubeconfig(context, workspace, text, selection, existing, keys) {
  const request = planRequest(selection, existing, await credentialIds(context.http, workspace));
  return context.cv.planKubeconfigImport(text, request, keys);
}

// Resolves {plan, results: [{context, outcome, connection_id, error?}]}, one result per
// context of the file, in file order. A context whose records the server refused has
// outcome "error" and the server's error.
export async function importKubeconfig(context, workspace, text, selection, existing, keys) {
  const { cv, http } = context;
  const request = planRequest(selection, existing, await credentialIds(http, workspace));
  const sealed = await cv.sealKubeconfigImport(text, request, keys,
    { owner_id: context.record.account_id, now: Math.floor(Date.now() / 1000) });
  const credentialsPath = workspacePath(workspace.id, '/credentials');
  const connectionsPath = workspacePath(workspace.id, '/connections');

  // New credentials first: the connections name them.
  const failed = new Map();  // record id → error
  for (const credential of sealed.credentials) {
    try {
      await http.post(credentialsPath, credential);
    } catch (error) {
      failed.set(credential.id, error);
    }
  }
  for (const connection of sealed.connections) {
    const blocked = failed.get(connection.credential_id);
    if (blocked) {
      failed.set(connection.id, blocked);
      continue;
    }
    try {
      // Version 1 is new; a higher one was sealed as the update of an existing connection.
      if (connection.version === 1) {
        await http.post(connectionsPath, connection);
      } else {
        await http.put(`${connectionsPath}/${encodeURIComponent(connection.id)}`, connection);
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
