#!/usr/bin/env bash
# Installs everything gh-archive-bulk-loader needs to build and test on
# Debian 12, from Debian packages (and FerretDB, the MongoDB-compatible test
# server, built from its Go module). Safe to run again; skips what is installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates python3 python3-grpcio python3-pymongo time
  libabsl-dev libcurl4-openssl-dev libisal-dev libxxhash-dev libsimdjson-dev
  libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libutfcpp-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libmongoc-dev libbson-dev
)
# Go is needed only to build FerretDB; keep a Go that is already installed.
if ! command -v go >/dev/null 2>&1; then packages+=(golang-go); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# FerretDB (tests only): a MongoDB-wire-compatible server in Go. A plain
# `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a
# binary that panics at start because the module lacks the generated
# build/version/version.txt; as FerretDB's own message advises, we write that
# file into a copy of the module source and build from there.
ferretdb_version=v1.24.2
gobin=$(go env GOPATH)/bin
# Read the version into a variable first: with pipefail, `ferretdb --version |
# grep -q` can fail when grep exits before ferretdb has written everything.
installed_version=""
if [[ -x "$gobin/ferretdb" ]]; then
  installed_version=$("$gobin/ferretdb" --version 2>/dev/null || true)
fi
if [[ $installed_version != *"version: $ferretdb_version"* ]]; then
  echo "install-deps: building FerretDB $ferretdb_version" >&2
  module_dir=$(go mod download -json "github.com/FerretDB/FerretDB@$ferretdb_version" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
  build_dir=$(mktemp -d)
  cp -r "$module_dir/." "$build_dir"
  chmod -R u+w "$build_dir"
  echo "$ferretdb_version" > "$build_dir/build/version/version.txt"
  mkdir -p "$gobin"
  (cd "$build_dir" && GOFLAGS=-mod=mod go build -o "$gobin/ferretdb" ./cmd/ferretdb)
  rm -rf "$build_dir"
fi
