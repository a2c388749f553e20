# Helpers for the gRPC service tests (sourced, not run), on top of lib.sh: a
# mirror of real sample hours served on 127.0.0.1, `ghloader serve` on a free
# 127.0.0.1 port with one store for the whole script, and the client.
#
# Environment: as lib.sh. The service's store is new_store("service"), so
# GHLOADER_TEST_STORE with "%DB%" gives each script a fresh database.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STORE=$(new_store service)
SERVICE_PIDS=()
SANITIZER_LOGS+=("$WORK/serve.log")

# Kills the services with SIGKILL (a test may have left one stopping) and
# shows the end of the service log when something failed.
cleanup_service() {
  local pid
  for pid in "${SERVICE_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  if [[ $FAILED -gt 0 && -f $WORK/serve.log ]]; then
    echo "--- last lines of the service log"
    tail -n 40 "$WORK/serve.log"
  fi
  cleanup
}
trap cleanup_service EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Lays out sample hours under their archive names in $MIRROR.
make_mirror() {
  MIRROR=$WORK/mirror
  lay_out "$MIRROR" \
    "$(sample nickderobertis--py-gh-archive/2015-01-01-1.json.gz)" \
    "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)" \
    "$(sample intersimone999--gh-archive/2015-01-01-4.json.gz)" \
    "$(sample intersimone999--gh-archive/2015-01-01-5.json.gz)" \
    "$(sample intersimone999--gh-archive/corrupt/2015-01-01-11.json.gz)" \
    "$(sample Yousign--backend-review-test/2015-01-01-15.json.gz)" \
    "$(sample nickderobertis--py-gh-archive/2012-06-14-15.json.gz)" \
    "$(sample arfon--gh_archive_parser/2014-02-15-0.json.gz)"
}

# Serves $MIRROR on a free port (lib.sh start_server); the tests set fault
# rules with set_faults and read responses from $SERVER_LOG.
start_fixture_server() { start_server "$MIRROR"; }

# start_serve [EXTRA FLAGS...]: starts ghloader serve, waits until SERVING.
start_serve() {
  SERVE_PORT=${SERVE_PORT:-$(free_port)}
  "$GHLOADER" serve --listen "127.0.0.1:$SERVE_PORT" --source "$SERVER_URL" --store "$STORE" \
    --jobs 2 --lease-seconds 5 "$@" >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  SERVICE_PIDS+=("$SERVE_PID")
  disown "$SERVE_PID"
  local _
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
  local status="" _
  for _ in $(seq $((${2:-120} * 5))); do
    status=$(client status "$1" --json 2>/dev/null)
    case $(json_field "$status" status 2>/dev/null) in
      completed | failed | cancelled) break ;;
    esac
    sleep 0.2
  done
  echo "$status"
}

# expected_query LOGIN FILE...: the JSON `client query --json` should print.
expected_query() {
  python3 "$TOOLS/count_events.py" query "$@"
}
