#!/usr/bin/env bash
# Starts the server on the embedded default: SQLite under ./data, the built-in runner.
# CREDVAULT_LISTEN (127.0.0.1:8080), CREDVAULT_DATA_DIR (data) and CREDVAULT_SERVER_BIN
# (build/native/server/credvault-server) change where it listens, keeps its data, and which
# binary runs. The server logs JSON lines on stderr; its "listening" line repeats the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
listen=${CREDVAULT_LISTEN:-127.0.0.1:8080}
data_dir=${CREDVAULT_DATA_DIR:-data}
server=${CREDVAULT_SERVER_BIN:-build/native/server/credvault-server}
if [ ! -x "$server" ]; then
  echo "credvault: $server is missing; build it with 'make native'" >&2
  exit 1
fi
echo "credvault: open http://$listen/ (data: $data_dir/credvault.db, SQLite; Ctrl-C stops)"
exec "$server" --listen "$listen" --data-dir "$data_dir" --web-root web --module-dir build/wasm/wasm
