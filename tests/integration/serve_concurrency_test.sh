#!/usr/bin/env bash
# Concurrent work on one service: two tasks with overlapping ranges load each
# hour once between them, and many QueryUser calls during a load all succeed.
source "$(dirname "$0")/serve_lib.sh"

make_mirror
rm "$MIRROR/2015-01-01-11.json.gz"
start_fixture_server
start_serve
present=("$MIRROR"/2015-01-01-{1,3,4,5,15}.json.gz)

set_faults '{"rules": [{"path": "*", "bytes_per_second": 4000000}]}'
first=$(client async-load 2015-01-01T00 2015-01-01T05)
second=$(client async-load 2015-01-01T03 2015-01-01T15)

# 64 concurrent QueryUser calls while both tasks load.
query_failures=0
for round in 1 2; do
  pids=()
  for i in $(seq 32); do
    client query KenanSulayman --json >/dev/null 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || query_failures=$((query_failures + 1)); done
done
expect_equal "64 concurrent QueryUser calls during a load succeed" 0 "$query_failures"

first_final=$(wait_for_task "$first" 120)
second_final=$(wait_for_task "$second" 120)
expect_equal "first overlapping task completes" completed "$(json_field "$first_final" status)"
expect_equal "second overlapping task completes" completed "$(json_field "$second_final" status)"
total=$(($(json_field "$first_final" inserted) + $(json_field "$second_final" inserted)))
expect_equal "overlapping tasks insert each event once" "$(counts distinct "${present[@]}")" "$total"
for hour in 2015-01-01-3 2015-01-01-4 2015-01-01-5; do
  fetches=$(grep -c "^/$hour.json.gz 200 " "$SERVER_LOG")
  expect_equal "hour $hour in both ranges is downloaded once" 1 "$fetches"
done

expected=$(expected_query KenanSulayman "${present[@]}")
if same_json "$expected" "$(client query KenanSulayman --json)"; then
  pass "the answer after the loads equals the independent count (cache invalidated)"
else
  fail "the answer after the loads is stale or wrong"
fi

finish
