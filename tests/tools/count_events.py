#!/usr/bin/env python3
"""Count GH Archive events in raw hour files, independently of ghloader.

The integration tests compare ghloader's results with this count. It reads
hour files (gzip or plain NDJSON) with Python's own gzip and json modules and
applies the loader's rules as they are documented, not its code:

- a line is split at b"\\n"; a trailing b"\\r" is dropped; a last line without
  b"\\n" counts; an empty line is rejected;
- a line is an event when it is a JSON object with a non-empty string "type"
  and a string "created_at" in RFC 3339 form ("...Z" or "...-08:00");
  anything else is rejected;
- the idempotency key is "<id>@<created_at as Unix seconds>" when the event
  has a non-empty "id", else the line's text;
- the login is actor.login (Events API), or actor_attributes.login, else the
  actor string (timeline format); logins compare in ASCII lower case, as
  SQLite's NOCASE does;
- the repository is repo.name ("/" means none) or, when "repo" is not an
  object, repository.owner + "/" + repository.name, with
  repository.organization standing in for an empty owner.

NOTE: a line with invalid UTF-8 is decoded here with Python's "replace" error
handler, which may replace other bytes than the loader's repair does. For an
event with an id the key does not depend on it. For an event without an id
the distinct count could then differ from the loader's; the samples have no
invalid UTF-8.

Commands:
  count_events.py query LOGIN FILE...   prints the JSON of `ghloader query --json`
  count_events.py summary FILE...       prints line, event and distinct-key counts
  count_events.py hours FILE...         prints per-file counts and UTC ranges
"""

import argparse
import calendar
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict

TIME_PATTERN = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d*)?(Z|z|[+-]\d{2}:\d{2})$")


def open_lines(path):
    """Yield the lines of an hour file as bytes, without line ends."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with opener(path, "rb") as stream:
        data = stream.read()
    if not data:
        return
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    for line in lines:
        yield line[:-1] if line.endswith(b"\r") else line


def parse_time(text):
    """Return Unix seconds (UTC) for an RFC 3339 time, or None."""
    match = TIME_PATTERN.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
            and hour <= 23 and minute <= 59 and second <= 59):
        return None
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = match.group(8)
    if zone in ("Z", "z"):
        return seconds
    sign = -1 if zone[0] == "-" else 1
    offset_hours, offset_minutes = int(zone[1:3]), int(zone[4:6])
    if offset_hours > 23 or offset_minutes > 59:
        return None
    return seconds - sign * (offset_hours * 3600 + offset_minutes * 60)


def login_of(event):
    actor = event.get("actor")
    if isinstance(actor, dict):
        login = actor.get("login")
        return login if isinstance(login, str) else ""
    if isinstance(actor, str):
        attributes = event.get("actor_attributes")
        if isinstance(attributes, dict):
            login = attributes.get("login")
            if isinstance(login, str) and login:
                return login
        return actor
    return ""


def repo_of(event):
    repo = event.get("repo")
    if isinstance(repo, dict):
        name = repo.get("name")
        if not isinstance(name, str) or name == "/":
            return ""
        return name
    repository = event.get("repository")
    if isinstance(repository, dict):
        owner, name = repository.get("owner"), repository.get("name")
        if not owner:
            owner = repository.get("organization")
        if isinstance(owner, str) and isinstance(name, str) and owner and name:
            return owner + "/" + name
    return ""


def event_id(event):
    value = event.get("id")
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return ""


def parse_line(line):
    """Return (key, event fields) for an event line, or None for a rejected one."""
    if not line:
        return None
    text = line.decode("utf-8", errors="replace")
    try:
        event = json.loads(text)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    event_type = event.get("type")
    created_text = event.get("created_at")
    if not isinstance(event_type, str) or not event_type or not isinstance(created_text, str):
        return None
    created_at = parse_time(created_text)
    if created_at is None:
        return None

    identifier = event_id(event)
    key = f"{identifier}@{created_at}" if identifier else "line:" + text
    fields = {
        "type": event_type,
        "login": login_of(event),
        "repo": repo_of(event),
        "created_at": created_at,
    }
    return key, fields


class Counts:
    """Counts over a set of files read in order, deduplicated by key."""

    def __init__(self):
        self.lines = 0
        self.events = 0
        self.rejected = 0
        self.events_by_key = {}
        self.per_file = []

    def add_file(self, path):
        lines = events = rejected = new = 0
        first = last = None
        for line in open_lines(path):
            lines += 1
            parsed = parse_line(line)
            if parsed is None:
                rejected += 1
                continue
            events += 1
            key, fields = parsed
            first = fields["created_at"] if first is None else min(first, fields["created_at"])
            last = fields["created_at"] if last is None else max(last, fields["created_at"])
            if key not in self.events_by_key:
                self.events_by_key[key] = fields
                new += 1
        self.lines += lines
        self.events += events
        self.rejected += rejected
        self.per_file.append({"file": path, "lines": lines, "events": events,
                              "rejected": rejected, "new_distinct": new,
                              "first_created_at": first, "last_created_at": last})


def sorted_counts(counter):
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [{"name": name, "count": count} for name, count in ordered]


def query(counts, login):
    expected_login = login.strip().encode("utf-8").lower()
    by_type = Counter()
    by_month = defaultdict(Counter)
    pushed_to = set()
    for fields in counts.events_by_key.values():
        if not fields["login"] or fields["login"].encode("utf-8").lower() != expected_login:
            continue
        by_type[fields["type"]] += 1
        utc = time.gmtime(fields["created_at"])
        year, month = utc.tm_year, utc.tm_mon
        by_month[(year, month)][fields["type"]] += 1
        if fields["type"] == "PushEvent" and fields["repo"]:
            pushed_to.add(fields["repo"])
    return {
        "events": sorted_counts(by_type),
        "events_by_ym": [{"year": year, "month": month, "events": sorted_counts(by_month[(year, month)])}
                         for year, month in sorted(by_month)],
        "pushed_to": sorted(pushed_to),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    query_parser = commands.add_parser("query", help="aggregations for one login, as `ghloader query --json`")
    query_parser.add_argument("login")
    query_parser.add_argument("files", nargs="+")
    summary_parser = commands.add_parser("summary", help="line, event and distinct-key totals")
    summary_parser.add_argument("files", nargs="+")
    hours_parser = commands.add_parser("hours", help="per-file counts")
    hours_parser.add_argument("files", nargs="+")
    arguments = parser.parse_args()

    counts = Counts()
    for path in arguments.files:
        counts.add_file(path)

    if arguments.command == "query":
        print(json.dumps(query(counts, arguments.login), sort_keys=True, separators=(",", ":")))
    elif arguments.command == "summary":
        print(json.dumps({"lines": counts.lines, "events": counts.events,
                          "rejected": counts.rejected, "distinct": len(counts.events_by_key),
                          "duplicates": counts.events - len(counts.events_by_key)},
                         sort_keys=True))
    else:
        print(json.dumps(counts.per_file, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
