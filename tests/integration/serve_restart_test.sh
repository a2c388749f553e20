#!/usr/bin/env bash
# Tasks survive the service: kill -9 in the middle of an async task, restart,
# and the task completes with exact counts and no duplicate events; SIGTERM
# stops the service gracefully and the task resumes after a restart.
source "$(dirname "$0")/serve_lib.sh"

make_mirror
rm "$MIRROR/2015-01-01-11.json.gz"  # Only intact hours here.
start_fixture_server
start_serve
present=("$MIRROR"/2015-01-01-{1,3,4,5,15}.json.gz)
expected=$(counts distinct "${present[@]}")

# Slow transfers keep hours in flight long enough to kill the service
# while it is writing their events.
set_faults '{"rules": [{"path": "*", "bytes_per_second": 1500000}]}'
task_id=$(client async-load 2015-01-01T00 2015-01-01T15)
for _ in $(seq 100); do
  done_hours=$(json_field "$(client status "$task_id" --json)" urls_done)
  [[ $done_hours -ge 4 ]] && break
  sleep 0.1
done
if is_sqlite_store "$STORE"; then
  stored_before_kill=$(sqlite3 "$(sqlite_path "$STORE")" "SELECT COUNT(*) FROM events")
  echo "events stored before kill -9: $stored_before_kill"
fi
kill -9 "$SERVE_PID"
sleep 0.5

set_faults '{"rules": []}'
start_serve
final=$(wait_for_task "$task_id" 120)
expect_equal "task resumed after kill -9 completes" completed "$(json_field "$final" status)"
expect_equal "resumed task has every hour done" 16 "$(json_field "$final" urls_done)"
expect_equal "resumed task inserted exactly the distinct events" "$expected" "$(json_field "$final" inserted)"
expect_equal "resumed task counts the missing hours" 11 "$(json_field "$final" hours_missing)"
if is_sqlite_store "$STORE"; then
  expect_equal "the store holds each event once" "$expected" \
    "$(sqlite3 "$(sqlite_path "$STORE")" "SELECT COUNT(*) FROM events")"
  expect_equal "no hour is left loading" 0 \
    "$(sqlite3 "$(sqlite_path "$STORE")" "SELECT COUNT(*) FROM hours WHERE state = 'loading'")"
  expect_equal "the ledger's event counts add up" "$expected" \
    "$(sqlite3 "$(sqlite_path "$STORE")" "SELECT SUM(events_stored) FROM hours")"
fi
expected_user=$(expected_query KenanSulayman "${present[@]}")
if same_json "$expected_user" "$(client query KenanSulayman --json)"; then
  pass "queries after the restart equal the independent count"
else
  fail "queries after the restart differ from the independent count"
fi

# SIGTERM: the service stops within the grace period and exits 0; the task
# stays unfinished and completes after a restart.
set_faults '{"rules": [{"path": "*", "bytes_per_second": 1500000}]}'
forced_id=$(client async-load 2015-01-01T01 2015-01-01T05 --force)
sleep 1
kill -TERM "$SERVE_PID"
stopped=no
for _ in $(seq 100); do
  if ! kill -0 "$SERVE_PID" 2>/dev/null; then stopped=yes; break; fi
  sleep 0.1
done
expect_equal "SIGTERM stops the service within 10 s" yes "$stopped"
expect_contains "the service logs its stop" "stopped" "$(tail -n 3 "$WORK/serve.log")"
status=$(json_field "$(client status "$forced_id" --json 2>/dev/null || echo '{"status": "unreachable"}')" status)
expect_equal "the service no longer answers" unreachable "$status"

set_faults '{"rules": []}'
start_serve
final=$(wait_for_task "$forced_id" 120)
expect_equal "task interrupted by SIGTERM completes after a restart" completed "$(json_field "$final" status)"
expect_equal "a forced reload after restart inserts nothing" 0 "$(json_field "$final" inserted)"
expect_equal "a forced reload after restart counts every event as duplicate" \
  "$(counts distinct "$MIRROR"/2015-01-01-{1,3,4,5}.json.gz)" "$(json_field "$final" duplicates)"

finish
