// The hosted deployment as the hosted tests start it (issue 7): one throw-away PostgreSQL
// (tests/fixtures/postgres.mjs), two credvault-server processes on it (own data dirs, no
// built-in runner, nginx trusted as a proxy), and Debian's nginx balancing them round robin,
// with the WebSocket location runners dial in on and X-Forwarded-For appended. A standalone
// runner (credvault-runner) can be started to dial either server or nginx.
//
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (harness.mjs, api_client.mjs),
// CREDVAULT_RUNNER_BIN (default build/native/server/credvault-runner).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { freePort } from '../fixtures/free_port.mjs';
import { startPostgres } from '../fixtures/postgres.mjs';
import { REPO_ROOT, makeTempDir, startServer, stopServer } from './harness.mjs';

const START_TIMEOUT_MS = 10000;
export const RUNNER_BIN = process.env.CREDVAULT_RUNNER_BIN ??
  path.join(REPO_ROOT, 'build', 'native', 'server', 'credvault-runner');
// The address nginx connects to the servers from, which they trust for X-Forwarded-For.
export const NGINX_ADDRESS = '127.0.0.1';
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// nginx (Debian's) in the foreground with a temporary config, as tests/bench/run_server.sh
// runs it: round robin over `upstreams`, the runner WebSocket location with the upgrade
// headers, the client's address appended to X-Forwarded-For (what --trusted-proxy reads),
// and the upstream that answered in X-Upstream (so a test can see both are used). Cookies
// (Set-Cookie, Cookie), X-CSRF-Token and Authorization pass through unchanged by default.
export async function startNginx(upstreams) {
  const dir = makeTempDir('credvault-nginx-');
  fs.chmodSync(dir, 0o755);  // nginx workers run as an unprivileged user when we are root
  const port = await freePort();
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream credvault {
${servers.join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 2m;
    add_header X-Upstream $upstream_addr always;
    location /api/v1/runners/connect {
      proxy_pass http://credvault;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;
    }
    location / {
      proxy_pass http://credvault;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`);
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
    await sleep(50);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
    },
  };
}

// Everything the hosted tests share: PostgreSQL, servers A and B, nginx in front. `webRoot`
// and `moduleDir` make the servers serve the web app (the journey).
export async function startHosted({ serverArgs = [], webRoot, moduleDir } = {}) {
  const pg = await startPostgres();
  const started = await Promise.all(['a', 'b'].map((name) => startServer({
    dataDir: path.join(makeTempDir(`credvault-hosted-${name}-`), 'data'),
    webRoot,
    moduleDir,
    args: ['--store', pg.url, '--builtin-runner', 'off', '--trusted-proxy', NGINX_ADDRESS,
      ...serverArgs],
  })));
  const nginx = await startNginx(started.map((s) => s.port));
  return { pg, a: started[0], b: started[1], nginx };
}

export async function stopHosted(hosted) {
  if (!hosted) return;
  await hosted.nginx?.stop();
  await Promise.all([hosted.a, hosted.b].map((s) => s && s.child.exitCode === null &&
    s.child.signalCode === null && stopServer(s)));
  await hosted.pg?.stop();
}

// A standalone runner's key pair, made in a fresh key folder: {id, box_public_key,
// sign_public_key, keyDir}.
export function runnerKeys() {
  const keyDir = path.join(makeTempDir('credvault-hosted-runner-'), 'keys');
  const keys = JSON.parse(execFileSync(RUNNER_BIN, ['--print-keys', '--key-dir', keyDir],
    { encoding: 'utf8' }));
  return { ...keys, keyDir };
}

// Starts credvault-runner with `keys`, dialling `url` (http://... becomes ws://...).
export function startRunner(keys, url, { jobs = 4 } = {}) {
  return spawn(RUNNER_BIN, ['--server', url.replace(/^http/, 'ws'), '--key-dir', keys.keyDir,
    '--jobs', String(jobs)], { stdio: ['ignore', 'ignore', 'ignore'] });
}

// How many API requests a server's request log shows it answered.
export const apiRequests = (server) => server.logs.filter((e) => e.event === 'request' &&
  typeof e.path === 'string' && e.path.startsWith('/api/')).length;
