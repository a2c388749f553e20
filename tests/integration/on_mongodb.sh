#!/usr/bin/env bash
# Runs one integration script with its store in MongoDB instead of SQLite:
# first in a FerretDB of its own (free 127.0.0.1 port, stopped afterwards),
# then in the MongoDB server that GHLOADER_EXTRA_MONGODB_URI names, if set.
# Each scenario of the script gets a fresh database.
#
#   on_mongodb.sh SCRIPT
#
# FerretDB 1.24 rejects arrays directly inside arrays, which timeline-era
# PushEvents have. The store keeps those events as rejects, so on FerretDB the
# script gets tools whose count_events.py counts them the same way.
set -uo pipefail

script=${1:?usage: on_mongodb.sh SCRIPT}
tools=${GHLOADER_TEST_TOOLS:-$(cd "$(dirname "$0")/../tools" && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/ghloader-mongodb-$(basename "$script" .sh)-XXXXXX")

stop_ferretdb() {
  "$tools/ferretdb.sh" stop "$work/ferretdb"
  rm -rf "$work"
}
trap stop_ferretdb EXIT

if ! port=$("$tools/ferretdb.sh" start "$work/ferretdb"); then
  echo "FAILED: FerretDB did not start (see the message above)"
  exit 1
fi

mkdir -p "$work/tools"
for tool in "$tools"/*; do ln -s "$tool" "$work/tools/"; done
ln -sf "$tools/count_events_nested_arrays.py" "$work/tools/count_events.py"

echo "== against FerretDB on 127.0.0.1:$port"
GHLOADER_TEST_STORE="mongodb://127.0.0.1:$port/%DB%" GHLOADER_TEST_TOOLS=$work/tools \
  GHLOADER_BASE_TOOLS=$tools bash "$script"
status=$?

extra=${GHLOADER_EXTRA_MONGODB_URI:-}
if [[ -n $extra ]]; then
  # The database goes in the URI's path, before its options.
  base=${extra%%\?*}
  base=${base%/}
  options=""
  if [[ $extra == *\?* ]]; then options="?${extra#*\?}"; fi
  echo "== against ${base}"
  GHLOADER_TEST_STORE="$base/%DB%$options" bash "$script" || status=1
fi
exit "$status"
