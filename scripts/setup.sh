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

# Node.js drives the browser test (Chromium's DevTools protocol over a pipe, no npm
# packages); a machine may have it from elsewhere (NodeSource), which Debian's nodejs
# package would conflict with.
command -v node >/dev/null || packages+=(nodejs)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
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
