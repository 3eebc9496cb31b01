#!/usr/bin/env bash
# make bench, bundle part (issue 6): what a browser downloads for the ES module on every page,
# gzipped (-9), against the 250 KB target (the kubeconfig module, loaded on the first import,
# is reported apart), and the time to import + compile + instantiate + init it in headless
# Chromium (cold: a fresh browser context; warm: a reload with the HTTP cache), against the
# 50 ms target.
# Env: CREDVAULT_MODULE_DIR (build/wasm/wasm), CREDVAULT_SERVER_BIN, BENCH_BUNDLE_RUNS (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
dir=${CREDVAULT_MODULE_DIR:-build/wasm/wasm}
gz_table() {  # prints one row per file, then sets $total to the sum of the gzipped sizes
  total=0
  for f in "$@"; do
    f=${f#"$dir"/}
    raw=$(stat -c %s "$dir/$f")
    gz=$(gzip -9 -c "$dir/$f" | wc -c)
    total=$((total + gz))
    printf '  %-26s %9d B  %8d B gz\n' "$f" "$raw" "$gz"
  done
}
echo
echo "bundle: gzip -9 of what a browser downloads from $dir on every page (target: <= 250 KB)"
gz_table credvault_core.wasm credvault_core.mjs credvault.mjs client.mjs "$dir"/client/*.mjs
verdict=$([ "$total" -le 256000 ] && echo ok || echo OVER)
printf '  %-26s %20d B gz = %.1f KB (target 250 KB: %s)\n' total "$total" \
  "$(echo "$total / 1024" | bc -l)" "$verdict"
# The YAML reader: downloaded on the first kubeconfig import only (wasm/CMakeLists.txt).
echo "lazy: the kubeconfig module, fetched on the first kubeconfig import (not in the total)"
gz_table credvault_kubeconfig.wasm credvault_kubeconfig.mjs
printf '  %-26s %20d B gz = %.1f KB\n' lazy "$total" "$(echo "$total / 1024" | bc -l)"
node tests/bench/bundle_bench.mjs
