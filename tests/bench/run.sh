#!/usr/bin/env bash
# `make bench`: every benchmark in one run, printed side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=/usr/share/nodejs
out=$(mktemp)
{
  build/native/tests/bench/crypto_bench
  node build/wasm/tests/bench/crypto_bench.js
  node tests/bench/sumo_bench.mjs
  node tests/bench/module_bench.mjs
  build/native/tests/bench/ui_bench
  node build/wasm/tests/bench/ui_bench.js
} > "$out"
node tests/bench/report.mjs < "$out"
echo
echo "kubeconfig import, 200 contexts (target: <= 1 s in WASM)"
build/native/tests/bench/kubeconfig_bench
node build/wasm/tests/bench/kubeconfig_bench.js
for extra in tests/bench/run_*.sh; do
  [ -e "$extra" ] && bash "$extra"
done
rm -f "$out"
