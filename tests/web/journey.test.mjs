// The web app's whole journey (journey_steps.mjs) in headless Chromium against one real
// server with its built-in runner, admitted with the Runners page's button.
//
//   NODE_PATH=/usr/share/nodejs node --test tests/web/journey.test.mjs
// Env: CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR (default build/wasm/wasm).
// Screenshots go to build/artifacts/journey-*.png.
import { startServer, stopServer } from './harness.mjs';
import { admitBuiltinRunner, defineJourney } from './journey_steps.mjs';

defineJourney({
  title: 'web app journey in headless Chromium',
  shotPrefix: 'journey',
  async startApp({ webRoot, moduleDir }) {
    const server = await startServer({ webRoot, moduleDir });
    return { url: server.url, rawLog: () => server.rawLog, stop: () => stopServer(server) };
  },
  admitRunner: admitBuiltinRunner,
});
