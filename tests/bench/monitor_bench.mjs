// make bench, monitoring part (issue 8): what active monitoring costs. 1,000 monitored
// connections (in 10 workspaces) against local fixtures (3 real Prometheus, basic auth) at a
// 1-minute interval — a real 60 s minute, not the test flag — tested by one standalone
// credvault-runner connected over the WebSocket (the server runs with --builtin-runner off).
// Over the measured window (5 minutes by default) it samples, every few seconds, the CPU
// seconds (utime + stime from /proc/<pid>/stat) and RSS (VmRSS / VmHWM from /proc/<pid>/status)
// of the server, the runner and the Prometheus fixtures, and the monitoring results recorded
// (credvault_connection_tests_total{source="monitor"} from /metrics) and the time the server
// spent in store reads (credvault_store_operation_duration_seconds). Set-up (account,
// workspaces, sealed credentials and connections, admitting and granting the runner) uses the
// JS client (wasm/client.mjs) and is not measured. Prints one report.
// Env: BENCH_MONITOR_CONNECTIONS (1000), BENCH_MONITOR_WORKSPACES (10), BENCH_MONITOR_MINUTES
// (5), BENCH_MONITOR_SAMPLE_SECONDS (5), BENCH_MONITOR_PROMETHEUS (3), BENCH_MONITOR_JOBS
// (runner --jobs, 8), CREDVAULT_SERVER_BIN, CREDVAULT_RUNNER_BIN, CREDVAULT_MODULE_DIR.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { startPrometheus } from '../fixtures/prometheus.mjs';
import { MODULE_DIR, uniqueEmail } from '../web/api_client.mjs';
import { makeTempDir, startServer, stopServer } from '../web/harness.mjs';
import { printKeys, sessionFetch, sleep, startRunner, until, waitForLog }
  from '../web/monitoring_support.mjs';

const env = (name, fallback) => Number.parseInt(process.env[name] ?? String(fallback), 10);
const CONNECTIONS = env('BENCH_MONITOR_CONNECTIONS', 1000);
const WORKSPACES = env('BENCH_MONITOR_WORKSPACES', 10);
const MINUTES = env('BENCH_MONITOR_MINUTES', 5);
const SAMPLE_SECONDS = env('BENCH_MONITOR_SAMPLE_SECONDS', 5);
const PROMETHEUS = env('BENCH_MONITOR_PROMETHEUS', 3);
const JOBS = env('BENCH_MONITOR_JOBS', 8);
const PASSWORD = 'bench-monitor-pw-2a7f';
const CLK_TCK = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }), 10);
const PAGE_KB = 4;

const { createClient } = await import(pathToFileURL(path.join(MODULE_DIR, 'client.mjs')).href);

// CPU seconds and memory of one process, or null once it is gone.
function sampleProcess(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;  // utime + stime
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm')) ??
      [0, 0])[1]);
    return { cpu, rssKb: kb('VmRSS') || Number(fields[21]) * PAGE_KB, hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

// credvault_connection_tests_total{outcome,source="monitor"} and the store read seconds.
async function sampleMetrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const outcomes = {};
  let storeReadSeconds = 0;
  let storeReads = 0;
  for (const line of text.split('\n')) {
    let m = line.match(/^credvault_connection_tests_total\{outcome="([^"]+)",source="monitor"\} (\d+)/);
    if (m) outcomes[m[1]] = Number(m[2]);
    m = line.match(/^credvault_store_operation_duration_seconds_sum\{[^}]*operation="read"[^}]*\} ([\d.e+-]+)/);
    if (m) storeReadSeconds += Number(m[1]);
    m = line.match(/^credvault_store_operation_duration_seconds_count\{[^}]*operation="read"[^}]*\} (\d+)/);
    if (m) storeReads += Number(m[1]);
  }
  return { outcomes, storeReadSeconds, storeReads };
}

const total = (outcomes) => Object.values(outcomes).reduce((a, b) => a + b, 0);
const mb = (kb) => (kb / 1024).toFixed(1);

const proms = await Promise.all(Array.from({ length: PROMETHEUS },
  () => startPrometheus({ users: { reader: PASSWORD } })));
const dataDir = path.join(makeTempDir('credvault-bench-monitor-'), 'data');
const server = await startServer({ dataDir, args: ['--builtin-runner', 'off'] });
const keyDir = makeTempDir('credvault-bench-monitor-runner-');
const keys = printKeys(keyDir);
const runner = startRunner(server.port, keyDir, ['--jobs', String(JOBS)]);
let failed = null;
try {
  await waitForLog(runner, 'connected');
  const client = await createClient({ baseUrl: server.url, fetch: sessionFetch() });
  await client.signUp(uniqueEmail('bench-monitor'), 'correct horse battery staple',
    { kdf: client.cv.kdfMinimum() });
  const setupStart = Date.now();
  const workspaces = [];
  for (let w = 0; w < WORKSPACES; ++w) {
    const ws = await client.createWorkspace(`bench ${w}`);
    await ws.admitRunner({ id: keys.id, name: 'bench runner', box_public_key: keys.box_public_key,
      sign_public_key: keys.sign_public_key });
    const credentials = [];
    for (const prom of proms) {
      credentials.push(await ws.createCredential({ schema_version: 1, name: `reader ${prom.port}`,
        kind: 'prometheus', auth_method: 'basic',
        fields: { username: 'reader', password: PASSWORD } }));
    }
    const count = Math.floor(CONNECTIONS / WORKSPACES) + (w < CONNECTIONS % WORKSPACES ? 1 : 0);
    for (let i = 0; i < count; ++i) {
      const p = i % proms.length;
      await ws.createConnection({ kind: 'prometheus', name: `prom ${w}-${i}`,
        endpoint: proms[p].url, credential_id: credentials[p].id });
    }
    workspaces.push(ws);
  }
  // Scheduling switched on last, everywhere at once: the window starts with the first runs.
  for (const ws of workspaces) await ws.setMonitorDefault(1);
  for (const ws of workspaces) await ws.grantRunner(keys.id);
  const setupSeconds = (Date.now() - setupStart) / 1000;

  const pids = { server: server.child.pid, runner: runner.child.pid };
  proms.forEach((prom, i) => {
    const pid = Number(execFileSync('pgrep', ['-f', `127.0.0.1:${prom.port}`],
      { encoding: 'utf8' }).trim().split('\n')[0]);
    pids[`prometheus ${i + 1}`] = pid;
  });
  const start = { time: Date.now(), procs: {}, metrics: await sampleMetrics(server.url) };
  for (const [name, pid] of Object.entries(pids)) start.procs[name] = sampleProcess(pid);
  const samples = [];
  const minuteMarks = [start.metrics];
  const end = start.time + MINUTES * 60000;
  let nextMinute = start.time + 60000;
  while (Date.now() < end) {
    await sleep(Math.min(SAMPLE_SECONDS * 1000, Math.max(0, end - Date.now())));
    const sample = { time: Date.now(), procs: {} };
    for (const [name, pid] of Object.entries(pids)) sample.procs[name] = sampleProcess(pid);
    samples.push(sample);
    if (Date.now() >= nextMinute - 250) {
      minuteMarks.push(await sampleMetrics(server.url));
      nextMinute += 60000;
    }
  }
  const last = await sampleMetrics(server.url);
  const seconds = (samples.at(-1).time - start.time) / 1000;

  const metricsText = await (await fetch(`${server.url}/metrics`)).text();
  const connected = [...metricsText.matchAll(
    /^credvault_connections\{workspace="[^"]+",state="([^"]+)"\} (\d+)/gm)]
    .reduce((acc, [, state, n]) => ({ ...acc, [state]: (acc[state] ?? 0) + Number(n) }), {});

  console.log(`active monitoring: ${CONNECTIONS} connections in ${WORKSPACES} workspaces, ` +
    `1-minute interval (60 s), ${PROMETHEUS} Prometheus, one standalone runner (--jobs ${JOBS}); ` +
    `window ${seconds.toFixed(0)} s, sampled every ${SAMPLE_SECONDS} s; set-up ${setupSeconds.toFixed(0)} s`);
  for (const name of Object.keys(pids)) {
    const first = start.procs[name];
    const series = samples.map((s) => s.procs[name]).filter(Boolean);
    if (!first || series.length === 0) continue;
    const cpu = series.at(-1).cpu - first.cpu;
    const rss = series.map((s) => s.rssKb);
    const average = rss.reduce((a, b) => a + b, 0) / rss.length;
    console.log(`  ${name.padEnd(13)} CPU ${cpu.toFixed(2).padStart(7)} s ` +
      `(${(100 * cpu / seconds).toFixed(2).padStart(5)} % of a core)  ` +
      `RSS peak ${mb(Math.max(...rss)).padStart(6)} MB (VmHWM ${mb(series.at(-1).hwmKb)} MB), ` +
      `average ${mb(average)} MB`);
  }
  const perMinute = [];
  for (let i = 1; i < minuteMarks.length; ++i) {
    const counts = {};
    for (const [outcome, n] of Object.entries(minuteMarks[i].outcomes)) {
      counts[outcome] = n - (minuteMarks[i - 1].outcomes[outcome] ?? 0);
    }
    perMinute.push(counts);
  }
  perMinute.forEach((counts, i) => console.log(`  minute ${i + 1}: ${total(counts)} tests ` +
    JSON.stringify(counts)));
  const recorded = total(last.outcomes) - total(start.metrics.outcomes);
  console.log(`  tests recorded: ${recorded} (${(recorded / (seconds / 60)).toFixed(0)} per ` +
    `minute); outcomes since start ${JSON.stringify(last.outcomes)}`);
  console.log(`  connections by state at the end: ${JSON.stringify(connected)}`);
  const reads = last.storeReads - start.metrics.storeReads;
  const readSeconds = last.storeReadSeconds - start.metrics.storeReadSeconds;
  console.log(`  server store reads: ${reads} (${(reads / seconds).toFixed(1)}/s), ` +
    `${readSeconds.toFixed(2)} s in all (${(100 * readSeconds / seconds).toFixed(2)} % of the ` +
    'window)');
  const refused = runner.logs.filter((l) => l.event === 'monitor' && l.status !== 'signed');
  console.log(`  runner refusals: ${refused.length}; server monitor_not_recorded lines: ` +
    `${server.logs.filter((l) => l.event === 'monitor_not_recorded').length}`);
} catch (error) {
  failed = error;
} finally {
  await runner.stop();
  await stopServer(server);
  await Promise.all(proms.map((p) => p.close()));
}
if (failed) {
  console.error(failed);
  process.exit(1);
}
