// Prepares the server benchmark: on the running server at argv[2] (its base URL), registers
// an account, makes a workspace and one sealed credential, and writes to argv[3] (a
// directory) `credential.json` — the exact bytes the server answers to the credential's GET,
// for nginx to serve — and prints one JSON line: {path, token}.
import fs from 'node:fs';
import path from 'node:path';

import { call, loadCredvault, newUser, newWorkspace } from '../web/api_client.mjs';
import { sealedCredential } from './server_records.mjs';

const [, , url, outDir] = process.argv;
const server = { url };
const cv = await loadCredvault();
const user = await newUser(server);
const workspace = await newWorkspace(server, user, 'bench');
const id = cv.newId();
const dataKey = cv.newDataKey();
const record = sealedCredential(cv, { id, ownerId: user.id, name: 'bench token', dataKey,
  fields: { token: 'x'.repeat(600) },
  grants: [{ workspaceId: workspace.id, keys: workspace.keys, generation: 1 }] });
const created = await call(server, 'POST', `/api/v1/workspaces/${workspace.id}/credentials`,
  { auth: user.session, body: record });
if (created.status !== 201) throw new Error(`credential: ${created.status} ${created.text}`);
const target = `/api/v1/workspaces/${workspace.id}/credentials/${id}`;
const read = await call(server, 'GET', target, { auth: user.session });
if (read.status !== 200) throw new Error(`read: ${read.status} ${read.text}`);
fs.writeFileSync(path.join(outDir, 'credential.json'), read.text);
console.log(JSON.stringify({ path: target, token: user.session.token, bytes: read.text.length }));
