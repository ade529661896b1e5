#!/usr/bin/env bash
# Builds vigil and runs the demo: three agents live a few seconds of real time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target vigil-demo
./build/examples/vigil-demo "$@"
