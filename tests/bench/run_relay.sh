#!/usr/bin/env bash
# make bench, relay part (issue 5): the median (and p90) latency of a connectivity test through
# the server and the built-in runner against a direct keep-alive request from the same client
# to the same real Prometheus (basic auth), in one run; also a direct request on a new TCP
# connection, which is what the runner pays per test. Target: <= 2 ms added.
# Env: BENCH_RELAY_N (200), CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
command -v prometheus >/dev/null || { echo "run_relay.sh: prometheus is missing (scripts/setup.sh)" >&2; exit 1; }
echo
node tests/bench/relay_bench.mjs
