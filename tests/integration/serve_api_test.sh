#!/usr/bin/env bash
# The gRPC API end to end on loopback: health and reflection, sync and async
# loads of real samples served over HTTP, task status, watch, list and
# cancel, QueryUser against an independent count, and the status code of
# every kind of bad request.
source "$(dirname "$0")/serve_lib.sh"

if is_sqlite_store "$STORE"; then
  # Lets the store-down check below see UNAVAILABLE after 2 s, not 30 s.
  STORE="$STORE?busy_timeout_ms=2000"
fi
make_mirror
start_fixture_server
start_serve
address="127.0.0.1:$SERVE_PORT"

# Standard health checking and reflection.
expect_equal "health check reports SERVING" "SERVING" "$(/usr/bin/python3 "$TOOLS/grpc_probe.py" health "$address")"
expect_equal "client health reports SERVING" "SERVING" "$(client health)"
expect_contains "reflection lists MongoLoader" "listed" \
  "$(/usr/bin/python3 "$TOOLS/grpc_probe.py" reflection "$address" agent.MongoLoader)"
expect_contains "reflection lists the health service" "listed" \
  "$(/usr/bin/python3 "$TOOLS/grpc_probe.py" reflection "$address" grpc.health.v1.Health)"

# LoadRange: five hours, one of them absent from the archive.
response=$(client load 2015-01-01T01 2015-01-01T05 --json)
expect_equal "LoadRange succeeds" 0 $?
expected=$(counts distinct "$MIRROR"/2015-01-01-{1,3,4,5}.json.gz)
expect_equal "LoadRange inserted_count equals the distinct events" "$expected" "$(json_field "$response" inserted_count)"
status=$(python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])["status"]))' "$response")
expect_equal "LoadRange task completed" completed "$(json_field "$status" status)"
expect_equal "LoadRange urls_total" 5 "$(json_field "$status" urls_total)"
expect_equal "LoadRange urls_done" 5 "$(json_field "$status" urls_done)"
expect_equal "LoadRange hours_missing" 1 "$(json_field "$status" hours_missing)"

# AsyncLoadRange over a day with a corrupt hour file: the task fails, with
# every other hour done and the corrupt one named.
async=$(client async-load 2015-01-01 2015-01-01 --json)
task_id=$(json_field "$async" task_id)
expect_equal "AsyncLoadRange returns the leader address" "$address" "$(json_field "$async" leader_address)"
final=$(wait_for_task "$task_id")
expect_equal "day task ends failed" failed "$(json_field "$final" status)"
expect_equal "day task urls_total" 24 "$(json_field "$final" urls_total)"
expect_equal "day task urls_done" 24 "$(json_field "$final" urls_done)"
expect_equal "day task hours_failed" 1 "$(json_field "$final" hours_failed)"
expect_equal "day task hours_missing" 18 "$(json_field "$final" hours_missing)"
expect_equal "day task inserted only the new hour" "$(counts distinct "$MIRROR/2015-01-01-15.json.gz")" \
  "$(json_field "$final" inserted)"
expect_contains "day task error names the corrupt hour" "2015-01-01-11" "$(json_field "$final" error)"
expect_contains "day task error says why" "not a gzip file" "$(json_field "$final" error)"

# Timeline-format hours, then QueryUser against the independent count.
client load 2012-06-14T15 2012-06-14T15 >/dev/null
expect_equal "LoadRange of a 2012 timeline hour succeeds" 0 $?
client load 2014-02-15T00 2014-02-15T00 >/dev/null
expect_equal "LoadRange of a 2014 timeline hour succeeds" 0 $?
loaded_files=("$MIRROR"/2015-01-01-{1,3,4,5,15}.json.gz "$MIRROR/2012-06-14-15.json.gz" "$MIRROR/2014-02-15-0.json.gz")
for login in techradical s4l1h mirror-updates jessemillar KenanSulayman; do
  expected=$(expected_query "$login" "${loaded_files[@]}")
  actual=$(client query "$login" --json)
  if same_json "$expected" "$actual"; then pass "QueryUser $login equals the independent count"; else
    fail "QueryUser $login: expected $expected, got $actual"; fi
done
upper=$(client query MIRROR-UPDATES --json)
expect_equal "QueryUser matches logins case-insensitively" "$(client query mirror-updates --json)" "$upper"
expect_equal "QueryUser of an unknown login is empty" '{"events":[],"events_by_ym":[],"pushed_to":[]}' \
  "$(client query no-such-user-xyz --json)"

# Bad requests and their status codes.
message=$(client load 2015-13-01 2015-01-01 2>&1)
expect_equal "malformed start_date exits 2" 2 $?
expect_contains "malformed start_date is INVALID_ARGUMENT" "INVALID_ARGUMENT" "$message"
expect_contains "malformed start_date names the value" "start_date value '2015-13-01'" "$message"
message=$(client async-load 2015-01-01 2015-01-0x 2>&1)
expect_contains "malformed end_date is INVALID_ARGUMENT" "INVALID_ARGUMENT: invalid end_date value '2015-01-0x'" "$message"
message=$(client load 2015-01-02 2015-01-01 2>&1)
expect_contains "start after end is INVALID_ARGUMENT" "INVALID_ARGUMENT: start_date 2015-01-02 is after end_date 2015-01-01" "$message"
message=$(client load 2010-01-01 2010-01-02 2>&1)
expect_contains "a range before the archive is INVALID_ARGUMENT" "INVALID_ARGUMENT" "$message"
message=$(client load 2015-01-01 2099-01-01 2>&1)
expect_contains "a range in the future is INVALID_ARGUMENT" "reaches into the future" "$message"
message=$(client status no-such-task 2>&1)
expect_equal "unknown task exits 1" 1 $?
expect_contains "unknown task is NOT_FOUND" "NOT_FOUND: task 'no-such-task' not found" "$message"
message=$(client status "" 2>&1)
expect_contains "empty task id is INVALID_ARGUMENT" "INVALID_ARGUMENT: task_id is empty" "$message"
message=$(client cancel no-such-task 2>&1)
expect_contains "cancel of an unknown task is NOT_FOUND" "NOT_FOUND" "$message"
message=$(client watch no-such-task 2>&1)
expect_contains "watch of an unknown task is NOT_FOUND" "NOT_FOUND" "$message"
message=$(client query "" 2>&1)
expect_contains "empty username is INVALID_ARGUMENT" "INVALID_ARGUMENT: username is empty" "$message"
message=$(client query "   " 2>&1)
expect_contains "blank username is INVALID_ARGUMENT" "INVALID_ARGUMENT" "$message"
message=$(client tasks --limit 5000 2>&1)
expect_contains "ListTasks limit out of range is INVALID_ARGUMENT" "INVALID_ARGUMENT: limit 5000" "$message"
message=$("$GHLOADER" client --server 127.0.0.1:1 status x 2>&1)
expect_contains "no server is UNAVAILABLE" "UNAVAILABLE" "$message"

if is_sqlite_store "$STORE"; then
  # Another process holds the write lock longer than the busy timeout.
  python3 -c '
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(6)
' "$(sqlite_path "$STORE")" "$WORK/locked" &
  locker=$!
  for _ in $(seq 50); do [[ -f $WORK/locked ]] && break; sleep 0.1; done
  message=$(client async-load 2015-01-02 2015-01-02 2>&1)
  expect_contains "a store that is down is UNAVAILABLE" "UNAVAILABLE" "$message"
  wait "$locker"
  expect_equal "the service answers again once the store is back" "SERVING" "$(client health)"
fi

# A client deadline cancels the load it started.
set_faults '{"rules": [{"path": "/2014-02-15-0.json.gz", "delay_seconds": 4}]}'
message=$(client --timeout 1 load 2014-02-15T00 2014-02-15T00 --force 2>&1)
expect_contains "an expired client deadline is DEADLINE_EXCEEDED" "DEADLINE_EXCEEDED" "$message"
expect_contains "the client says the task is cancelled" "cancels the load's task" "$message"
deadline_task=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])[0]["task_id"])' "$(client tasks --json)")
expect_equal "the deadline cancelled its task" cancelled "$(json_field "$(wait_for_task "$deadline_task" 30)" status)"

# CancelTask stops a running task.
set_faults '{"rules": [{"path": "*", "delay_seconds": 2}]}'
cancel_id=$(client async-load 2015-01-01T01 2015-01-01T05 --force)
sleep 0.5
cancel_output=$(client cancel "$cancel_id")
expect_equal "CancelTask succeeds" 0 $?
expect_contains "cancel says the request is on its way" "cancel requested" "$cancel_output"
expect_equal "the cancelled task ends cancelled" cancelled "$(json_field "$(wait_for_task "$cancel_id" 30)" status)"
set_faults '{"rules": []}'

# WatchTask streams until the task ends.
watch_id=$(client async-load 2015-01-01T03 2015-01-01T05 --force)
updates=$(client watch "$watch_id" --json)
expect_equal "WatchTask exits 0 for a completed task" 0 $?
last=$(tail -n 1 <<<"$updates")
expect_equal "WatchTask ends with the completed state" completed "$(json_field "$last" status)"
expect_equal "WatchTask's last update has every hour done" 3 "$(json_field "$last" urls_done)"
expect_equal "a forced reload inserts nothing new" 0 "$(json_field "$last" inserted)"
expect_equal "a forced reload counts duplicates" "$(counts distinct "$MIRROR"/2015-01-01-{3,4,5}.json.gz)" \
  "$(json_field "$last" duplicates)"

# ListTasks shows every task, newest first.
tasks=$(client tasks --json --limit 100)
count=$(python3 -c 'import json, sys; print(len(json.loads(sys.argv[1])))' "$tasks")
expect_equal "ListTasks lists all tasks" 7 "$count"
newest=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])[0]["task_id"])' "$tasks")
expect_equal "ListTasks puts the newest first" "$watch_id" "$newest"

finish
