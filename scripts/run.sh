#!/usr/bin/env bash
# Starts the server on the embedded default: SQLite under ./data, the built-in runner.
set -euo pipefail
cd "$(dirname "$0")/.."
listen=${CREDVAULT_LISTEN:-127.0.0.1:8080}
echo "credvault: open http://$listen/ (Ctrl-C stops the server)"
exec build/native/server/credvault-server --listen "$listen" --data-dir "${CREDVAULT_DATA_DIR:-data}" \
  --web-root web --module-dir build/wasm/wasm
