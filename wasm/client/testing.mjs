// A connectivity test (DESIGN §5): the core opens the connection and its credential and seals
// the job to the runner (the secret never reaches JavaScript), the server relays it, and the
// result is believed only if it verifies against the runner's signing key as admitted to the
// workspace, for this job and this connection.
import { CredvaultError } from '../credvault.mjs';
import { workspacePath } from './keys.mjs';

// The runner to use: the one asked for, else the only admitted one, else the server's
// built-in runner if this workspace admitted it.
async function chooseRunner(http, workspace, runnerId) {
  const { items } = await http.all(workspacePath(workspace.id, '/runners'));
  if (runnerId) {
    const runner = items.find((r) => r.id === runnerId);
    if (!runner) {
      throw new CredvaultError('not_found', `runner ${runnerId} is not admitted here`);
    }
    return runner;
  }
  if (items.length === 1) return items[0];
  if (items.length > 1) {
    let builtin = null;
    try {
      builtin = await http.get('/api/v1/runners/builtin');
    } catch (error) {
      if (error.status !== 404) throw error;
    }
    const admitted = builtin && items.find((r) => r.id === builtin.id);
    if (admitted) return admitted;
    throw new CredvaultError('invalid_argument',
      'several runners are admitted here: pass {runnerId}');
  }
  throw new CredvaultError('not_found',
    'no runner is admitted to this workspace: admit one (admitBuiltinRunner or admitRunner)');
}

// Resolves {result, connection}: the verified payload and the sealed connection as stored.
export async function testConnection(context, workspace, sealed, keys,
  { runnerId, lifetimeSeconds } = {}) {
  const { cv, http } = context;
  const runner = await chooseRunner(http, workspace, runnerId);
  const credential = sealed.credential_id ?
    await http.get(workspacePath(workspace.id,
      `/credentials/${encodeURIComponent(sealed.credential_id)}`)) :
    null;
  const options = { now: Math.floor(Date.now() / 1000) };
  if (lifetimeSeconds !== undefined) options.lifetime_seconds = lifetimeSeconds;
  const job = cv.sealConnectionTest(sealed, credential, keys,
    { id: runner.id, box_public_key: runner.box_public_key }, options);
  const answer = await http.post(workspacePath(workspace.id,
    `/connections/${encodeURIComponent(sealed.id)}/tests`), { runner_id: runner.id, job: job.job });
  const result = cv.verifyTestResult(runner.sign_public_key, answer.result, job.header.job_id,
    sealed.id);
  // The server records what the runner signed; a different record is not this test.
  const recorded = answer.connection?.last_test;
  if (!recorded || recorded.outcome !== result.outcome || answer.connection.id !== sealed.id) {
    throw new CredvaultError('conflict',
      'the server recorded a test result other than the one the runner signed');
  }
  return { result, connection: answer.connection };
}
