#!/usr/bin/env bash
# Builds vigil and runs every test (ctest), then builds the fuzz harnesses with clang and
# runs each for a few seconds (scripts/fuzz.sh, about 1.5 min more). Installs what it
# needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_WERROR=ON
cmake --build build -j2
ctest --test-dir build -j2 --output-on-failure
bash scripts/fuzz.sh -j2
