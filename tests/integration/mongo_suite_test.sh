#!/usr/bin/env bash
# Runs the tests of the MongoDB store against FerretDB 1.24 (SQLite handler,
# started here on a free 127.0.0.1 port and stopped afterwards), and also
# against the MongoDB server that GHLOADER_EXTRA_MONGODB_URI names, if set:
#   - the mongo_* unit tests and the store conformance suites, with
#     GHLOADER_TEST_MONGODB_URI;
#   - real GH Archive samples loaded through the CLI: every line accounted
#     for, rejects, reloads, and queries equal to an independent count.
# The other integration scripts run against the same servers as the ctest
# entries mongodb.* (tests/integration/on_mongodb.sh).
# FerretDB 1.24 refuses arrays directly inside arrays, which timeline-era
# PushEvents have; the store keeps those events as rejects, and the
# independent count here leaves them out the same way
# (tests/tools/count_events_nested_arrays.py).
source "$(dirname "$0")/lib.sh"

BUILD_DIR=$(dirname "$GHLOADER")
start_ferretdb
FERRETDB_URI="mongodb://127.0.0.1:$FERRETDB_PORT"
echo "FerretDB listens on 127.0.0.1:$FERRETDB_PORT"

# Tools whose count_events.py leaves out events with nested arrays.
NESTED_TOOLS=$WORK/tools-nested-arrays
mkdir -p "$NESTED_TOOLS"
for tool in "$TOOLS"/*; do ln -s "$tool" "$NESTED_TOOLS/"; done
ln -sf "$TOOLS/count_events_nested_arrays.py" "$NESTED_TOOLS/count_events.py"
export GHLOADER_BASE_TOOLS=$TOOLS

# run_unit_tests LABEL URI: the mongo_* unit test executables and the store
# conformance suites, whose MongoDB cases run only when the URI is set.
run_unit_tests() {
  local label=$1 uri=$2 test log
  for test in event_store_conformance_test task_store_conformance_test \
              mongo_event_store_test mongo_json_to_bson_test mongo_uri_test; do
    log=$WORK/$label.$test.log
    if GHLOADER_TEST_MONGODB_URI=$uri "$BUILD_DIR/tests/$test" >"$log" 2>&1; then
      pass "$label: $test ($(grep -o '[0-9]* tests\?' <(grep PASSED "$log") | head -1) passed)"
    else
      fail "$label: $test failed: $(grep -E 'FAILED|Failure' "$log" | head -5)"
    fi
    if grep -q "SKIPPED" "$log"; then fail "$label: $test skipped tests though the URI is set"; fi
  done
}

inspect() { /usr/bin/python3 "$TOOLS/mongo_inspect.py" "$@"; }

# check_cli_samples LABEL URI: loads real samples through the CLI into a
# fresh database and compares everything with the raw files.
check_cli_samples() {
  local label=$1 base_uri=$2
  local store="$base_uri/${RUN_ID}_${label}_cli"
  local dir=$WORK/$label-samples
  local files=(
    "$(sample nickderobertis--py-gh-archive/2015-01-01-1.json.gz)"
    "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)"
    "$(sample nickderobertis--py-gh-archive/2012-06-14-15.json.gz)"
    "$(sample arfon--gh_archive_parser/2011-02-15-0.json.gz)"
  )
  lay_out "$dir" "${files[@]}"

  local stored=0 duplicates=0 rejected=0 failed=0 range
  for range in "2015-01-01T01 2015-01-01T03" "2012-06-14T15 2012-06-14T15" \
               "2011-02-15T00 2011-02-15T00"; do
    set -- $range
    load "$store" --from "$1" --to "$2" --source "$dir" --jobs 2
    expect_equal "$label: load $1..$2 exits 0" 0 "$RC"
    stored=$((stored + $(json_field "$OUT" events_stored)))
    duplicates=$((duplicates + $(json_field "$OUT" duplicates)))
    rejected=$((rejected + $(json_field "$OUT" lines_rejected)))
    failed=$((failed + $(json_field "$OUT" hours_failed)))
  done

  # Servers that refuse nested arrays keep those events as rejects.
  local kinds tools=$TOOLS
  kinds=$(inspect rejects "$store")
  if [[ $kinds == *"nested arrays"* ]]; then
    tools=$NESTED_TOOLS
    echo "$label: the server refuses nested arrays; they are counted as rejected"
  fi
  local lines distinct expected_rejected
  lines=$(TOOLS=$tools counts lines "${files[@]}")
  distinct=$(TOOLS=$tools counts distinct "${files[@]}")
  expected_rejected=$(TOOLS=$tools counts rejected "${files[@]}")

  expect_equal "$label: no hour failed" 0 "$failed"
  expect_equal "$label: events stored = distinct events" "$distinct" "$stored"
  expect_equal "$label: duplicates" 0 "$duplicates"
  expect_equal "$label: lines rejected" "$expected_rejected" "$rejected"
  expect_equal "$label: stored + duplicates + rejected = lines" "$lines" \
    "$((stored + duplicates + rejected))"
  expect_equal "$label: events collection holds the distinct events" "$distinct" \
    "$(inspect count "$store" events)"
  expect_equal "$label: rejects collection holds the rejected lines" "$expected_rejected" \
    "$(inspect count "$store" rejects)"
  local ledger
  ledger=$(inspect ledger "$store")
  expect_equal "$label: ledger: loaded hours" 4 "$(json_field "$ledger" loaded)"
  expect_equal "$label: ledger: missing hours" 1 "$(json_field "$ledger" missing)"
  expect_equal "$label: ledger: lines" "$lines" "$(json_field "$ledger" lines)"
  expect_equal "$label: ledger: events stored" "$distinct" "$(json_field "$ledger" events_stored)"

  load "$store" --from 2015-01-01T01 --to 2015-01-01T03 --source "$dir"
  expect_equal "$label: reload skips the loaded hours" 2 "$(json_field "$OUT" hours_skipped)"
  expect_equal "$label: reload stores nothing" 0 "$(json_field "$OUT" events_stored)"
  load "$store" --from 2012-06-14T15 --to 2012-06-14T15 --source "$dir" --force
  expect_equal "$label: forced reload exits 0" 0 "$RC"
  expect_equal "$label: forced reload stores nothing" 0 "$(json_field "$OUT" events_stored)"
  expect_equal "$label: forced reload rejects the same lines" \
    "$(TOOLS=$tools counts rejected "${files[2]}")" "$(json_field "$OUT" lines_rejected)"
  expect_equal "$label: forced reload leaves the events as they were" "$distinct" \
    "$(inspect count "$store" events)"

  # Several users of each format, and logins in another case.
  local login
  while read -r login; do
    TOOLS=$tools expect_query "$label: query $login" "$store" "$login" "${files[@]}"
  done < <(TOOLS=$tools top_logins 3 "${files[0]}"; TOOLS=$tools top_logins 3 "${files[2]}";
           TOOLS=$tools top_logins 1 "${files[3]}")
  login=$(TOOLS=$tools top_logins 1 "${files[2]}")
  TOOLS=$tools expect_query "$label: query in upper case" "$store" "${login^^}" "${files[@]}"
  TOOLS=$tools expect_query "$label: query of an unknown login" "$store" "nobody-xyz-404" "${files[@]}"
}

echo "== unit tests against FerretDB"
run_unit_tests ferretdb "$FERRETDB_URI"

echo "== real samples through the CLI into FerretDB"
check_cli_samples ferretdb "$FERRETDB_URI"

if [[ -n ${GHLOADER_EXTRA_MONGODB_URI:-} ]]; then
  extra=${GHLOADER_EXTRA_MONGODB_URI%%\?*}
  extra=${extra%/}
  echo "== unit tests and samples against $extra"
  run_unit_tests extra "$GHLOADER_EXTRA_MONGODB_URI"
  check_cli_samples extra "$extra"
else
  echo "skip: GHLOADER_EXTRA_MONGODB_URI is not set; only FerretDB was tested"
fi

finish
