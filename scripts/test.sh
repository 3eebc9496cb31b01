#!/usr/bin/env bash
# Runs every test suite, each even if an earlier one failed, then fails if any did.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
failed=()
run() {
  local name=$1; shift
  echo "=== $name"
  if ! "$@"; then failed+=("$name"); fi
}
run "core + server (native, ctest)" bash -c 'cd build/native && ctest --output-on-failure'
run "core (WASM under Node, ctest)" bash -c 'cd build/wasm && ctest --output-on-failure'
run "ES module, server and browser (node --test)" node --test tests/wasm/ tests/cross/ tests/web/
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
