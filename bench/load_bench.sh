#!/usr/bin/env bash
# Times `ghloader load` on real GH Archive hours against `zcat` of the same
# files, in one run, and measures peak memory for a 1-hour and a many-hour
# range. Prints a Markdown report (the source of docs/benchmarks.md).
#
#   bench/load_bench.sh [--ghloader PATH] [--data DIR] [--runs N] [--jobs "1 4"] [--hours N]
#
# Measured, each --runs times, interleaved so that machine noise hits every
# step alike, and reported as medians:
#   zcat       zcat FILES > /dev/null                 (the baseline)
#   parse      ghloader load --dry-run                (gunzip + parse, nothing stored)
#   sqlite     ghloader load into a fresh SQLite file (everything)
# on the five real 2015-01-01 hours of the samples (80 MB of JSON). Then peak
# RSS (/usr/bin/time -v) of a real load of one hour and of --hours hours. The
# many hours are copies of those five files under other hour names, made in a
# temporary directory that is deleted at exit.
#
# Targets: parse within 1.2x of zcat's time, SQLite load within 2x, peak
# memory under 300 MB.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GHLOADER=${GHLOADER:-$REPO_DIR/build/ghloader}
DATA=${GHARCHIVE_DATA:-$REPO_DIR/../shared/data/gharchive}
RUNS=5
JOBS_LIST="1 4"
MANY_HOURS=48

while [[ $# -gt 0 ]]; do
  case $1 in
    --ghloader) GHLOADER=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --jobs) JOBS_LIST=$2; shift 2 ;;
    --hours) MANY_HOURS=$2; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "load_bench: unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done

for tool in zcat /usr/bin/time python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "load_bench: '$tool' not found; run scripts/install-deps.sh" >&2
    exit 2
  fi
done
if [[ ! -x $GHLOADER ]]; then
  echo "load_bench: ghloader binary '$GHLOADER' not found; build it or pass --ghloader PATH" >&2
  exit 2
fi
if [[ ! $RUNS =~ ^[1-9][0-9]*$ || ! $MANY_HOURS =~ ^[1-9][0-9]*$ ]]; then
  echo "load_bench: --runs and --hours must be positive integers" >&2
  exit 2
fi

FILES=(
  nickderobertis--py-gh-archive/2015-01-01-1.json.gz
  intersimone999--gh-archive/2015-01-01-3.json.gz
  intersimone999--gh-archive/2015-01-01-4.json.gz
  intersimone999--gh-archive/2015-01-01-5.json.gz
  Yousign--backend-review-test/2015-01-01-15.json.gz
)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ghloader-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/day"
PATHS=()
for file in "${FILES[@]}"; do
  if [[ ! -f $DATA/$file ]]; then
    echo "load_bench: sample '$DATA/$file' not found; pass --data or set GHARCHIVE_DATA" >&2
    exit 2
  fi
  cp "$DATA/$file" "$WORK/day/"
  PATHS+=("$WORK/day/$(basename "$file")")
done

# Copies of the five hours under consecutive hour names from 2015-01-05T00.
mkdir -p "$WORK/many"
for ((i = 0; i < MANY_HOURS; i++)); do
  hour_name=$(date -u -d "2015-01-05 00:00 UTC + $i hour" +%Y-%m-%d-%-H)
  cp "${PATHS[$((i % ${#PATHS[@]}))]}" "$WORK/many/$hour_name.json.gz"
done
MANY_LAST=$(date -u -d "2015-01-05 00:00 UTC + $((MANY_HOURS - 1)) hour" +%Y-%m-%dT%H)

RESULTS=$WORK/results.tsv
: >"$RESULTS"

# measure STEP JOBS COMMAND...: runs the command once and appends
# "step jobs wall user sys max_rss_kb events decompressed_bytes" to RESULTS.
measure() {
  local step=$1 jobs=$2
  shift 2
  local started ended
  started=$(date +%s%N)
  /usr/bin/time -f "%U %S %M" -o "$WORK/time.txt" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt" || {
    echo "load_bench: step '$step' failed:" >&2
    cat "$WORK/stderr.txt" >&2
    exit 1
  }
  ended=$(date +%s%N)
  local user sys rss events=0 bytes=0
  read -r user sys rss <"$WORK/time.txt"
  if [[ $step != zcat ]]; then
    read -r events bytes < <(python3 -c '
import json, sys
summary = json.load(open(sys.argv[1]))
print(summary["events_stored"] + summary["duplicates"], summary["decompressed_bytes"])' "$WORK/stdout.txt")
  fi
  echo "$step $jobs $(((ended - started) / 1000)) $user $sys $rss $events $bytes" >>"$RESULTS"
}

DAY_LOAD=("$GHLOADER" --log-level error load --from 2015-01-01T01 --to 2015-01-01T15
  --source "$WORK/day" --progress never --json)

echo "load_bench: $RUNS rounds on ${#FILES[@]} hours" >&2
for ((run = 1; run <= RUNS; run++)); do
  measure zcat 1 sh -c 'zcat "$@" >/dev/null' zcat "${PATHS[@]}"
  for jobs in $JOBS_LIST; do
    measure parse "$jobs" "${DAY_LOAD[@]}" --dry-run --jobs "$jobs"
    rm -f "$WORK"/store.db*
    measure sqlite "$jobs" "${DAY_LOAD[@]}" --store "sqlite:$WORK/store.db" --jobs "$jobs"
  done
done

echo "load_bench: peak memory" >&2
MEMORY=$WORK/memory.tsv
: >"$MEMORY"
# peak_rss LABEL COMMAND...: appends "label max_rss_kb wall_seconds".
peak_rss() {
  local label=$1
  shift
  /usr/bin/time -v -o "$WORK/time-v.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || {
    echo "load_bench: '$label' failed:" >&2
    cat "$WORK/stderr.txt" >&2
    exit 1
  }
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-v.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time-v.txt")
  printf '%s\t%s\t%s\n' "$label" "$rss" "$wall" >>"$MEMORY"
}
rm -f "$WORK"/store.db*
peak_rss "1 hour (2015-01-01-15, 26 MB JSON), SQLite, --jobs 4" \
  "$GHLOADER" --log-level error load --from 2015-01-01T15 --to 2015-01-01T15 --source "$WORK/day" \
  --store "sqlite:$WORK/store.db" --jobs 4 --progress never
rm -f "$WORK"/store.db*
peak_rss "$MANY_HOURS hours (copies), SQLite, --jobs 4" \
  "$GHLOADER" --log-level error load --from 2015-01-05T00 --to "$MANY_LAST" --source "$WORK/many" \
  --store "sqlite:$WORK/store.db" --jobs 4 --progress never
peak_rss "$MANY_HOURS hours (copies), --dry-run, --jobs 4" \
  "$GHLOADER" --log-level error load --from 2015-01-05T00 --to "$MANY_LAST" --source "$WORK/many" \
  --dry-run --jobs 4 --progress never
rm -f "$WORK"/store.db*
peak_rss "$MANY_HOURS hours (copies), SQLite, --jobs 8" \
  "$GHLOADER" --log-level error load --from 2015-01-05T00 --to "$MANY_LAST" --source "$WORK/many" \
  --store "sqlite:$WORK/store.db" --jobs 8 --progress never

python3 - "$RESULTS" "$MEMORY" "$RUNS" <<'EOF'
import statistics, sys
results, memory, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

rows = {}
for line in open(results):
    step, jobs, wall_us, user, sys_cpu, rss, events, size = line.split()
    entry = rows.setdefault((step, int(jobs)), {"wall": [], "cpu": [], "rss": [], "events": 0, "bytes": 0})
    entry["wall"].append(int(wall_us) / 1e6)
    entry["cpu"].append(float(user) + float(sys_cpu))
    entry["rss"].append(int(rss) / 1024)
    entry["events"] = max(entry["events"], int(events))
    entry["bytes"] = max(entry["bytes"], int(size))

baseline = rows[("zcat", 1)]
events = max(entry["events"] for entry in rows.values())
size = max(entry["bytes"] for entry in rows.values())
zcat_wall = statistics.median(baseline["wall"])
zcat_cpu = statistics.median(baseline["cpu"])

print(f"Throughput on {events:,} events, {size / 1e6:.1f} MB of decompressed JSON; "
      f"medians of {runs} runs.\n")
print("| step | --jobs | wall s | CPU s | events/s | MB/s | wall / zcat | CPU / zcat | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|")
order = [("zcat", 1)] + sorted(key for key in rows if key[0] == "parse") + \
        sorted(key for key in rows if key[0] == "sqlite")
for key in order:
    entry = rows[key]
    wall = statistics.median(entry["wall"])
    cpu = statistics.median(entry["cpu"])
    print(f"| {key[0]} | {key[1] if key[0] != 'zcat' else '-'} | {wall:.3f} | {cpu:.3f} | "
          f"{events / wall:,.0f} | {size / 1e6 / wall:.0f} | {wall / zcat_wall:.2f} | "
          f"{cpu / zcat_cpu:.2f} | {max(entry['rss']):.0f} |")

print("\nPeak memory (/usr/bin/time -v, maximum resident set size):\n")
print("| load | peak RSS MB | wall clock |")
print("|---|---|---|")
peaks = []
for line in open(memory):
    label, rss, wall = line.rstrip("\n").split("\t")
    peaks.append(int(rss) / 1024)
    print(f"| {label} | {int(rss) / 1024:.0f} | {wall} |")

def verdict(name, value, limit, unit):
    state = "met" if value <= limit else "MISSED"
    print(f"- {name}: {value:.2f}{unit} (target {limit}{unit}): {state}")

print("\nTargets (wall-clock ratios to zcat, --jobs 1 where measured):\n")
parse_jobs = min(key[1] for key in rows if key[0] == "parse")
sqlite_jobs = min(key[1] for key in rows if key[0] == "sqlite")
verdict(f"parse, --jobs {parse_jobs}", statistics.median(rows[("parse", parse_jobs)]["wall"]) / zcat_wall, 1.2, "x")
verdict(f"SQLite load, --jobs {sqlite_jobs}", statistics.median(rows[("sqlite", sqlite_jobs)]["wall"]) / zcat_wall, 2.0, "x")
verdict("peak memory, any range above", max(peaks), 300, " MB")
EOF
