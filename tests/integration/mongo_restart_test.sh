#!/usr/bin/env bash
# Kills FerretDB (SIGKILL) while `ghloader load` writes into it, starts it
# again on the same port with the same data, and checks that the load
# retries, resumes and finishes with exact counts: every event stored once,
# every line accounted for, every hour loaded. Also checks that a load
# started while the server is down waits for it and reports that, and that
# `ghloader serve` waits for the server at start-up and finishes an async
# task across a restart of the server.
source "$(dirname "$0")/serve_lib.sh"

start_ferretdb
port=$FERRETDB_PORT
store="mongodb://127.0.0.1:$port/${RUN_ID}"
inspect() { /usr/bin/python3 "$TOOLS/mongo_inspect.py" "$@"; }

# kill_and_restart_ferretdb STORE: once STORE has 3,000 events (a few
# batches), kills FerretDB, waits 4 s and starts it again on the same port
# with the same data. Sets stored_before_kill.
kill_and_restart_ferretdb() {
  local _
  stored_before_kill=0
  for _ in $(seq 600); do
    stored_before_kill=$(inspect count "$1" events 2>/dev/null || echo 0)
    [[ $stored_before_kill -ge 3000 ]] && break
    sleep 0.1
  done
  "$TOOLS/ferretdb.sh" kill "$FERRETDB_DIR"
  echo "killed FerretDB with $stored_before_kill events stored in $1"
  sleep 4
  if ! "$TOOLS/ferretdb.sh" start "$FERRETDB_DIR" "$port" >/dev/null; then
    fail "FerretDB did not restart on port $port"
    finish
  fi
}

FILES=(
  "$(sample nickderobertis--py-gh-archive/2015-01-01-1.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-4.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-5.json.gz)"
)
lay_out "$WORK/hours" "${FILES[@]}"
lines=$(counts lines "${FILES[@]}")
distinct=$(counts distinct "${FILES[@]}")

echo "== FerretDB killed and restarted during a load"
"$GHLOADER" load --from 2015-01-01T01 --to 2015-01-01T05 --source "$WORK/hours" \
  --store "$store" --jobs 2 --json --progress never >"$WORK/load.out" 2>"$WORK/load.err" &
load_pid=$!

kill_and_restart_ferretdb "$store"

wait "$load_pid"
rc=$?
OUT=$(cat "$WORK/load.out")
ERR=$(cat "$WORK/load.err")
expect_equal "load exits 0 after the restart" 0 "$rc"
expect_true "the server was killed mid-load" test "$stored_before_kill" -lt "$distinct"
expect_contains "the load logged the retries" "retrying in" "$ERR"
expect_equal "every hour loaded" 4 "$(json_field "$OUT" hours_loaded)"
expect_equal "no hour failed" 0 "$(json_field "$OUT" hours_failed)"
# A batch the server had partly stored when it died counts as duplicates
# in the retry (see MongoEventStore::WriteBatch), so the split between
# stored and duplicates may shift; their sum and the stored events are exact.
expect_equal "stored + duplicates = distinct events" "$distinct" \
  "$(($(json_field "$OUT" events_stored) + $(json_field "$OUT" duplicates)))"
expect_equal "stored + duplicates + rejected = lines" "$lines" \
  "$(($(json_field "$OUT" events_stored) + $(json_field "$OUT" duplicates) + $(json_field "$OUT" lines_rejected)))"
expect_equal "events collection holds each event once" "$distinct" "$(inspect count "$store" events)"
ledger=$(inspect ledger "$store")
expect_equal "ledger: loaded hours" 4 "$(json_field "$ledger" loaded)"
expect_equal "ledger: lines" "$lines" "$(json_field "$ledger" lines)"
expect_equal "ledger: stored + duplicates = distinct events" "$distinct" \
  "$(($(json_field "$ledger" events_stored) + $(json_field "$ledger" duplicates)))"

echo "== a load started while the server is down waits for it"
"$TOOLS/ferretdb.sh" stop "$FERRETDB_DIR"
"$GHLOADER" load --from 2015-01-01T01 --to 2015-01-01T05 --source "$WORK/hours" \
  --store "$store" --force --json --progress never >"$WORK/late.out" 2>"$WORK/late.err" &
load_pid=$!
# Longer than the driver's server selection timeout (5 s), so that the first
# attempt fails and the load reports it.
sleep 8
"$TOOLS/ferretdb.sh" start "$FERRETDB_DIR" "$port" >/dev/null
wait "$load_pid"
rc=$?
OUT=$(cat "$WORK/late.out")
ERR=$(cat "$WORK/late.err")
expect_equal "late load exits 0" 0 "$rc"
expect_contains "late load says the server is not reachable" "is not reachable" "$ERR"
expect_contains "late load names the server" "127.0.0.1:$port" "$ERR"
expect_equal "late load finds every event stored" "$distinct" "$(json_field "$OUT" duplicates)"
expect_equal "late load stores nothing new" 0 "$(json_field "$OUT" events_stored)"

echo "== the service waits for the server at start-up and across a restart"
"$TOOLS/ferretdb.sh" stop "$FERRETDB_DIR"
STORE="mongodb://127.0.0.1:$port/${RUN_ID}_service"
MIRROR=$WORK/hours
start_fixture_server
# Slow enough that the server can be killed while the task loads.
set_faults '{"rules": [{"path": "*", "bytes_per_second": 3000000}]}'
(sleep 8 && "$TOOLS/ferretdb.sh" start "$FERRETDB_DIR" "$port" >/dev/null) &
starter=$!
start_serve
wait "$starter"
expect_contains "the service says the server is not reachable" "is not reachable" "$(cat "$WORK/serve.log")"
expect_contains "the service log names the server" "127.0.0.1:$port" "$(cat "$WORK/serve.log")"

task_id=$(json_field "$(client async-load 2015-01-01T01 2015-01-01T05 --json)" task_id)
kill_and_restart_ferretdb "$STORE"
set_faults '{"rules": []}'
final=$(wait_for_task "$task_id" 300)
expect_equal "the task completes after the restart" completed "$(json_field "$final" status)"
expect_true "the server was killed mid-task" test "$stored_before_kill" -lt "$distinct"
expect_equal "the task's hours are all done" 5 "$(json_field "$final" urls_done)"
expect_equal "the task inserted + duplicates = distinct events" "$distinct" \
  "$(($(json_field "$final" inserted) + $(json_field "$final" duplicates)))"
expect_equal "the service stored each event once" "$distinct" "$(inspect count "$STORE" events)"
expect_contains "the service logged the retries" "retrying in" "$(cat "$WORK/serve.log")"
kill -TERM "$SERVE_PID"

echo "== a server that stays down fails the load with a clear message"
"$TOOLS/ferretdb.sh" stop "$FERRETDB_DIR"
run_ghloader query someone --store "mongodb://127.0.0.1:$port/${RUN_ID}?serverSelectionTimeoutMS=200"
expect_equal "query exits 1 while the server is down" 1 "$RC"
expect_contains "query names the server" "mongodb://127.0.0.1:$port/${RUN_ID}" "$ERR"
expect_contains "query says it is not reachable" "not reachable" "$ERR"

finish
