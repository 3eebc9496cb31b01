#!/usr/bin/env bash
# make bench, monitoring part (issue 8): 1,000 monitored connections at a 1-minute interval
# (a real 60 s minute) against local Prometheus fixtures, tested by a standalone runner over
# the WebSocket, for 5 minutes: CPU seconds and peak/average RSS of the server and the runner
# (/proc/<pid>/stat and /status, every 5 s), tests recorded per minute and their outcomes
# (/metrics). Takes about 6 minutes. Env: see tests/bench/monitor_bench.mjs
# (BENCH_MONITOR_CONNECTIONS, BENCH_MONITOR_MINUTES, ...), CREDVAULT_SERVER_BIN,
# CREDVAULT_RUNNER_BIN (default build/native/server/...), CREDVAULT_MODULE_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
command -v prometheus >/dev/null || { echo "run_monitor.sh: prometheus is missing (scripts/setup.sh)" >&2; exit 1; }
echo
node tests/bench/monitor_bench.mjs
