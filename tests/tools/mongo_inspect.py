#!/usr/bin/python3
"""Read what the MongoDB store wrote, for the integration tests.

Run with Debian's /usr/bin/python3, which has python3-pymongo. The URI names
the database as --store does (mongodb://127.0.0.1:PORT/DATABASE); the
collections have their default names.

Commands:
  mongo_inspect.py count URI COLLECTION [FILTER_JSON]  prints a document count
  mongo_inspect.py ledger URI                          prints the jobs totals as JSON
  mongo_inspect.py rejects URI                         prints reject counts by reason kind
"""

import json
import sys

import pymongo


def database(uri):
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000)
    return client.get_default_database()


def ledger(db):
    totals = {"hours": 0, "loaded": 0, "missing": 0, "failed": 0, "lines": 0,
              "events_stored": 0, "duplicates": 0, "lines_rejected": 0}
    for job in db.jobs.find():
        totals["hours"] += 1
        state = job.get("state")
        if state in ("loaded", "missing", "failed"):
            totals[state] += 1
        for field in ("lines", "events_stored", "duplicates", "lines_rejected"):
            totals[field] += int(job.get(field, 0))
    return totals


def reject_kinds(db):
    kinds = {}
    for reject in db.rejects.find({}, {"reason": 1}):
        reason = reject.get("reason", "")
        kind = "nested arrays" if "nested arrays" in reason else reason.split(":")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    command, db = sys.argv[1], database(sys.argv[2])
    if command == "count" and len(sys.argv) in (4, 5):
        query = json.loads(sys.argv[4]) if len(sys.argv) == 5 else {}
        print(db[sys.argv[3]].count_documents(query))
    elif command == "ledger":
        print(json.dumps(ledger(db), sort_keys=True))
    elif command == "rejects":
        print(json.dumps(reject_kinds(db), sort_keys=True))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
