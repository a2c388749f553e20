# Helpers for the `ghloader load`/`query` integration tests (sourced by the
# *_test.sh scripts, not run): a temporary work directory, sample hours laid
# out under their archive names, the fixture HTTP server on 127.0.0.1, a fresh
# store per scenario, and pass/fail counts.
#
# Environment:
#   GHLOADER             the ghloader binary (required)
#   GHARCHIVE_DATA       the real GH Archive samples (default ../shared/data/gharchive
#                        next to the repository)
#   GHLOADER_TEST_TOOLS  tests/tools (default: found next to this file)
#   GHLOADER_TEST_STORE  a --store URI to test against instead of a fresh SQLite file.
#                        "%DB%" in it is replaced by a name unique to the script run and
#                        scenario, e.g. mongodb://127.0.0.1:27017/%DB%; without "%DB%"
#                        every scenario of a script shares that one store, which must
#                        start empty and makes the scenarios' counts depend on each other.
set -uo pipefail

: "${GHLOADER:?set GHLOADER to the ghloader binary}"
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GHARCHIVE_DATA=${GHARCHIVE_DATA:-$REPO_DIR/../shared/data/gharchive}
TOOLS=${GHLOADER_TEST_TOOLS:-$REPO_DIR/tests/tools}
FIXTURES=$REPO_DIR/tests/fixtures

if [[ ! -d $GHARCHIVE_DATA ]]; then
  echo "GHARCHIVE_DATA '$GHARCHIVE_DATA' is not a directory; point it at the GH Archive samples" >&2
  exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ghloader-$(basename "$0" .sh)-XXXXXX")
PASSED=0
FAILED=0
SERVER_PIDS=()
# Logs of processes started in the background; finish() fails the test on a
# sanitizer report in any of them.
SANITIZER_LOGS=()
RUN_ID="$(basename "$0" .sh)_$$"

cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [[ -n ${FERRETDB_DIR:-} ]]; then "$TOOLS/ferretdb.sh" stop "$FERRETDB_DIR"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() {
  PASSED=$((PASSED + 1))
  echo "ok: $1"
}

fail() {
  FAILED=$((FAILED + 1))
  echo "FAILED: $1"
}

# expect_equal NAME EXPECTED ACTUAL
expect_equal() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# expect_contains NAME NEEDLE HAYSTACK
expect_contains() {
  if [[ "$3" == *"$2"* ]]; then pass "$1"; else fail "$1: '$2' not found in: $3"; fi
}

# expect_true NAME COMMAND...: passes when the command succeeds.
expect_true() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name: '$*' failed"; fi
}

# Prints the totals and exits non-zero if anything failed.
finish() {
  local log
  for log in "${SANITIZER_LOGS[@]}"; do
    [[ -f $log ]] || continue
    if grep -q -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log"; then
      fail "$(basename "$log") has sanitizer reports"
      grep -E -A 20 "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log" | head -n 60
    fi
  done
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
  exit
}

# new_store NAME: prints a --store URI for a scenario, fresh unless
# GHLOADER_TEST_STORE has no "%DB%".
new_store() {
  local template=${GHLOADER_TEST_STORE:-sqlite:$WORK/%DB%.db}
  local name="${RUN_ID}_$1"
  echo "${template//%DB%/${name//[^A-Za-z0-9_]/_}}"
}

is_sqlite_store() { [[ $1 == sqlite:* ]]; }

# sqlite_path STORE: the file of a sqlite: URI, without URI parameters.
sqlite_path() {
  local path=${1#sqlite:}
  echo "${path%%\?*}"
}

# ledger STORE SQL: runs a query on the store's SQLite file.
ledger() {
  sqlite3 -batch -noheader "$(sqlite_path "$1")" "$2"
}

# run_ghloader ARGS...: runs the binary; sets OUT, ERR and RC. A sanitizer
# report on stderr fails the test even where a non-zero exit is expected.
run_ghloader() {
  "$GHLOADER" "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  if grep -q -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$WORK/err"; then
    fail "sanitizer report from 'ghloader $*': $(grep -m1 -E "ERROR: |runtime error:" "$WORK/err")"
  fi
}

# load STORE ARGS...: `ghloader load --json` into STORE; sets OUT, ERR, RC.
load() {
  local store=$1
  shift
  run_ghloader load --store "$store" --json --progress never "$@"
}

# json_field JSON FIELD: prints one top-level field of a JSON object.
json_field() {
  python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

# same_json A B: succeeds when both texts are equal JSON values.
same_json() {
  python3 -c 'import json, sys; sys.exit(0 if json.loads(sys.argv[1]) == json.loads(sys.argv[2]) else 1)' \
    "$1" "$2" 2>/dev/null
}

# counts FIELD FILE...: one total of count_events.py summary (lines, events,
# rejected, distinct, duplicates) over the files, read in order.
counts() {
  local field=$1
  shift
  json_field "$(python3 "$TOOLS/count_events.py" summary "$@")" "$field"
}

# expect_query NAME STORE LOGIN FILE...: `query --json` must equal the
# independent count over the files.
expect_query() {
  local name=$1 store=$2 login=$3
  shift 3
  local expected
  expected=$(python3 "$TOOLS/count_events.py" query "$login" "$@")
  run_ghloader query "$login" --store "$store" --json
  if [[ $RC -ne 0 ]]; then
    fail "$name: query exited $RC: $ERR"
  elif same_json "$expected" "$OUT"; then
    pass "$name"
  else
    fail "$name: query printed $OUT but the raw files give $expected"
  fi
}

# top_logins COUNT FILE...: the logins with the most events in the files.
top_logins() {
  local count=$1
  shift
  python3 - "$count" "$@" <<'EOF'
import collections, os, sys
sys.path.insert(0, os.environ["TOOLS"])
import count_events
counts = count_events.Counts()
for path in sys.argv[2:]:
    counts.add_file(path)
logins = collections.Counter(f["login"] for f in counts.events_by_key.values() if f["login"])
for login, _ in logins.most_common(int(sys.argv[1])):
    print(login)
EOF
}
export TOOLS

# sample RELATIVE_PATH: the absolute path of a sample file.
sample() { echo "$GHARCHIVE_DATA/$1"; }

# lay_out DIR FILE...: links files into DIR under their own names.
lay_out() {
  local dir=$1
  shift
  mkdir -p "$dir"
  local file
  for file in "$@"; do ln -sf "$file" "$dir/$(basename "$file")"; done
}

# lay_out_as DIR NAME FILE: links FILE into DIR as NAME.
lay_out_as() {
  mkdir -p "$1"
  ln -sf "$3" "$1/$2"
}

# gzip_into DIR NAME FILE: writes FILE gzip-compressed into DIR as NAME, for
# plain samples served over HTTP (the HTTP source requests only .json.gz).
gzip_into() {
  mkdir -p "$1"
  gzip -c <"$3" >"$1/$2"
}

# start_server DIR: serves DIR on a free 127.0.0.1 port; sets SERVER_URL,
# SERVER_CONTROL (fault rules, JSON) and SERVER_LOG (one line per response).
start_server() {
  local dir=$1 name
  name=server$((${#SERVER_PIDS[@]} + 1))
  SERVER_CONTROL=$WORK/$name.faults.json
  SERVER_LOG=$WORK/$name.log
  echo '{"rules": []}' >"$SERVER_CONTROL"
  : >"$SERVER_LOG"
  python3 "$TOOLS/serve_fixtures.py" "$dir" --port-file "$WORK/$name.port" \
    --control-file "$SERVER_CONTROL" --log-file "$SERVER_LOG" >/dev/null 2>"$WORK/$name.err" &
  SERVER_PIDS+=($!)
  local _
  for _ in $(seq 100); do
    [[ -s $WORK/$name.port ]] && break
    sleep 0.1
  done
  if [[ ! -s $WORK/$name.port ]]; then
    fail "fixture server on $dir did not start: $(cat "$WORK/$name.err")"
    finish
  fi
  SERVER_URL="http://127.0.0.1:$(cat "$WORK/$name.port")"
}

# start_ferretdb: starts FerretDB with its data in $WORK/ferretdb on a free
# 127.0.0.1 port; sets FERRETDB_DIR and FERRETDB_PORT. cleanup stops it.
start_ferretdb() {
  FERRETDB_DIR=$WORK/ferretdb
  if ! FERRETDB_PORT=$("$TOOLS/ferretdb.sh" start "$FERRETDB_DIR"); then
    fail "FerretDB did not start (see the message above)"
    finish
  fi
}

# set_faults JSON: replaces the fault rules of the last server started.
set_faults() { echo "$1" >"$SERVER_CONTROL"; }

# requests_of PATH: how many responses the last server sent for PATH.
requests_of() { grep -c "^$1 " "$SERVER_LOG"; }
