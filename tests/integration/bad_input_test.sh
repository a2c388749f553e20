#!/usr/bin/env bash
# Feeds `ghloader load` and `ghloader query` invalid values: each must exit 2
# with a message on stderr that names the value, and must leave no store
# behind.
source "$(dirname "$0")/lib.sh"

lay_out "$WORK/hours" "$(sample intersimone999--gh-archive/2015-01-01-3.json.gz)"
store=$(new_store bad)
GOOD=(--source "$WORK/hours" --store "$store" --progress never)

# expect_usage_error NAME NEEDLE ARGS...: exit 2 and NEEDLE on stderr.
expect_usage_error() {
  local name=$1 needle=$2
  shift 2
  run_ghloader "$@"
  expect_equal "$name: exit code" 2 "$RC"
  expect_contains "$name: message" "$needle" "$ERR"
  expect_equal "$name: nothing on stdout" "" "$OUT"
}

echo "== malformed dates"
expect_usage_error "month not zero-padded" "invalid --from value '2015-1-01'" \
  load --from 2015-1-01 --to 2015-01-01 "${GOOD[@]}"
expect_usage_error "slashes" "invalid --to value '2015/01/01'" \
  load --from 2015-01-01 --to 2015/01/01 "${GOOD[@]}"
expect_usage_error "hour not zero-padded" "invalid --to value '2015-01-01T5'" \
  load --from 2015-01-01 --to 2015-01-01T5 "${GOOD[@]}"
expect_usage_error "hour with minutes" "invalid --from value '2015-01-01T05:00'" \
  load --from 2015-01-01T05:00 --to 2015-01-01 "${GOOD[@]}"
expect_usage_error "month 13" "month must be 01-12" load --from 2015-13-01 --to 2015-01-01 "${GOOD[@]}"
expect_usage_error "February 29 of 2015" "2015-02 has no day 29" \
  load --from 2015-02-28 --to 2015-02-29 "${GOOD[@]}"
expect_usage_error "April 31" "2015-04 has no day 31" load --from 2015-04-31 --to 2015-05-01 "${GOOD[@]}"
expect_usage_error "hour 24" "invalid --to value '2016-02-29T24': hour must be 00-23" \
  load --from 2016-02-29 --to 2016-02-29T24 "${GOOD[@]}"
expect_usage_error "empty --from" "invalid --from value ''" load --from "" --to 2015-01-01 "${GOOD[@]}"
expect_usage_error "words" "invalid --from value 'yesterday'" load --from yesterday --to 2015-01-01 "${GOOD[@]}"

echo "== impossible ranges"
expect_usage_error "FROM after TO" "--from 2015-01-02 is after --to 2015-01-01" \
  load --from 2015-01-02 --to 2015-01-01 "${GOOD[@]}"
expect_usage_error "FROM hour after TO hour" "--from 2015-01-01T05 is after --to 2015-01-01T04" \
  load --from 2015-01-01T05 --to 2015-01-01T04 "${GOOD[@]}"
expect_usage_error "before the archive" "--from 2011-02-11 is before 2011-02-12T00" \
  load --from 2011-02-11 --to 2011-02-12 "${GOOD[@]}"
expect_usage_error "future range" "range 2015-01-01..2099-01-01 reaches into the future" \
  load --from 2015-01-01 --to 2099-01-01 "${GOOD[@]}"
# Today's last hour never has ended; step past midnight if the day is about to turn.
if [[ $(date -u +%H%M) == 2359 ]]; then sleep 61; fi
today=$(date -u +%Y-%m-%d)
expect_usage_error "today as a whole day" "reaches into the future" \
  load --from "$today" --to "$today" "${GOOD[@]}"
# Leap days do exist in leap years.
run_ghloader load --from 2016-02-29T00 --to 2016-02-29T00 "${GOOD[@]}" --json
expect_equal "February 29 of 2016 is accepted" 0 "$RC"

echo "== bad options"
expect_usage_error "--jobs 0" "invalid --jobs 0: use a number from 1 to 64" \
  load --from 2015-01-01 --to 2015-01-01 --jobs 0 "${GOOD[@]}"
expect_usage_error "--jobs 65" "invalid --jobs 65" load --from 2015-01-01 --to 2015-01-01 --jobs 65 "${GOOD[@]}"
expect_usage_error "--jobs -3" "-3" load --from 2015-01-01 --to 2015-01-01 --jobs -3 "${GOOD[@]}"
expect_usage_error "--jobs not a number" "--jobs" load --from 2015-01-01 --to 2015-01-01 --jobs many "${GOOD[@]}"
expect_usage_error "--lease-seconds 1" "invalid --lease-seconds 1" \
  load --from 2015-01-01 --to 2015-01-01 --lease-seconds 1 "${GOOD[@]}"
expect_usage_error "--progress sometimes" "sometimes" \
  load --from 2015-01-01 --to 2015-01-01 --progress sometimes --source "$WORK/hours" --store "$store"
expect_usage_error "--log-level loud" "invalid --log-level 'loud'" \
  --log-level loud load --from 2015-01-01 --to 2015-01-01 "${GOOD[@]}"
expect_usage_error "missing --to" "--to" load --from 2015-01-01 --source "$WORK/hours" --store "$store"
expect_usage_error "unknown subcommand" "unload" unload --from 2015-01-01
expect_usage_error "unknown flag" "--form" load --form 2015-01-01 --to 2015-01-01 "${GOOD[@]}"

echo "== bad --store"
expect_usage_error "unknown store scheme" "unsupported --store 'mysql://localhost/db'" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" --store mysql://localhost/db
expect_usage_error "empty sqlite path" "invalid --store 'sqlite:'" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" --store sqlite:
expect_usage_error "sqlite file in a missing directory" "$WORK/no-such-dir/x.db" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" --store "sqlite:$WORK/no-such-dir/x.db"
expect_usage_error "bare path as store" "unsupported --store '$WORK/x.db'" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" --store "$WORK/x.db"
expect_usage_error "MongoDB URI with a bad database name" \
  "invalid --store 'mongodb://loader:***@127.0.0.1:1/bad\$name'" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" \
  --store 'mongodb://loader:s3cret-pw@127.0.0.1:1/bad$name'
expect_true "the message hides the password" test "${ERR/s3cret-pw/}" == "$ERR"
expect_usage_error "mongodb+srv:// with an IP address" "needs a DNS name with SRV records" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" \
  --store 'mongodb+srv://loader:pw@127.0.0.1/github'
expect_usage_error "MongoDB URI without a host" "invalid --store 'mongodb://loader:***@'" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" --store 'mongodb://loader:pw@'
expect_equal "the driver prints nothing of its own" 1 "$(grep -c . <<<"$ERR")"
printf 'not a database\n' >"$WORK/not-a-database.txt"
expect_usage_error "a text file as the sqlite store" "'$WORK/not-a-database.txt' is not an SQLite database" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours" --store "sqlite:$WORK/not-a-database.txt"

echo "== bad --source"
expect_usage_error "missing directory" "--source '$WORK/no-such-dir' is not a directory" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/no-such-dir" --store "$store"
expect_usage_error "a file, not a directory" "is not a directory" \
  load --from 2015-01-01 --to 2015-01-01 --source "$WORK/hours/2015-01-01-3.json.gz" --store "$store"
expect_usage_error "unsupported scheme" "unsupported --source 'ftp://127.0.0.1/archive'" \
  load --from 2015-01-01 --to 2015-01-01 --source ftp://127.0.0.1/archive --store "$store"

if is_sqlite_store "$store"; then
  expect_true "no store was created by rejected loads" test "$(ls "$WORK"/*.db 2>/dev/null | wc -l)" -le 1
fi

echo "== bad query input"
expect_usage_error "empty LOGIN" "LOGIN is empty" query "" --store "$store"
expect_usage_error "blank LOGIN" "LOGIN is empty" query "   " --store "$store"
expect_usage_error "missing LOGIN" "LOGIN" query --store "$store"
missing_store="sqlite:$WORK/never-loaded.db"
expect_usage_error "query of a missing sqlite file" "store file '$WORK/never-loaded.db' does not exist" \
  query octocat --store "$missing_store"
expect_true "query does not create the missing file" test ! -e "$WORK/never-loaded.db"
expect_usage_error "query with an unknown store scheme" "unsupported --store 'redis://127.0.0.1'" \
  query octocat --store redis://127.0.0.1

echo "== bad client options"
expect_usage_error "--server without a port" "invalid --server 'nonsense': expected HOST:PORT" \
  client --server nonsense health
expect_usage_error "--server with a bad port" "invalid --server '127.0.0.1:12ab'" \
  client --server 127.0.0.1:12ab health
expect_usage_error "negative --timeout" "invalid --timeout -1" \
  client --server 127.0.0.1:1 --timeout -1 health

finish
