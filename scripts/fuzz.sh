#!/usr/bin/env bash
# Builds the fuzz harnesses (fuzz/) with clang, libFuzzer, ASan and UBSan into build-fuzz,
# then runs them.
#
#   bash scripts/fuzz.sh                         each harness for 5 s (ctest -L fuzz)
#   bash scripts/fuzz.sh --long 30               each harness for 30 minutes, one by one
#   bash scripts/fuzz.sh --long 10 messages_fuzz only the named harnesses
#   bash scripts/fuzz.sh --merge [HARNESS...]    minimise what long runs found into
#                                                fuzz/corpus/<harness> (to commit or not)
#   -jN                                          build jobs (default: all cores)
#
# Long runs keep what they find in build-fuzz/corpus-work/<harness> (the repo's corpus is
# only read) and crash, leak, timeout and out-of-memory reproducers in
# build-fuzz/artifacts/<harness>; the script exits 1 if there are any. A first build
# takes about 70 s on one core.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=""
merge=0
jobs=$(nproc)
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --long) minutes="${2:?--long needs a number of minutes}"; shift ;;
    --merge) merge=1 ;;
    -j*) jobs="${1#-j}" ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) harnesses+=("$1") ;;
  esac
  shift
done

bash scripts/setup.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DVIGIL_FUZZ=ON -DVIGIL_JEMALLOC=OFF \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-fuzz --target vigil_fuzzers -j"$jobs"

if [ -z "$minutes" ] && [ $merge -eq 0 ]; then
  exec ctest --test-dir build-fuzz -L fuzz -j"$jobs" --output-on-failure
fi

if [ ${#harnesses[@]} -eq 0 ]; then
  harnesses=(settings_fuzz scenario_fuzz event_json_fuzz store_url_fuzz messages_fuzz)
fi
found=0
for h in "${harnesses[@]}"; do
  [ -x "build-fuzz/fuzz/$h" ] || { echo "fuzz: no harness $h" >&2; exit 2; }
  dict=()
  [ -f "fuzz/$h.dict" ] && dict=("-dict=fuzz/$h.dict")
  work="build-fuzz/corpus-work/$h"
  mkdir -p "$work" build-fuzz/logs
  if [ -n "$minutes" ]; then
    art="build-fuzz/artifacts/$h"
    log="build-fuzz/logs/$h.log"
    rm -rf "$art" && mkdir -p "$art"
    before=$(find "$work" -type f | wc -l)
    echo "fuzz: $h for $minutes min (log $log)"
    build-fuzz/fuzz/$h -max_total_time=$((minutes * 60)) -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" "$work" "fuzz/corpus/$h" \
      >"$log" 2>&1 || true
    final() { grep -m1 "^stat::$1:" "$log" | awk '{print $2}' || true; }
    after=$(find "$work" -type f | wc -l)
    bad=$(find "$art" -type f | wc -l)
    printf '%-16s %12s execs %8s exec/s  work corpus %d (+%d)  peak %s MB  findings %d\n' \
      "$h" "$(final number_of_executed_units)" "$(final average_exec_per_sec)" "$after" \
      $((after - before)) "$(final peak_rss_mb)" "$bad"
    if [ "$bad" -gt 0 ]; then
      found=1
      find "$art" -type f | sed 's/^/    /'
    fi
  fi
  if [ $merge -eq 1 ]; then
    n=$(find "fuzz/corpus/$h" -type f | wc -l)
    build-fuzz/fuzz/$h -merge=1 -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
      "fuzz/corpus/$h" "$work" >"build-fuzz/logs/$h.merge.log" 2>&1
    echo "fuzz: $h: fuzz/corpus/$h has $n -> $(find "fuzz/corpus/$h" -type f | wc -l) files"
  fi
done
exit $found
