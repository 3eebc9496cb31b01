// Helpers shared by the monitoring tests that drive a standalone runner
// (monitoring_remote.test.mjs) and the monitoring benchmark (tests/bench/monitor_*.mjs):
// the credvault-runner binary, its keys, a running runner with its JSON log lines, waiting
// for log lines or conditions, and a fetch that remembers the session header the JS client
// sends (so a test can read what the client API does not expose, e.g. a member's raw key).
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

import { REPO_ROOT } from './harness.mjs';

export const RUNNER_BIN = process.env.CREDVAULT_RUNNER_BIN ??
  path.join(REPO_ROOT, 'build', 'native', 'server', 'credvault-runner');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `check` until it returns something truthy (which is returned).
export async function until(what, check, timeoutMs = 20000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// The runner's id and public keys, as an admin reads them before admitting it.
export function printKeys(keyDir) {
  return JSON.parse(execFileSync(RUNNER_BIN, ['--print-keys', '--key-dir', keyDir],
    { encoding: 'utf8' }));
}

// Starts credvault-runner against ws://127.0.0.1:`port` and collects its JSON log lines.
export function startRunner(port, keyDir, extra = []) {
  const child = spawn(RUNNER_BIN, ['--server', `ws://127.0.0.1:${port}`, '--key-dir', keyDir,
    ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const runner = {
    child,
    logs: [],
    rawLog: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await runner.exited;
    },
  };
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    runner.rawLog += chunk;
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        runner.logs.push(JSON.parse(line));
      } catch {
        runner.logs.push({ event: 'unparsed', line });
      }
    }
  });
  return runner;
}

// Resolves with the matching lines once `owner.logs` holds `count` lines of `event` that
// pass `filter`.
export async function waitForLog(owner, event, { count = 1, filter = () => true,
  timeoutMs = 20000 } = {}) {
  return until(`${count} ${event} log line(s) in:\n${owner.rawLog.slice(-4000)}`, () => {
    const found = owner.logs.filter((entry) => entry.event === event && filter(entry));
    return found.length >= count && found;
  }, timeoutMs, 50);
}

// A fetch for createClient({fetch}) that keeps the last Authorization header sent, and
// `get(url)` to make an authenticated GET with it.
export function sessionFetch() {
  let authorization = null;
  const spy = (url, init = {}) => {
    const headers = new Headers(init.headers ?? {});
    if (headers.has('authorization')) authorization = headers.get('authorization');
    return fetch(url, init);
  };
  spy.get = async (url) => {
    const response = await fetch(url, { headers: { authorization } });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return response.json();
  };
  return spy;
}
