#!/usr/bin/env bash
# Installs the dependencies, builds ghloader, and runs a real load plus a
# query: the real GH Archive samples (../shared/data/gharchive, or
# $GHARCHIVE_DATA) are laid out as an archive mirror and served over HTTP on
# 127.0.0.1, then one day (2015-01-01) is loaded into sqlite:demo.db and one
# user's aggregations are printed. Nothing leaves this machine.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
data=${GHARCHIVE_DATA:-$repo/../shared/data/gharchive}
login=${1:-guybedford}

"$repo/scripts/install-deps.sh"
cmake -S "$repo" -B "$repo/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$repo/build" -j "$(nproc)"

mirror=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$mirror"
}
trap cleanup EXIT

# The 2015-01-01 hours among the samples, under their archive names.
for hour_file in \
  "$data/nickderobertis--py-gh-archive/2015-01-01-1.json.gz" \
  "$data/intersimone999--gh-archive/2015-01-01-3.json.gz" \
  "$data/intersimone999--gh-archive/2015-01-01-4.json.gz" \
  "$data/intersimone999--gh-archive/2015-01-01-5.json.gz" \
  "$data/Yousign--backend-review-test/2015-01-01-15.json.gz"; do
  if [[ ! -f $hour_file ]]; then
    echo "demo: sample $hour_file not found; set GHARCHIVE_DATA to the samples folder" >&2
    exit 2
  fi
  ln -s "$hour_file" "$mirror/"
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$mirror" "$port" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null; then break; fi
  sleep 0.1
done

cd "$repo"
echo "== ghloader load --from 2015-01-01 --to 2015-01-01 --source http://127.0.0.1:$port --store sqlite:demo.db"
echo "   (the mirror has 5 of the day's 24 hours; the other 19 are reported missing, as GH Archive reports its gaps)"
build/ghloader load --from 2015-01-01 --to 2015-01-01 --source "http://127.0.0.1:$port" \
  --store sqlite:demo.db --progress never --log-level warn 2>/dev/null
echo
echo "== ghloader query $login --store sqlite:demo.db"
build/ghloader query "$login" --store sqlite:demo.db
