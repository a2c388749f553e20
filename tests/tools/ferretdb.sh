#!/usr/bin/env bash
# Starts and stops FerretDB, the MongoDB-wire-compatible server the MongoDB
# store is tested against: SQLite handler, telemetry off, listening on
# 127.0.0.1 only, all its state in one directory.
#
#   ferretdb.sh start DIR [PORT]  starts it (on a free port unless PORT is
#                                 given), waits until it accepts connections
#                                 and prints the port
#   ferretdb.sh stop DIR          stops it (SIGTERM, SIGKILL after 10 s)
#   ferretdb.sh kill DIR          kills it at once (SIGKILL); DIR is kept, so
#                                 `start DIR PORT` brings the same data back
#   ferretdb.sh version           prints the version of the binary
#
# The binary is $FERRETDB, else $(go env GOPATH)/bin/ferretdb, where
# scripts/install-deps.sh builds it.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [PORT] | stop DIR | kill DIR | version" >&2
  exit 2
}

ferretdb_binary() {
  local binary=${FERRETDB:-}
  if [[ -z $binary ]] && command -v go >/dev/null 2>&1; then
    binary="$(go env GOPATH)/bin/ferretdb"
  fi
  if [[ -z $binary || ! -x $binary ]]; then
    echo "ferretdb.sh: FerretDB not found (FERRETDB='${FERRETDB:-}'); run scripts/install-deps.sh" >&2
    exit 1
  fi
  echo "$binary"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints the pid in DIR/ferretdb.pid if that process is alive.
running_pid() {
  local pid
  pid=$(cat "$1/ferretdb.pid" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start() {
  local dir=$1 port=${2:-}
  local binary
  binary=$(ferretdb_binary)
  mkdir -p "$dir/data"
  if running_pid "$dir" >/dev/null; then
    echo "ferretdb.sh: FerretDB is already running with its state in $dir" >&2
    exit 1
  fi
  [[ -n $port ]] || port=$(free_port)

  "$binary" --handler=sqlite --sqlite-url="file:$dir/data/" --state-dir="$dir" \
    --listen-addr="127.0.0.1:$port" --debug-addr=- --telemetry=disable --log-level=error \
    </dev/null >>"$dir/ferretdb.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/ferretdb.pid"
  echo "$port" >"$dir/port"

  local _
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "ferretdb.sh: FerretDB did not start on 127.0.0.1:$port; its log:" >&2
  tail -n 20 "$dir/ferretdb.log" >&2
  kill -9 "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  local dir=$1 signal=$2 pid
  pid=$(running_pid "$dir") || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  local _
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

if [[ ${1:-} == version ]]; then
  "$(ferretdb_binary)" --version | sed -n 's/^version: //p'
  exit 0
fi
[[ $# -ge 2 ]] || usage
case $1 in
  start) start "$2" "${3:-}" ;;
  stop) stop "$2" TERM ;;
  kill) stop "$2" KILL ;;
  *) usage ;;
esac
