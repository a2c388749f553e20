#!/usr/bin/env bash
# Loads real GH Archive samples over HTTP from tests/tools/serve_fixtures.py on
# 127.0.0.1, with injected faults: HTTP 5xx, a connection dropped mid-body, a
# slow response, HTTP 404 and 403, and a closed port.
source "$(dirname "$0")/lib.sh"

DAY_FILES=(
  "$(sample nickderobertis--py-gh-archive/2015-01-01-1.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-4.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-5.json.gz)"
  "$(sample Yousign--backend-review-test/2015-01-01-15.json.gz)"
)
OLD_FILES=(
  "$(sample arfon--gh_archive_parser/2011-02-15-0.json.gz)"
  "$(sample nickderobertis--py-gh-archive/2012-06-14-15.json.gz)"
)
mapfile -t DAY2_FILES < <(ls "$GHARCHIVE_DATA"/Kocal--yousign-backend-review-test/2024-10-07-*.json.gz)
MIRROR=$WORK/mirror
lay_out "$MIRROR" "${DAY_FILES[@]}" "${OLD_FILES[@]}" "${DAY2_FILES[@]}"
gzip_into "$MIRROR" 2016-01-01-0.json.gz "$FIXTURES/hours/2016-01-01-0.json"
start_server "$MIRROR"

day_lines=$(counts lines "${DAY_FILES[@]}")
day_distinct=$(counts distinct "${DAY_FILES[@]}")
day_rejected=$(counts rejected "${DAY_FILES[@]}")

echo "== a day over HTTP while the server fails, drops and stalls"
set_faults '{"rules": [
  {"path": "/2015-01-01-3.json.gz", "fail_first": 2, "status": 500},
  {"path": "/2015-01-01-4.json.gz", "fail_first": 1, "status": 503},
  {"path": "/2015-01-01-15.json.gz", "drop_after_bytes": 2000000, "drop_first": 1},
  {"path": "/2015-01-01-5.json.gz", "delay_seconds": 1.5, "bytes_per_second": 2000000}
]}'
store=$(new_store http_day)
load "$store" --from 2015-01-01 --to 2015-01-01 --source "$SERVER_URL" --jobs 4
expect_equal "day load exits 0" 0 "$RC"
expect_equal "day hours loaded" 5 "$(json_field "$OUT" hours_loaded)"
expect_equal "day hours missing (HTTP 404)" 19 "$(json_field "$OUT" hours_missing)"
expect_equal "day hours failed" 0 "$(json_field "$OUT" hours_failed)"
expect_equal "events stored = distinct events" "$day_distinct" "$(json_field "$OUT" events_stored)"
expect_equal "no duplicates from the retried attempts" 0 "$(json_field "$OUT" duplicates)"
expect_equal "stored + duplicates + rejected = lines" "$day_lines" \
  "$(($(json_field "$OUT" events_stored) + $(json_field "$OUT" duplicates) + $(json_field "$OUT" lines_rejected)))"
expect_equal "compressed bytes are those of the files" \
  "$(cat "${DAY_FILES[@]}" | wc -c)" "$(json_field "$OUT" compressed_bytes)"
expect_equal "HTTP 500 twice, then 200" 3 "$(requests_of /2015-01-01-3.json.gz)"
expect_equal "HTTP 503 once, then 200" 2 "$(requests_of /2015-01-01-4.json.gz)"
expect_equal "dropped body, then 200" 2 "$(requests_of /2015-01-01-15.json.gz)"
expect_equal "slow response is waited for, not retried" 1 "$(requests_of /2015-01-01-5.json.gz)"
expect_equal "HTTP 404 is not retried" 1 "$(requests_of /2015-01-01-0.json.gz)"
expect_contains "retries are logged" "retrying" "$ERR"
expect_contains "missing hours are logged" "hour=2015-01-01-0 missing" "$ERR"

if is_sqlite_store "$store"; then
  expect_equal "ledger: the dropped hour counts each event once" "11351 11351 0 0" \
    "$(ledger "$store" "SELECT lines || ' ' || events_stored || ' ' || duplicates || ' ' || lines_rejected FROM hours WHERE hour = '2015-01-01-15'")"
  expect_equal "ledger: stored + duplicates + rejected = lines" "$day_lines" \
    "$(ledger "$store" "SELECT SUM(events_stored + duplicates + lines_rejected) FROM hours")"
  expect_equal "ledger: the source URL is recorded" "$SERVER_URL/2015-01-01-3.json.gz" \
    "$(ledger "$store" "SELECT source FROM hours WHERE hour = '2015-01-01-3'")"
  expect_equal "events table holds the distinct events" "$day_distinct" "$(ledger "$store" "SELECT COUNT(*) FROM events")"
fi

echo "== a second load downloads nothing it has"
set_faults '{"rules": []}'
load "$store" --from 2015-01-01 --to 2015-01-01 --source "$SERVER_URL"
expect_equal "second load exits 0" 0 "$RC"
expect_equal "second load skips the loaded hours" 5 "$(json_field "$OUT" hours_skipped)"
expect_equal "second load stores nothing" 0 "$(json_field "$OUT" events_stored)"
expect_equal "loaded hours are not downloaded again" 3 "$(requests_of /2015-01-01-3.json.gz)"
expect_equal "missing hours are asked for again" 2 "$(requests_of /2015-01-01-0.json.gz)"

echo "== --force reloads over HTTP"
load "$store" --from 2015-01-01T01 --to 2015-01-01T15 --source "$SERVER_URL" --force --jobs 2
expect_equal "forced load exits 0" 0 "$RC"
expect_equal "forced load stores nothing new" 0 "$(json_field "$OUT" events_stored)"
expect_equal "forced load finds every event stored" "$((day_lines - day_rejected))" "$(json_field "$OUT" duplicates)"

echo "== query equals the raw files"
mapfile -t day_users < <(top_logins 3 "${DAY_FILES[@]}")
for login in "${day_users[@]}"; do
  expect_query "query $login" "$store" "$login" "${DAY_FILES[@]}"
done
run_ghloader query nobody-at-all-5e1 --store "$store" --json
expect_equal "unknown login exits 0" 0 "$RC"
expect_true "unknown login prints empty results" same_json '{"events":[],"events_by_ym":[],"pushed_to":[]}' "$OUT"

echo "== timeline, backfill and fixture hours over HTTP"
store=$(new_store http_old)
for hour in 2011-02-15T00 2012-06-14T15 2016-01-01T00; do
  load "$store" --from "$hour" --to "$hour" --source "$SERVER_URL"
  expect_equal "$hour loads over HTTP" "0 1" "$RC $(json_field "$OUT" hours_loaded)"
done
expect_equal "fixture rejects over HTTP" 6 "$(json_field "$OUT" lines_rejected)"
expect_equal "fixture repairs over HTTP" 1 "$(json_field "$OUT" lines_repaired)"
timeline_user=$(top_logins 1 "$(sample nickderobertis--py-gh-archive/2012-06-14-15.json.gz)")
expect_query "timeline user $timeline_user" "$store" "$timeline_user" "${OLD_FILES[@]}"
backfill_user=$(top_logins 1 "$(sample arfon--gh_archive_parser/2011-02-15-0.json.gz)")
expect_query "backfill user $backfill_user" "$store" "$backfill_user" "${OLD_FILES[@]}"
expect_query "fixture user fixture-alice" "$store" fixture-alice "$FIXTURES/hours/2016-01-01-0.json"

echo "== a whole day of 24 small hours"
store=$(new_store http_day2)
load "$store" --from 2024-10-07 --to 2024-10-07 --source "$SERVER_URL" --jobs 8
expect_equal "24-hour day exits 0" 0 "$RC"
expect_equal "24-hour day loads every hour" 24 "$(json_field "$OUT" hours_loaded)"
expect_equal "24-hour day stores the distinct events" "$(counts distinct "${DAY2_FILES[@]}")" \
  "$(json_field "$OUT" events_stored)"
day2_user=$(top_logins 1 "${DAY2_FILES[@]}")
expect_query "24-hour day user $day2_user" "$store" "$day2_user" "${DAY2_FILES[@]}"

echo "== HTTP 404 marks an hour missing"
load "$store" --from 2015-01-02T00 --to 2015-01-02T00 --source "$SERVER_URL"
expect_equal "missing hour exits 0" 0 "$RC"
expect_equal "missing hour is reported" 1 "$(json_field "$OUT" hours_missing)"
run_ghloader load --store "$store" --progress never --from 2015-01-02T00 --to 2015-01-02T00 --source "$SERVER_URL"
expect_contains "summary text names missing hours" "1 missing" "$OUT"
expect_contains "log names the missing hour and its URL" "hour=2015-01-02-0 missing: the archive has no file for it ($SERVER_URL)" "$ERR"
if is_sqlite_store "$store"; then
  expect_equal "ledger: missing hour" missing "$(ledger "$store" "SELECT state FROM hours WHERE hour = '2015-01-02-0'")"
fi

echo "== HTTP 403 fails at once, HTTP 503 after the retries"
set_faults '{"rules": [
  {"path": "/2024-10-07-5.json.gz", "fail_first": 1000, "status": 403},
  {"path": "/2024-10-07-6.json.gz", "fail_first": 1000, "status": 503}
]}'
load "$store" --from 2024-10-07T05 --to 2024-10-07T06 --source "$SERVER_URL" --force --jobs 2
expect_equal "failed hours exit 1" 1 "$RC"
expect_equal "both hours failed" 2 "$(json_field "$OUT" hours_failed)"
expect_contains "403 error names the status and the URL" "$SERVER_URL/2024-10-07-5.json.gz failed: HTTP 403" "$OUT"
expect_contains "403 error says what to check" "check --source" "$OUT"
expect_contains "503 error names the status" "$SERVER_URL/2024-10-07-6.json.gz failed: HTTP 503" "$OUT"
expect_equal "HTTP 403 is not retried" 2 "$(requests_of /2024-10-07-5.json.gz)"
expect_equal "HTTP 503 is tried 5 times" 6 "$(requests_of /2024-10-07-6.json.gz)"
if is_sqlite_store "$store"; then
  expect_equal "ledger: both hours failed" 2 \
    "$(ledger "$store" "SELECT COUNT(*) FROM hours WHERE state = 'failed' AND (error LIKE '%HTTP 503%' OR error LIKE '%HTTP 403%')")"
fi
set_faults '{"rules": []}'
load "$store" --from 2024-10-07T05 --to 2024-10-07T06 --source "$SERVER_URL"
expect_equal "failed hours load on the next run" "0 2" "$RC $(json_field "$OUT" hours_loaded)"
expect_equal "their events were stored before the forced reload" 0 "$(json_field "$OUT" events_stored)"

echo "== a server that is not listening"
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
load "$(new_store refused)" --from 2015-01-01T01 --to 2015-01-01T01 --source "http://127.0.0.1:$closed_port"
expect_equal "refused connection exits 1" 1 "$RC"
expect_contains "refused connection is reported" "127.0.0.1:$closed_port/2015-01-01-1.json.gz failed" "$OUT"
expect_contains "refused connection was retried" "fetch attempt 4 of 5 failed" "$ERR"

finish
