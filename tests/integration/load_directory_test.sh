#!/usr/bin/env bash
# Loads real GH Archive samples from local directories and checks that every
# line is accounted for, that reloads store nothing new, and that `query`
# matches an independent count over the raw files (tests/tools/count_events.py).
source "$(dirname "$0")/lib.sh"

# 2015-01-01: five Events API hours. The sankred9527 file is a plain-text,
# byte-identical prefix (1,024 lines) of the Yousign hour 15, so it lives in
# a directory of its own and loads into the same store as a second copy.
DAY_FILES=(
  "$(sample nickderobertis--py-gh-archive/2015-01-01-1.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-4.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-5.json.gz)"
  "$(sample Yousign--backend-review-test/2015-01-01-15.json.gz)"
)
PREFIX_FILE=$(sample sankred9527--fluxus-gharchive-source/2015-01-01-15.json)
lay_out "$WORK/day" "${DAY_FILES[@]}"
lay_out "$WORK/prefix" "$PREFIX_FILE"

day_lines=$(counts lines "${DAY_FILES[@]}")
day_distinct=$(counts distinct "${DAY_FILES[@]}")
day_rejected=$(counts rejected "${DAY_FILES[@]}")
prefix_lines=$(counts lines "$PREFIX_FILE")

echo "== a day of Events API hours from a directory"
store=$(new_store day)
load "$store" --from 2015-01-01 --to 2015-01-01 --source "$WORK/day"
expect_equal "day load exits 0" 0 "$RC"
expect_equal "day hours loaded" 5 "$(json_field "$OUT" hours_loaded)"
expect_equal "day hours missing" 19 "$(json_field "$OUT" hours_missing)"
expect_equal "day hours failed" 0 "$(json_field "$OUT" hours_failed)"
expect_equal "day events stored = distinct events" "$day_distinct" "$(json_field "$OUT" events_stored)"
expect_equal "day duplicates" 0 "$(json_field "$OUT" duplicates)"
expect_equal "day lines rejected" "$day_rejected" "$(json_field "$OUT" lines_rejected)"
expect_equal "day stored + duplicates + rejected = lines" "$day_lines" \
  "$(($(json_field "$OUT" events_stored) + $(json_field "$OUT" duplicates) + $(json_field "$OUT" lines_rejected)))"

if is_sqlite_store "$store"; then
  expect_equal "ledger: loaded hours" 5 "$(ledger "$store" "SELECT COUNT(*) FROM hours WHERE state = 'loaded'")"
  expect_equal "ledger: missing hours" 19 "$(ledger "$store" "SELECT COUNT(*) FROM hours WHERE state = 'missing'")"
  expect_equal "ledger: lines" "$day_lines" "$(ledger "$store" "SELECT SUM(lines) FROM hours")"
  expect_equal "ledger: stored + duplicates + rejected = lines" "$day_lines" \
    "$(ledger "$store" "SELECT SUM(events_stored + duplicates + lines_rejected) FROM hours")"
  expect_equal "ledger: events stored = rows in events" \
    "$(ledger "$store" "SELECT COUNT(*) FROM events")" "$(ledger "$store" "SELECT SUM(events_stored) FROM hours")"
  expect_equal "events table holds the distinct events" "$day_distinct" "$(ledger "$store" "SELECT COUNT(*) FROM events")"
  for file in "${DAY_FILES[@]}"; do
    hour=$(basename "$file" .json.gz)
    expect_equal "ledger: lines of $hour" "$(counts lines "$file")" \
      "$(ledger "$store" "SELECT lines FROM hours WHERE hour = '$hour'")"
    expect_equal "ledger: fingerprint of $hour recorded" 32 \
      "$(ledger "$store" "SELECT length(fingerprint) FROM hours WHERE hour = '$hour'")"
    expect_equal "ledger: bytes of $hour" "$(stat -L -c %s "$file")" \
      "$(ledger "$store" "SELECT compressed_bytes FROM hours WHERE hour = '$hour'")"
  done
else
  echo "skip: ledger checks need a sqlite: store"
fi

echo "== the same range again stores nothing new"
load "$store" --from 2015-01-01 --to 2015-01-01 --source "$WORK/day"
expect_equal "second load exits 0" 0 "$RC"
expect_equal "second load skips the loaded hours" 5 "$(json_field "$OUT" hours_skipped)"
expect_equal "second load loads nothing" 0 "$(json_field "$OUT" hours_loaded)"
expect_equal "second load stores nothing" 0 "$(json_field "$OUT" events_stored)"
expect_equal "second load reads nothing" 0 "$(json_field "$OUT" decompressed_bytes)"
expect_equal "second load still reports the missing hours" 19 "$(json_field "$OUT" hours_missing)"

echo "== --force reloads and counts everything as duplicates"
load "$store" --from 2015-01-01 --to 2015-01-01 --source "$WORK/day" --force --jobs 3
expect_equal "forced load exits 0" 0 "$RC"
expect_equal "forced load loads every hour" 5 "$(json_field "$OUT" hours_loaded)"
expect_equal "forced load stores nothing new" 0 "$(json_field "$OUT" events_stored)"
expect_equal "forced load finds every event stored" "$((day_lines - day_rejected))" "$(json_field "$OUT" duplicates)"
if is_sqlite_store "$store"; then
  expect_equal "forced load leaves the events as they were" "$day_distinct" "$(ledger "$store" "SELECT COUNT(*) FROM events")"
fi

echo "== a second copy of an hour from another directory"
load "$store" --from 2015-01-01T15 --to 2015-01-01T15 --source "$WORK/prefix"
expect_equal "copy of a loaded hour is skipped" 1 "$(json_field "$OUT" hours_skipped)"
load "$store" --from 2015-01-01T15 --to 2015-01-01T15 --source "$WORK/prefix" --force
expect_equal "forced copy exits 0" 0 "$RC"
expect_equal "forced copy stores nothing new" 0 "$(json_field "$OUT" events_stored)"
expect_equal "forced copy: every line is a duplicate" "$prefix_lines" "$(json_field "$OUT" duplicates)"
if is_sqlite_store "$store"; then
  expect_equal "ledger keeps the copy's source" "$WORK/prefix/2015-01-01-15.json" \
    "$(ledger "$store" "SELECT source FROM hours WHERE hour = '2015-01-01-15'")"
  expect_equal "ledger keeps the copy's lines" "$prefix_lines" \
    "$(ledger "$store" "SELECT lines FROM hours WHERE hour = '2015-01-01-15'")"
fi

echo "== query equals the raw files"
mapfile -t day_users < <(top_logins 3 "${DAY_FILES[@]}")
for login in "${day_users[@]}"; do
  expect_query "query $login" "$store" "$login" "${DAY_FILES[@]}" "$PREFIX_FILE"
done
shouted=$(tr '[:lower:]' '[:upper:]' <<<"${day_users[0]}")
expect_query "query matches logins case-insensitively ($shouted)" "$store" "$shouted" "${DAY_FILES[@]}"
run_ghloader query "${day_users[0]}" --store "$store" --json
expect_true "query of a top user is not empty" test "$(json_field "$OUT" events)" != "[]"
run_ghloader query no-such-user-9f2c --store "$store" --json
expect_equal "unknown login exits 0" 0 "$RC"
expect_true "unknown login prints empty results" same_json '{"events":[],"events_by_ym":[],"pushed_to":[]}' "$OUT"
run_ghloader query no-such-user-9f2c --store "$store"
expect_equal "unknown login as text exits 0" 0 "$RC"
expect_contains "unknown login as text says 0 events" "no-such-user-9f2c: 0 events" "$OUT"

echo "== timeline and 2011-2012 backfill hours"
OLD_FILES=(
  "$(sample arfon--gh_archive_parser/2011-02-15-0.json.gz)"
  "$(sample arfon--gh_archive_parser/2012-02-15-0.json.gz)"
  "$(sample klangner--github-analysis/2012-04-01-0.json.gz)"
  "$(sample nickderobertis--py-gh-archive/2012-06-14-15.json.gz)"
  "$(sample klangner--github-analysis/2012-10-13-0.json.gz)"
  "$(sample arfon--gh_archive_parser/2013-02-15-0.json.gz)"
  "$(sample arfon--gh_archive_parser/2014-02-15-0.json.gz)"
)
lay_out "$WORK/old" "${OLD_FILES[@]}"
store=$(new_store old)
for file in "${OLD_FILES[@]}"; do
  stem=$(basename "$file" .json.gz)
  hour="${stem%-*}T$(printf %02d "${stem##*-}")"
  load "$store" --from "$hour" --to "$hour" --source "$WORK/old"
  expect_equal "$stem loads" "0 1" "$RC $(json_field "$OUT" hours_loaded)"
  lines=$(counts lines "$file")
  expect_equal "$stem: stored + duplicates + rejected = lines" "$lines" \
    "$(($(json_field "$OUT" events_stored) + $(json_field "$OUT" duplicates) + $(json_field "$OUT" lines_rejected)))"
  expect_equal "$stem: events stored" "$(counts distinct "$file")" "$(json_field "$OUT" events_stored)"
done
timeline_user=$(top_logins 1 "$(sample nickderobertis--py-gh-archive/2012-06-14-15.json.gz)")
expect_query "timeline 2012 user $timeline_user" "$store" "$timeline_user" "${OLD_FILES[@]}"
timeline_user=$(top_logins 1 "$(sample arfon--gh_archive_parser/2013-02-15-0.json.gz)")
expect_query "timeline 2013 user $timeline_user" "$store" "$timeline_user" "${OLD_FILES[@]}"
timeline_user=$(top_logins 1 "$(sample arfon--gh_archive_parser/2014-02-15-0.json.gz)")
expect_query "timeline 2014 user $timeline_user" "$store" "$timeline_user" "${OLD_FILES[@]}"
backfill_user=$(top_logins 1 "$(sample arfon--gh_archive_parser/2011-02-15-0.json.gz)")
expect_query "backfill 2011 user $backfill_user" "$store" "$backfill_user" "${OLD_FILES[@]}"
backfill_user=$(top_logins 1 "$(sample klangner--github-analysis/2012-04-01-0.json.gz)")
expect_query "backfill 2012 user $backfill_user" "$store" "$backfill_user" "${OLD_FILES[@]}"

echo "== plain NDJSON hours and the hand-written fixtures"
PLAIN_FILES=(
  "$(sample kuba-tyburski--gharchive-aggregate-job/2018-01-01-0.json)"
  "$(sample kayneth--ys-backend-review-test/2022-12-31-10.json)"
  "$FIXTURES/hours/2016-01-01-0.json"
  "$FIXTURES/hours/2012-06-01-0.json"
)
lay_out "$WORK/plain" "${PLAIN_FILES[@]}"
store=$(new_store plain)
for range in 2018-01-01T00 2022-12-31T10 2016-01-01T00 2012-06-01T00; do
  load "$store" --from "$range" --to "$range" --source "$WORK/plain"
  expect_equal "plain hour $range loads" "0 1" "$RC $(json_field "$OUT" hours_loaded)"
done
load "$store" --from 2016-01-01T00 --to 2016-01-01T00 --source "$WORK/plain" --force
expect_equal "fixture reload: rejected lines" 6 "$(json_field "$OUT" lines_rejected)"
expect_equal "fixture reload: repaired lines" 1 "$(json_field "$OUT" lines_repaired)"
expect_equal "fixture reload: duplicates" 10 "$(json_field "$OUT" duplicates)"
if is_sqlite_store "$store"; then
  expect_equal "ledger: the last line without newline counts" 10 \
    "$(ledger "$store" "SELECT lines FROM hours WHERE hour = '2018-01-01-0'")"
  expect_equal "rejects table keeps each rejected line once" 6 \
    "$(ledger "$store" "SELECT COUNT(*) FROM rejects WHERE hour = '2016-01-01-0'")"
  expect_equal "rejects table keeps the reason" "the line is a JSON array, not an event object" \
    "$(ledger "$store" "SELECT reason FROM rejects WHERE hour = '2016-01-01-0' AND line = 7")"
fi
for login in fixture-alice FIXTURE-DAVE fixture-erin fixture-bob; do
  expect_query "fixture user $login" "$store" "$login" "${PLAIN_FILES[@]}"
done
plain_user=$(top_logins 1 "$(sample kuba-tyburski--gharchive-aggregate-job/2018-01-01-0.json)")
expect_query "plain 2018 user $plain_user" "$store" "$plain_user" "${PLAIN_FILES[@]}"

echo "== --dry-run parses without storing"
dry_store=$(new_store dry)
load "$dry_store" --from 2015-01-01 --to 2015-01-01 --source "$WORK/day" --dry-run
expect_equal "dry run exits 0" 0 "$RC"
expect_equal "dry run counts every parsed event" "$((day_lines - day_rejected))" "$(json_field "$OUT" events_stored)"
expect_equal "dry run loads the hours" 5 "$(json_field "$OUT" hours_loaded)"
expect_equal "dry run says so in JSON" True "$(json_field "$OUT" dry_run)"
run_ghloader load --store "$dry_store" --from 2015-01-01T01 --to 2015-01-01T01 \
  --source "$WORK/day" --dry-run --progress never
expect_contains "dry run says so in the text summary" "dry run: nothing was stored" "$OUT"
if is_sqlite_store "$dry_store"; then
  expect_true "dry run creates no store file" test ! -e "$(sqlite_path "$dry_store")"
fi

finish
