#!/usr/bin/env bash
# Installs what credvault needs on Debian bookworm: apt packages (with a deb-src entry for
# the libsodium source the WASM build compiles), the libsodium source itself, and npm
# packages. Idempotent: a second run with everything present does no network work.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake pkg-config dpkg-dev
  emscripten binaryen
  libsodium-dev nlohmann-json3-dev libgtest-dev libboost-dev libssl-dev libsqlite3-dev
  libyaml-cpp-dev
  chromium
  sqlite3 wrk nginx prometheus  # durability checks, make bench, promtool for /metrics
  apache2-utils openssl  # runner tests: htpasswd for Prometheus basic auth, a throwaway PKI
  postgresql libpq-dev  # the hosted store engine: libpq, and a throw-away server for tests
  libjemalloc-dev  # the server's allocator (server/CMakeLists.txt)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

need_src=0
[ -d third_party_src/libsodium ] || need_src=1
[ -d third_party_src/yaml-cpp ] || need_src=1

if [ ${#missing[@]} -gt 0 ] || [ $need_src -eq 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/ ; then
    # Source entries for the WASM builds of libsodium and yaml-cpp: the machine's own binary
    # entries (same mirrors, suites and keys), as deb-src.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        > /etc/apt/sources.list.d/credvault-src.sources
    else
      grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed 's/^deb /deb-src /' \
        > /etc/apt/sources.list.d/credvault-src.list
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# Debian source packages, unpacked with Debian's patches applied; never committed.
fetch_source() {  # name dir
  local name=$1 dir=$2
  [ -d "third_party_src/$dir" ] && return 0
  mkdir -p third_party_src/.work
  (cd third_party_src/.work && rm -rf ./* && apt-get source -qq "$name" >/dev/null)
  local unpacked
  unpacked=$(find third_party_src/.work -mindepth 1 -maxdepth 1 -type d | head -n1)
  mv "$unpacked" "third_party_src/$dir"
  rm -rf third_party_src/.work
}
fetch_source libsodium libsodium
fetch_source yaml-cpp yaml-cpp

# npm packages (playwright-core, libsodium-wrappers-sumo for the benchmark, the OpenAPI linter).
if [ ! -d node_modules/playwright-core ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
