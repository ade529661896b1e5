#!/usr/bin/env bash
# Installs the Debian 12 packages vigil builds, tests and runs with. Idempotent: when every
# package is present it only checks and returns (well under a second). Works as root, and
# through sudo otherwise.
set -euo pipefail

packages=(
  g++ make cmake
  libcaf-dev libboost-json1.81-dev libboost-url1.81-dev libspdlog-dev libgtest-dev libsqlite3-dev
  libhiredis-dev redis-server  # the Redis store, and the server its tests start
  libsqlitecpp-dev  # the SQLite store's C++ wrapper (SQLiteCpp)
  libcli11-dev libfmt-dev  # the programs' command lines (CLI11); formatting ({fmt})
  python3-jsonschema  # the tests check every event writer against docs/event.schema.json
  libjemalloc-dev  # the programs' allocator (CMake option VIGIL_JEMALLOC)
  libssl-dev  # digests of credentials (libcrypto); CAF's TLS
  openssl  # the tests make TLS certificates with it
  clang libclang-rt-14-dev libfuzzer-14-dev  # the fuzz build: libFuzzer, ASan, UBSan (scripts/fuzz.sh)
  prometheus-cpp-dev libcpp-httplib-dev pkg-config  # vigil::web: the metrics' types, HTTP
  prometheus  # promtool: the tests check the /metrics text with it
  chromium  # the dashboard's browser test (headless)
)

# Node.js and npm drive the browser test (puppeteer-core); a machine may have them
# from elsewhere (NodeSource), which Debian's npm package would conflict with.
command -v npm >/dev/null || packages+=(nodejs npm)

# The browser test's npm packages (puppeteer-core only: it downloads no browser), with
# the system's CA bundle (where a proxy's CA is installed). Without the npm registry
# the rest still builds and runs: the browser test is then reported as skipped.
npm_packages() {
  local dir ca=()
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
  [ -d "$dir/node_modules/puppeteer-core" ] && return 0
  [ -f /etc/ssl/certs/ca-certificates.crt ] && ca=(--cafile=/etc/ssl/certs/ca-certificates.crt)
  echo "setup: installing the browser test's npm packages (tests/browser)"
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error "${ca[@]}"); then
    echo "setup: WARNING: the npm registry could not be reached; the browser test" \
         "(browser.dashboard) will be reported as skipped" >&2
  fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  npm_packages
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
npm_packages
