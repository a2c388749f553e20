#!/usr/bin/env bash
# Measures the MongoDB store's write path on real GH Archive hours: events/s
# into the server, and the time spent converting JSON to BSON and batching
# on our side, with zcat of the same files as the baseline of the same run.
# Starts FerretDB 1.24 (SQLite handler) on a free 127.0.0.1 port for the run
# unless --uri names a server. Prints a Markdown report (the source of the
# "MongoDB store" section of docs/benchmarks.md).
#
#   bench/mongo_store_bench.sh [--build DIR] [--data DIR] [--runs N] [--uri mongodb://HOST:PORT]
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$REPO_DIR/build
DATA=${GHARCHIVE_DATA:-$REPO_DIR/../shared/data/gharchive}
RUNS=3
URI=

while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --uri) URI=$2; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "mongo_store_bench: unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done

BENCH=$BUILD/mongo_store_bench
if [[ ! -x $BENCH ]]; then
  echo "mongo_store_bench: $BENCH not found; build it with ninja -C $BUILD mongo_store_bench" >&2
  exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mongo-bench-XXXXXX")
cleanup() {
  [[ -z $URI_STARTED ]] || "$REPO_DIR/tests/tools/ferretdb.sh" stop "$WORK/ferretdb"
  rm -rf "$WORK"
}
URI_STARTED=
trap cleanup EXIT

if [[ -z $URI ]]; then
  port=$("$REPO_DIR/tests/tools/ferretdb.sh" start "$WORK/ferretdb")
  URI="mongodb://127.0.0.1:$port"
  URI_STARTED=1
fi

# Two real 2015 hours (Events API, 13,398 events, 30 MB of JSON) and one
# timeline hour.
FILES=(
  "$DATA/nickderobertis--py-gh-archive/2015-01-01-1.json.gz"
  "$DATA/intersimone999--gh-archive/2015-01-01-3.json.gz"
  "$DATA/nickderobertis--py-gh-archive/2012-06-14-15.json.gz"
)
plain=()
for file in "${FILES[@]}"; do
  zcat "$file" >"$WORK/$(basename "$file" .gz)"
  plain+=("$WORK/$(basename "$file" .gz)")
done

zcat_runs=()
for _ in $(seq "$RUNS"); do
  started=$EPOCHREALTIME
  zcat "${FILES[@]}" >/dev/null
  zcat_runs+=("$(awk "BEGIN { printf \"%.3f\", $EPOCHREALTIME - $started }")")
done
zcat_median=$(printf '%s\n' "${zcat_runs[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")

server=${URI%%\?*}
if [[ -n $URI_STARTED ]]; then
  server="FerretDB $("$REPO_DIR/tests/tools/ferretdb.sh" version) (SQLite handler) at $server"
fi
echo "Server: $server; files: ${FILES[*]##*/}"
echo
echo "zcat of the same files: ${zcat_median} s (median of $RUNS)"
echo
"$BENCH" --uri "$URI" --runs "$RUNS" "${plain[@]}"
