#!/usr/bin/env bash
# Builds vigil and runs the main job: the scenario simulator on an example scenario
# (default: the quota / status cycle), writing an HTML timeline beside the build.
#   bash scripts/demo.sh [SCENARIO.json] [vigil-sim options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j2 --target vigil-sim
scenario=${1:-examples/scenarios/quota-cycle.json}
[ $# -gt 0 ] && shift
name=$(basename "$scenario" .json)
./build/examples/vigil-sim "$scenario" --timeline "build/$name.html" "$@"
echo "timeline: build/$name.html"
