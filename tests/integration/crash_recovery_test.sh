#!/usr/bin/env bash
# Kills `ghloader load` with SIGKILL while it loads several hours over HTTP,
# then runs it again. Hours in flight stay reserved until their lease
# expires, no hour is ever marked loaded without all its events, and the
# final totals are exact with no duplicates.
source "$(dirname "$0")/lib.sh"

LEASE_SECONDS=5
DAY_FILES=(
  "$(sample nickderobertis--py-gh-archive/2015-01-01-1.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-4.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-5.json.gz)"
  "$(sample Yousign--backend-review-test/2015-01-01-15.json.gz)"
)
lay_out "$WORK/mirror" "${DAY_FILES[@]}"
start_server "$WORK/mirror"

day_lines=$(counts lines "${DAY_FILES[@]}")
day_distinct=$(counts distinct "${DAY_FILES[@]}")
day_rejected=$(counts rejected "${DAY_FILES[@]}")
store=$(new_store crash)

# utc_hour_bounds STEM: Unix seconds of the start and end of a 2015 hour.
# A 2015 hour file contains exactly the events created in that UTC hour.
utc_hour_bounds() {
  python3 -c '
import calendar, sys
day, hour = sys.argv[1].rsplit("-", 1)
year, month, mday = (int(part) for part in day.split("-"))
start = calendar.timegm((year, month, mday, int(hour), 0, 0))
print(start, start + 3599)' "$1"
}

# check_loaded_hours_are_complete WHEN: every hour the ledger marks loaded
# has all its lines accounted for and all its events stored.
check_loaded_hours_are_complete() {
  local when=$1 file hour state bounds
  for file in "${DAY_FILES[@]}"; do
    hour=$(basename "$file" .json.gz)
    state=$(ledger "$store" "SELECT state FROM hours WHERE hour = '$hour'")
    [[ $state == loaded ]] || continue
    expect_equal "$when: loaded $hour has all its lines" "$(counts lines "$file")" \
      "$(ledger "$store" "SELECT lines FROM hours WHERE hour = '$hour'")"
    expect_equal "$when: loaded $hour: stored + duplicates + rejected = lines" "$(counts lines "$file")" \
      "$(ledger "$store" "SELECT events_stored + duplicates + lines_rejected FROM hours WHERE hour = '$hour'")"
    read -r start end < <(utc_hour_bounds "$hour")
    expect_equal "$when: loaded $hour has all its events in the store" "$(counts distinct "$file")" \
      "$(ledger "$store" "SELECT COUNT(*) FROM events WHERE created_at BETWEEN $start AND $end")"
  done
}

echo "== kill -9 in the middle of a load"
# About 0.7 MB/s per download makes each hour take a few seconds.
set_faults '{"rules": [{"path": "*", "bytes_per_second": 700000}]}'
"$GHLOADER" load --from 2015-01-01T01 --to 2015-01-01T15 --source "$SERVER_URL" --store "$store" \
  --jobs 2 --lease-seconds "$LEASE_SECONDS" --progress never --json >"$WORK/killed.out" 2>"$WORK/killed.err" &
loader_pid=$!

if is_sqlite_store "$store"; then
  # Kill once one hour is loaded and another has stored part of its events.
  for _ in $(seq 300); do
    loaded=$(sqlite3 -cmd ".timeout 2000" "$(sqlite_path "$store")" \
      "SELECT COUNT(*) FROM hours WHERE state = 'loaded'" 2>/dev/null)
    in_flight=$(sqlite3 -cmd ".timeout 2000" "$(sqlite_path "$store")" \
      "SELECT COUNT(*) FROM hours WHERE state = 'loading' AND events_stored > 0" 2>/dev/null)
    [[ ${loaded:-0} -ge 1 && ${in_flight:-0} -ge 1 ]] && break
    sleep 0.1
  done
else
  sleep 4
fi
kill -9 "$loader_pid"
wait "$loader_pid" 2>/dev/null
expect_equal "the loader was killed" "" "$(cat "$WORK/killed.out")"

if is_sqlite_store "$store"; then
  loaded_after_kill=$(ledger "$store" "SELECT COUNT(*) FROM hours WHERE state = 'loaded'")
  loading_after_kill=$(ledger "$store" "SELECT COUNT(*) FROM hours WHERE state = 'loading'")
  expect_true "the kill came after some hours loaded" test "$loaded_after_kill" -ge 1
  expect_true "the kill came while hours were in flight" test "$loading_after_kill" -ge 1
  expect_true "the kill came before every hour loaded" test "$loaded_after_kill" -lt 5
  check_loaded_hours_are_complete "after the kill"
  for hour in $(ledger "$store" "SELECT hour FROM hours WHERE state = 'loading'"); do
    file=$(printf '%s\n' "${DAY_FILES[@]}" | grep "/$hour.json.gz")
    read -r start end < <(utc_hour_bounds "$hour")
    stored=$(ledger "$store" "SELECT COUNT(*) FROM events WHERE created_at BETWEEN $start AND $end")
    expect_true "hour $hour in flight was cut short ($stored events stored)" \
      test "$stored" -lt "$(counts distinct "$file")"
    expect_equal "hour $hour in flight counts what it stored" "$stored" \
      "$(ledger "$store" "SELECT events_stored FROM hours WHERE hour = '$hour'")"
  done
fi

echo "== a run while the leases are live leaves the hours in flight alone"
set_faults '{"rules": []}'
load "$store" --from 2015-01-01T01 --to 2015-01-01T15 --source "$SERVER_URL" --jobs 2 \
  --lease-seconds "$LEASE_SECONDS"
held=$(python3 -c '
import json, sys
failures = json.loads(sys.argv[1])["failures"]
print(sum(1 for f in failures if "is being loaded by" in f["error"]), len(failures))' "$OUT")
read -r held_count failure_count <<<"$held"
expect_equal "every failure is an hour held by the killed loader" "$failure_count" "$held_count"
if [[ $failure_count -gt 0 ]]; then
  expect_equal "held hours make the run exit 1" 1 "$RC"
  expect_contains "the message says when to run again" "run the load again after that" "$OUT"
else
  echo "note: the leases had expired before the second run claimed the hours"
  expect_equal "second run exits 0" 0 "$RC"
fi
if is_sqlite_store "$store"; then
  check_loaded_hours_are_complete "after the second run"
fi

echo "== after the leases expire, a run completes the range exactly"
sleep $((LEASE_SECONDS + 1))
load "$store" --from 2015-01-01T01 --to 2015-01-01T15 --source "$SERVER_URL" --jobs 2 \
  --lease-seconds "$LEASE_SECONDS"
expect_equal "final run exits 0" 0 "$RC"
expect_equal "final run leaves no hour failed" 0 "$(json_field "$OUT" hours_failed)"
expect_equal "every hour is loaded or skipped" 5 \
  "$(($(json_field "$OUT" hours_loaded) + $(json_field "$OUT" hours_skipped)))"

if is_sqlite_store "$store"; then
  expect_equal "all five hours are loaded" 5 "$(ledger "$store" "SELECT COUNT(*) FROM hours WHERE state = 'loaded'")"
  expect_equal "the store holds each event once" "$day_distinct" "$(ledger "$store" "SELECT COUNT(*) FROM events")"
  expect_equal "ledger: events stored add up to the rows in events" "$day_distinct" \
    "$(ledger "$store" "SELECT SUM(events_stored) FROM hours")"
  expect_equal "ledger: stored + duplicates + rejected = lines" "$day_lines" \
    "$(ledger "$store" "SELECT SUM(events_stored + duplicates + lines_rejected) FROM hours WHERE state = 'loaded'")"
  expect_equal "ledger: no duplicates were counted" 0 "$(ledger "$store" "SELECT SUM(duplicates) FROM hours")"
  expect_equal "ledger: no leases are left" 0 \
    "$(ledger "$store" "SELECT COUNT(*) FROM hours WHERE lease_owner IS NOT NULL")"
  check_loaded_hours_are_complete "at the end"
fi

mapfile -t users < <(top_logins 2 "${DAY_FILES[@]}")
for login in "${users[@]}"; do
  expect_query "query $login after the crash" "$store" "$login" "${DAY_FILES[@]}"
done

load "$store" --from 2015-01-01T01 --to 2015-01-01T15 --source "$SERVER_URL" --force --jobs 2
expect_equal "forced reload stores nothing new" 0 "$(json_field "$OUT" events_stored)"
expect_equal "forced reload finds every event once" "$((day_lines - day_rejected))" "$(json_field "$OUT" duplicates)"

finish
