#!/usr/bin/env bash
# Installs the dependencies, builds, and runs every test: unit tests and the
# integration tests, which start their own servers (a fixture HTTP server,
# FerretDB, the gRPC service) on free 127.0.0.1 ports.
#
#   scripts/test.sh              # build/ with RelWithDebInfo
#   scripts/test.sh --sanitize   # build-asan/ with AddressSanitizer + UBSan
#
# GHARCHIVE_DATA overrides where the real GH Archive samples are read from
# (default: ../shared/data/gharchive beside the repository).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$repo/build"
cmake_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
ctest_flags=()
if [[ ${1:-} == --sanitize ]]; then
  build_dir="$repo/build-asan"
  cmake_flags+=(-DGHLOADER_SANITIZE=ON -DGHLOADER_BUILD_BENCHMARKS=OFF)
  # The MongoDB re-runs of the integration scripts (label "mongodb") take
  # about 15 minutes against FerretDB and exercise the same code as the plain
  # run, so CI leaves them out here to stay within its time. The MongoDB
  # store still runs under the sanitizers in integration.mongo_suite_test.
  ctest_flags+=(-LE mongodb)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/test.sh [--sanitize]" >&2
  exit 2
fi

"$repo/scripts/install-deps.sh"
export PATH="$(go env GOPATH)/bin:$PATH"

if [[ -n ${GHARCHIVE_DATA:-} ]]; then cmake_flags+=("-DGHARCHIVE_DATA=$GHARCHIVE_DATA"); fi
cmake -S "$repo" -B "$build_dir" -G Ninja "${cmake_flags[@]}"
cmake --build "$build_dir" -j "$(nproc)"
# Integration tests on SQLite run one at a time (RUN_SERIAL); the rest share
# the cores.
ctest --test-dir "$build_dir" --output-on-failure --timeout 1200 -j "$(nproc)" "${ctest_flags[@]}"
