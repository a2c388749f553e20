#!/usr/bin/env bash
# Measures QueryUser throughput and p50/p99 latency at 1, 8 and 64 concurrent
# clients against `ghloader serve` on 127.0.0.1, after loading real sample
# hours into a fresh SQLite store: once with the in-process cache on
# (default) and once with it off, so the second run measures the store's
# aggregation queries.
#
#   bench/grpc_query_bench.sh [BUILD_DIR] [SECONDS_PER_LEVEL]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
seconds=${2:-10}
data=${GHARCHIVE_DATA:-$repo/../shared/data/gharchive}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

mkdir "$work/mirror"
for file in nickderobertis--py-gh-archive/2015-01-01-1.json.gz intersimone999--gh-archive/2015-01-01-{3,4,5}.json.gz \
  Yousign--backend-review-test/2015-01-01-15.json.gz nickderobertis--py-gh-archive/2012-06-14-15.json.gz \
  arfon--gh_archive_parser/2014-02-15-0.json.gz; do
  ln -s "$data/$file" "$work/mirror/"
done
"$build/ghloader" load --from 2015-01-01 --to 2015-01-01 --source "$work/mirror" \
  --store "sqlite:$work/bench.db" --progress never --log-level error >/dev/null
"$build/ghloader" load --from 2012-06-14T15 --to 2012-06-14T15 --source "$work/mirror" \
  --store "sqlite:$work/bench.db" --progress never --log-level error >/dev/null
"$build/ghloader" load --from 2014-02-15T00 --to 2014-02-15T00 --source "$work/mirror" \
  --store "sqlite:$work/bench.db" --progress never --log-level error >/dev/null

# The 200 most active logins, so that answers have real sizes.
logins=$(sqlite3 "$work/bench.db" "SELECT actor_login FROM events WHERE actor_login IS NOT NULL
  GROUP BY actor_login ORDER BY COUNT(*) DESC LIMIT 200" | paste -sd, -)
events=$(sqlite3 "$work/bench.db" "SELECT COUNT(*) FROM events")

run() {
  local label=$1
  shift
  local port
  port=$(free_port)
  "$build/ghloader" serve --listen "127.0.0.1:$port" --source "$work/mirror" \
    --store "sqlite:$work/bench.db" --log-level warn "$@" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    "$build/ghloader" client --server "127.0.0.1:$port" health >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "### $label"
  echo
  "$build/bench/grpc_query_load" --server "127.0.0.1:$port" --logins "$logins" \
    --seconds "$seconds" --concurrency 1,8,64
  echo
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

echo "Store: SQLite, $events events; 200 logins queried in rotation; $seconds s per level."
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo
run "cache on (default: 300 s TTL)"
run "cache off (--cache-ttl-seconds 0)" --cache-ttl-seconds 0
