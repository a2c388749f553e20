# Helpers for the gRPC service tests (sourced, not run): a work directory, a
# mirror of real sample hours served by tests/tools/serve_fixtures.py on
# 127.0.0.1, `ghloader serve` on a free 127.0.0.1 port, and pass/fail counts.
#
# Environment: GHLOADER (the binary), GHARCHIVE_DATA (the samples),
# GHLOADER_TEST_TOOLS (tests/tools), GHLOADER_TEST_STORE (optional store URI;
# "%DB%" in it is replaced by a name unique to this run; default a fresh
# SQLite file).
set -uo pipefail

: "${GHLOADER:?set GHLOADER to the ghloader binary}"
: "${GHARCHIVE_DATA:?set GHARCHIVE_DATA to the GH Archive samples folder}"
TOOLS=${GHLOADER_TEST_TOOLS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)}
WORK=$(mktemp -d)
PASSED=0
FAILED=0
BACKGROUND_PIDS=()

cleanup() {
  for pid in "${BACKGROUND_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  if [[ $FAILED -gt 0 && -f $WORK/serve.log ]]; then
    echo "--- last lines of the service log"
    tail -n 40 "$WORK/serve.log"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

run_id="$(basename "$0" .sh)_$$"
STORE=${GHLOADER_TEST_STORE:-sqlite:$WORK/store.db}
STORE=${STORE//%DB%/$run_id}

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
  if [[ "$3" == *"$2"* ]]; then pass "$1"; else fail "$1: '$2' not in '$3'"; fi
}

finish() {
  # Sanitizer builds report into the service log without always stopping it.
  if [[ -f $WORK/serve.log ]] && grep -q -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/serve.log"; then
    fail "the service log has sanitizer reports"
    grep -E -A 20 "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORK/serve.log" | head -n 60
  fi
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
  exit
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# json_field JSON FIELD: prints one top-level field of a JSON object.
json_field() {
  python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

is_sqlite_store() { [[ $STORE == sqlite:* ]]; }

sqlite_path() {
  local path=${STORE#sqlite:}
  echo "${path%%\?*}"
}

# Lays out sample hours under their archive names in $WORK/mirror.
make_mirror() {
  MIRROR=$WORK/mirror
  mkdir -p "$MIRROR"
  local file
  for file in \
    nickderobertis--py-gh-archive/2015-01-01-1.json.gz \
    intersimone999--gh-archive/2015-01-01-3.json.gz \
    intersimone999--gh-archive/2015-01-01-4.json.gz \
    intersimone999--gh-archive/2015-01-01-5.json.gz \
    intersimone999--gh-archive/corrupt/2015-01-01-11.json.gz \
    Yousign--backend-review-test/2015-01-01-15.json.gz \
    nickderobertis--py-gh-archive/2012-06-14-15.json.gz \
    arfon--gh_archive_parser/2014-02-15-0.json.gz; do
    ln -s "$GHARCHIVE_DATA/$file" "$MIRROR/"
  done
}

# Starts the fixture server on $MIRROR; faults go in $FAULTS (JSON).
start_fixture_server() {
  FAULTS=$WORK/faults.json
  echo '{"rules": []}' > "$FAULTS"
  python3 "$TOOLS/serve_fixtures.py" "$MIRROR" --port-file "$WORK/fixture.port" \
    --control-file "$FAULTS" --log-file "$WORK/fixture.log" >/dev/null 2>&1 &
  BACKGROUND_PIDS+=($!)
  disown $!
  for _ in $(seq 100); do
    [[ -s $WORK/fixture.port ]] && break
    sleep 0.1
  done
  if [[ ! -s $WORK/fixture.port ]]; then
    fail "the fixture server did not start (tests/tools/serve_fixtures.py)"
    finish
  fi
  FIXTURE_URL="http://127.0.0.1:$(cat "$WORK/fixture.port")"
}

# start_serve [EXTRA FLAGS...]: starts ghloader serve, waits until SERVING.
start_serve() {
  SERVE_PORT=${SERVE_PORT:-$(free_port)}
  "$GHLOADER" serve --listen "127.0.0.1:$SERVE_PORT" --source "$FIXTURE_URL" --store "$STORE" \
    --jobs 2 --lease-seconds 5 "$@" >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  BACKGROUND_PIDS+=("$SERVE_PID")
  disown "$SERVE_PID"
  for _ in $(seq 150); do
    if client health >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "ghloader serve did not become healthy on port $SERVE_PORT"
  finish
}

client() {
  "$GHLOADER" client --server "127.0.0.1:$SERVE_PORT" "$@"
}

# wait_for_task ID [SECONDS]: polls until the task ends; prints its JSON status.
wait_for_task() {
  local status=""
  for _ in $(seq $((${2:-120} * 5))); do
    status=$(client status "$1" --json 2>/dev/null)
    case $(json_field "$status" status 2>/dev/null) in
      completed | failed | cancelled) break ;;
    esac
    sleep 0.2
  done
  echo "$status"
}

# expected_distinct FILE...: distinct events in the files, per count_events.py.
expected_distinct() {
  json_field "$(python3 "$TOOLS/count_events.py" summary "$@")" distinct
}

# expected_query LOGIN FILE...: the JSON `query --json` should print.
expected_query() {
  python3 "$TOOLS/count_events.py" query "$@"
}

same_json() {
  python3 -c 'import json, sys; sys.exit(0 if json.loads(sys.argv[1]) == json.loads(sys.argv[2]) else 1)' "$1" "$2"
}
