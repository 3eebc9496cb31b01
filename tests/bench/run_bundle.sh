#!/usr/bin/env bash
# make bench, bundle part (issue 6): what a browser downloads for the ES module, gzipped (-9),
# against the 250 KB target, and the time to import + compile + instantiate + init it in
# headless Chromium (cold: a fresh browser context; warm: a reload with the HTTP cache),
# against the 50 ms target.
# Env: CREDVAULT_MODULE_DIR (build/wasm/wasm), CREDVAULT_SERVER_BIN, BENCH_BUNDLE_RUNS (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
dir=${CREDVAULT_MODULE_DIR:-build/wasm/wasm}
echo
echo "bundle: gzip -9 of what a browser downloads from $dir (target: <= 250 KB)"
total=0
for f in credvault_core.wasm credvault_core.mjs credvault.mjs client.mjs "$dir"/client/*.mjs; do
  f=${f#"$dir"/}
  raw=$(stat -c %s "$dir/$f")
  gz=$(gzip -9 -c "$dir/$f" | wc -c)
  total=$((total + gz))
  printf '  %-24s %9d B  %8d B gz\n' "$f" "$raw" "$gz"
done
verdict=$([ "$total" -le 256000 ] && echo ok || echo OVER)
printf '  %-24s %20d B gz = %.1f KB (target 250 KB: %s)\n' total "$total" \
  "$(echo "$total / 1024" | bc -l)" "$verdict"
node tests/bench/bundle_bench.mjs
