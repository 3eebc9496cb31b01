// Shared by the web tests: starts the built credvault-server on a kernel-chosen port with a
// private data directory, collects its JSON log lines, and speaks raw HTTP/1.1 where fetch()
// would normalise away the very bytes a test wants to send ("/../", "%2e%2e", "\").
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVER_BIN = process.env.CREDVAULT_SERVER_BIN ??
  path.join(REPO_ROOT, 'build', 'native', 'server', 'credvault-server');

const STARTUP_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 15000;

export function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Starts the server; resolves once it logs "listening". `args` are extra flags.
export async function startServer({ webRoot, moduleDir, dataDir, args = [], env = {} } = {}) {
  if (!fs.existsSync(SERVER_BIN)) {
    throw new Error(`server binary not found: ${SERVER_BIN} (set CREDVAULT_SERVER_BIN)`);
  }
  const flags = ['--listen', '127.0.0.1:0', '--threads', '2'];
  if (webRoot) flags.push('--web-root', webRoot);
  if (moduleDir) flags.push('--module-dir', moduleDir);
  flags.push('--data-dir', dataDir ?? path.join(makeTempDir('credvault-data-'), 'data'));
  const child = spawn(SERVER_BIN, [...flags, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = {
    child,
    logs: [],        // parsed JSON log lines
    rawLog: '',      // everything on stderr, for leak scans
    port: 0,
    url: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  let pending = '';
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${server.rawLog}`)),
      STARTUP_TIMEOUT_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      server.rawLog += chunk;
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          entry = { event: 'unparsed', line };
        }
        server.logs.push(entry);
        if (entry.event === 'listening') {
          clearTimeout(timer);
          server.port = entry.port;
          server.url = `http://127.0.0.1:${entry.port}`;
          resolve();
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${server.rawLog}`));
    });
  });
  await listening;
  return server;
}

// SIGTERM, then wait for the exit; returns {code, signal}.
export async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      reject(new Error('server did not stop after SIGTERM'));
    }, STOP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Parses every complete HTTP/1.1 response in `buffer` (Content-Length framing only, which is
// what the server sends). `headRequests` lists which responses answer HEAD (no body).
export function parseResponses(buffer, headRequests = []) {
  const responses = [];
  let offset = 0;
  while (offset < buffer.length) {
    const end = buffer.indexOf('\r\n\r\n', offset);
    if (end < 0) break;
    const lines = buffer.subarray(offset, end).toString('latin1').split('\r\n');
    const [, status] = lines[0].split(' ');
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const isHead = headRequests.includes(responses.length);
    const length = isHead ? 0 : Number(headers['content-length'] ?? 0);
    const body = buffer.subarray(end + 4, end + 4 + length);
    responses.push({ status: Number(status), headers, body: body.toString('utf8') });
    offset = end + 4 + length;
  }
  return responses;
}

// Sends raw bytes on a fresh connection and collects everything until the server closes.
export function rawExchange(port, chunks, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw exchange timed out'));
    }, timeoutMs);
    socket.on('connect', () => {
      for (const chunk of [].concat(chunks)) socket.write(chunk);
    });
    socket.on('data', (data) => received.push(data));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(received));
    });
  });
}

// One request with a raw target; the connection closes after the response.
export async function rawRequest(port, method, target, { headers = {}, body = '' } = {}) {
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (body.length > 0) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  const bytes = await rawExchange(port, [Buffer.from(`${head}\r\n`, 'latin1'), Buffer.from(body)]);
  const [response] = parseResponses(bytes, method === 'HEAD' ? [0] : []);
  if (!response) throw new Error(`no response to ${method} ${target}`);
  return response;
}
