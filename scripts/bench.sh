#!/usr/bin/env bash
# Runs every benchmark of issue 9 and prints one table: figure, target, measured, the
# reference measured in the same run, and the ratio of the two. Installs and builds
# what it needs first. About 45 minutes on a 2-core machine; --quick runs every
# program at small sizes in about 2 minutes (it checks that they work; its figures
# are not the targets').
#
#   bash scripts/bench.sh [--quick] [--skip-setup]
# Each program's progress goes to build/bench-logs/NAME.log; the table also to
# build/bench-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
setup=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --skip-setup) setup=0 ;;
    *) echo "usage: bash scripts/bench.sh [--quick] [--skip-setup]" >&2; exit 2 ;;
  esac
done
if [[ $setup == 1 ]]; then
  bash scripts/setup.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build build -j2
fi
build=${VIGIL_BUILD:-build} # the build directory (ctest's smoke run passes its own)
b=$build/bench
logs=$build/bench-logs
mkdir -p "$logs"
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
failed=0

# run NAME PROGRAM ARGS...: its table rows to the table, its progress to the log.
run() {
  local name=$1
  shift
  echo "bench: $name: $*" >&2
  local started=$SECONDS
  if "$@" >>"$rows" 2>"$logs/$name.log"; then
    echo "bench: $name: done in $((SECONDS - started)) s" >&2
  else
    echo "bench: $name: FAILED (exit $?), see $logs/$name.log" >&2
    failed=1
  fi
}

# smoke NAME PROGRAM ARGS...: a program with a table of its own (soak_bench): it must
# pass its checks; its output goes to the log only. The 30-minute soak is run by hand.
smoke() {
  local name=$1
  shift
  echo "bench: $name: $*" >&2
  local started=$SECONDS
  if "$@" >"$logs/$name.log" 2>&1; then
    echo "bench: $name: done in $((SECONDS - started)) s" >&2
  else
    echo "bench: $name: FAILED (exit $?), see $logs/$name.log" >&2
    failed=1
  fi
}

# Target 6: the 10,000-agent day under vigil-sim, timed whole, beside the simulator of
# commit 4a284d1 (before issue 18) on the same scenario in the same run. That build is
# made once, in build-baseline/ (about 5 minutes).
baseline_commit=4a284d1
baseline_sim() {
  local src=build-baseline/src out=build-baseline/build
  if [[ ! -x $out/examples/vigil-sim ]]; then
    echo "bench: sim: building the baseline simulator of $baseline_commit in $out" >&2
    rm -rf "$src" && mkdir -p "$src"
    git archive "$baseline_commit" | tar -x -C "$src"
    cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_BUILD_TESTS=OFF \
      >"$logs/baseline-build.log" 2>&1
    cmake --build "$out" -j2 --target vigil-sim >>"$logs/baseline-build.log" 2>&1
  fi
  echo "$out/examples/vigil-sim"
}

# time_sim PROGRAM LOG: seconds the fleet day took (empty on failure).
time_sim() {
  local started ended
  started=$(date +%s.%N)
  if "$1" examples/scenarios/fleet-day.json --quiet >"$2" 2>&1; then
    ended=$(date +%s.%N)
    echo "$ended - $started" | bc
  fi
}

sim_row() {
  local base now then
  echo "bench: sim: $build/examples/vigil-sim examples/scenarios/fleet-day.json --quiet" >&2
  now=$(time_sim "$build/examples/vigil-sim" "$logs/sim.log")
  if [[ -z $now ]]; then
    echo "bench: sim: FAILED, see $logs/sim.log" >&2
    failed=1
    return
  fi
  if base=$(baseline_sim) && then=$(time_sim "$base" "$logs/sim-baseline.log") &&
    [[ -n $then ]]; then
    printf '| 6. simulation: 10,000 agents, 24 h (about 86 million beats) | < 120 s; 2x faster than %s | %.1f s | %s: %.1f s | %.2f |\n' \
      "$baseline_commit" "$now" "$baseline_commit" "$then" "$(echo "$now / $then" | bc -l)" >>"$rows"
  else
    echo "bench: sim: the baseline of $baseline_commit did not build or run, see $logs" >&2
    printf '| 6. simulation: 10,000 agents, 24 h (about 86 million beats) | < 120 s | %.1f s | target 120 s | %.2f |\n' \
      "$now" "$(echo "$now / 120" | bc -l)" >>"$rows"
    failed=1
  fi
}

if [[ $quick == 1 ]]; then
  run ingest "$b/ingest_bench" --messages 200000 --fleets 10000,100000
  run detect "$b/detect_bench" --agents 10000 --silent 100
  run broadcast "$b/broadcast_bench" --events 10000
  run fleet-10k "$b/fleet_bench" --agents 10000 --seconds 5
  run fleet-silent "$b/fleet_bench" --agents 10000 --seconds 20 --silent 100 --no-reference
  run nodes "$b/nodes_bench" --agents 2000 --processes 2 --seconds 5
  run reload "$b/reload_bench" --agents 10000
  run sim-floor "$b/sim_floor_bench" --agents 1000 --hours 1
  smoke soak "$b/soak_bench" --minutes 1 --agents 1000 --stall-seconds 5
else
  run ingest "$b/ingest_bench"
  run detect "$b/detect_bench" --agents 100000 --silent 1000
  run broadcast "$b/broadcast_bench" --events 100000 --subscribers 100
  run fleet-100k "$b/fleet_bench" --agents 100000 --seconds 60
  run fleet-300k "$b/fleet_bench" --agents 300000 --seconds 60
  # Issue 18: a million, five times in a row; beyond capacity with hung agents; the
  # remote million three times.
  run fleet-1m-1 "$b/fleet_bench" --agents 1000000 --seconds 60 --label "run 1 of 5"
  for k in 2 3 4 5; do
    run "fleet-1m-$k" "$b/fleet_bench" --agents 1000000 --seconds 60 --no-reference \
      --label "run $k of 5"
  done
  run fleet-1.5m "$b/fleet_bench" --agents 1500000 --seconds 60 --silent 1000 \
    --no-reference --label "overload"
  run detect-1m "$b/detect_bench" --agents 1000000 --silent 1000
  run nodes-100k "$b/nodes_bench" --agents 100000 --processes 2 --seconds 60
  for k in 1 2 3; do
    run "nodes-1m-$k" "$b/nodes_bench" --agents 1000000 --processes 2 --seconds 60 \
      --label "run $k of 3"
  done
  run reload "$b/reload_bench" --agents 1000000
  run sim-floor "$b/sim_floor_bench"
  sim_row
fi

{
  echo "| figure | target | measured | reference (same run) | ratio |"
  echo "|---|---|---|---|---|"
  sort -s -n -t'|' -k2,2 "$rows"
} | tee "$build/bench-results.md"
# Every figure has its row (6 only in the full run).
for n in 1 2 3 4 5 7 8 9; do
  if ! grep -q "^| $n\. " "$rows"; then
    echo "bench: no row for figure $n" >&2
    failed=1
  fi
done
exit $failed
