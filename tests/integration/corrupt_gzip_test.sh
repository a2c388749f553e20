#!/usr/bin/env bash
# The real corrupt and truncated gzip samples fail only their own hour, with
# a clear message, while the other hours of the range load. The load exits 1.
# Each case runs from a directory and over HTTP.
source "$(dirname "$0")/lib.sh"

CORRUPT=$(sample intersimone999--gh-archive/corrupt/2015-01-01-11.json.gz)
TRUNCATED=$(sample aureliensld--backend-review-test/truncated-gzip/2024-03-11-1.json.gz)
GOOD_FILES=(
  "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)"
  "$(sample intersimone999--gh-archive/2015-01-01-4.json.gz)"
)
# The truncated sample's neighbour hour: a good Kocal hour under its name.
NEIGHBOUR=$(sample Kocal--yousign-backend-review-test/2024-10-07-0.json.gz)

DIR=$WORK/hours
lay_out "$DIR" "$CORRUPT" "$TRUNCATED" "${GOOD_FILES[@]}"
lay_out_as "$DIR" 2024-03-11-0.json.gz "$NEIGHBOUR"
start_server "$DIR"

good_distinct=$(counts distinct "${GOOD_FILES[@]}")

for mode in directory http; do
  if [[ $mode == directory ]]; then source_arg=$DIR; else source_arg=$SERVER_URL; fi

  echo "== corrupt sample among good hours ($mode)"
  store=$(new_store "corrupt_$mode")
  load "$store" --from 2015-01-01T03 --to 2015-01-01T11 --source "$source_arg" --jobs 3
  expect_equal "$mode: load with a corrupt hour exits 1" 1 "$RC"
  expect_equal "$mode: only the corrupt hour failed" 1 "$(json_field "$OUT" hours_failed)"
  expect_equal "$mode: the good hours loaded" 2 "$(json_field "$OUT" hours_loaded)"
  expect_equal "$mode: the absent hours are missing" 6 "$(json_field "$OUT" hours_missing)"
  expect_equal "$mode: the good hours' events are stored" "$good_distinct" "$(json_field "$OUT" events_stored)"
  failure=$(python3 -c 'import json, sys; f = json.loads(sys.argv[1])["failures"]; print(f[0]["hour"], f[0]["error"])' "$OUT")
  expect_contains "$mode: failure names the hour" "2015-01-01-11 " "$failure"
  expect_contains "$mode: failure names the file" "2015-01-01-11.json.gz" "$failure"
  expect_contains "$mode: failure says why" "not a gzip file: it starts with bytes 41 41 instead of 1f 8b" "$failure"
  expect_contains "$mode: the log names the failed hour" "hour=2015-01-01-11 failed" "$ERR"
  if [[ $mode == http ]]; then
    expect_equal "$mode: a corrupt file is not downloaded again" 1 "$(requests_of /2015-01-01-11.json.gz)"
  fi
  if is_sqlite_store "$store"; then
    expect_equal "$mode: ledger marks the hour failed" failed \
      "$(ledger "$store" "SELECT state FROM hours WHERE hour = '2015-01-01-11'")"
    expect_contains "$mode: ledger keeps the reason" "not a gzip file" \
      "$(ledger "$store" "SELECT error FROM hours WHERE hour = '2015-01-01-11'")"
  fi

  # Text output lists the failed hour as well.
  run_ghloader load --store "$store" --progress never --from 2015-01-01T11 --to 2015-01-01T11 --source "$source_arg"
  expect_equal "$mode: a rerun of the corrupt hour exits 1 again" 1 "$RC"
  expect_contains "$mode: summary counts the failure" "1 failed" "$OUT"
  expect_contains "$mode: summary lists the failed hour" "failed hours:" "$OUT"
  expect_contains "$mode: summary gives the reason" "2015-01-01-11: corrupt gzip file" "$OUT"

  echo "== truncated sample beside a good hour ($mode)"
  load "$store" --from 2024-03-11T00 --to 2024-03-11T01 --source "$source_arg"
  expect_equal "$mode: load with a truncated hour exits 1" 1 "$RC"
  expect_equal "$mode: the truncated hour failed" 1 "$(json_field "$OUT" hours_failed)"
  expect_equal "$mode: the neighbour loaded" 1 "$(json_field "$OUT" hours_loaded)"
  expect_contains "$mode: failure says the stream is truncated" "truncated gzip stream" "$OUT"
  expect_contains "$mode: failure names the file" "2024-03-11-1.json.gz" "$OUT"
  if is_sqlite_store "$store"; then
    expect_equal "$mode: ledger marks the truncated hour failed" failed \
      "$(ledger "$store" "SELECT state FROM hours WHERE hour = '2024-03-11-1'")"
    expect_equal "$mode: ledger counts the lines read before the cut" 2 \
      "$(ledger "$store" "SELECT lines FROM hours WHERE hour = '2024-03-11-1'")"
  fi

  echo "== a second run tries only the failed hours ($mode)"
  load "$store" --from 2024-03-11T00 --to 2024-03-11T01 --source "$source_arg"
  expect_equal "$mode: rerun exits 1" 1 "$RC"
  expect_equal "$mode: rerun skips the loaded hour" 1 "$(json_field "$OUT" hours_skipped)"
  expect_equal "$mode: rerun fails the truncated hour again" 1 "$(json_field "$OUT" hours_failed)"
  expect_equal "$mode: rerun stores nothing new" 0 "$(json_field "$OUT" events_stored)"
done

finish
