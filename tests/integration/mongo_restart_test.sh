#!/usr/bin/env bash
# Kills FerretDB (SIGKILL) while `ghloader load` writes into it, starts it
# again on the same port with the same data, and checks that the load
# retries, resumes and finishes with exact counts: every event stored once,
# every line accounted for, every hour loaded. Also checks that a load
# started while the server is down waits for it and says so.
source "$(dirname "$0")/lib.sh"

FERRETDB_DIR=$WORK/ferretdb
restart_cleanup() {
  "$TOOLS/ferretdb.sh" stop "$FERRETDB_DIR"
  cleanup
}
trap restart_cleanup EXIT

if ! port=$("$TOOLS/ferretdb.sh" start "$FERRETDB_DIR"); then
  fail "FerretDB did not start (see the message above)"
  finish
fi
store="mongodb://127.0.0.1:$port/${RUN_ID}"
inspect() { /usr/bin/python3 "$TOOLS/mongo_inspect.py" "$@"; }

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

# Kill the server once a few batches are in.
stored_before_kill=0
for _ in $(seq 600); do
  stored_before_kill=$(inspect count "$store" events 2>/dev/null || echo 0)
  [[ $stored_before_kill -ge 3000 ]] && break
  sleep 0.1
done
"$TOOLS/ferretdb.sh" kill "$FERRETDB_DIR"
echo "killed FerretDB with $stored_before_kill events stored"
sleep 4
if ! "$TOOLS/ferretdb.sh" start "$FERRETDB_DIR" "$port" >/dev/null; then
  fail "FerretDB did not restart on port $port"
  finish
fi

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

echo "== a server that stays down fails the load with a clear message"
"$TOOLS/ferretdb.sh" stop "$FERRETDB_DIR"
run_ghloader query someone --store "mongodb://127.0.0.1:$port/${RUN_ID}?serverSelectionTimeoutMS=200"
expect_true "query fails while the server is down" test "$RC" -ne 0
expect_contains "query names the server" "mongodb://127.0.0.1:$port/${RUN_ID}" "$ERR"
expect_contains "query says it is not reachable" "not reachable" "$ERR"

finish
