#!/usr/bin/env bash
# Builds vigil, every test and the fuzz harnesses' corpus replays with gcc under
# AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer into build-asan, then
# runs ctest there: any report fails its test. CAF itself is Debian's, uninstrumented
# (hence no ThreadSanitizer: it would only report CAF's own synchronisation).
#
#   bash scripts/sanitize.sh [-jN] [ctest arguments, e.g. -LE slow]
#
# From scratch about 40 minutes at -j1 on a shared 2-core machine: the build about 30, the
# tests about 9 (the fleet-day scenario alone 5); the benchmarks' smoke run (label bench)
# is left out. Suppressions (CAF only): scripts/ubsan.supp, scripts/lsan.supp.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
if [[ "${1:-}" == -j* ]]; then
  jobs="${1#-j}"
  shift
fi

bash scripts/setup.sh
# Every UBSan report is fatal (halt_on_error) except a suppressed one; suppressions work
# only for recoverable checks, hence `null` (scripts/ubsan.supp: CAF's headers).
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
flags+=" -fsanitize-recover=null"
# Exported too, so the install test's consumer project is built the same way.
export CXXFLAGS="$flags" LDFLAGS="$flags"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan.supp"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS="$flags" \
  -DVIGIL_JEMALLOC=OFF -DVIGIL_FUZZ=ON
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan -j"$jobs" -LE bench --output-on-failure "$@"
