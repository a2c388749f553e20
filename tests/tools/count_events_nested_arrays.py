#!/usr/bin/env python3
"""count_events.py for stores that refuse arrays directly inside arrays.

FerretDB 1.24 refuses such documents ("nested arrays are not supported"),
and the MongoDB store then keeps those events as rejects. Timeline-era
PushEvents have them in payload.shas. This wraps count_events.py (found in
$GHLOADER_BASE_TOOLS) so that these events count as rejected lines; the
commands and output are those of count_events.py. Installed as
count_events.py in a tools directory of its own by the MongoDB test suite.
"""

import importlib.util
import json
import os
import sys

_spec = importlib.util.spec_from_file_location(
    "count_events_base", os.path.join(os.environ["GHLOADER_BASE_TOOLS"], "count_events.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)


def has_nested_array(value, inside_array=False):
    if isinstance(value, list):
        return inside_array or any(has_nested_array(item, True) for item in value)
    if isinstance(value, dict):
        return any(has_nested_array(item) for item in value.values())
    return False


_parse_line = base.parse_line


def parse_line(line):
    parsed = _parse_line(line)
    if parsed is None:
        return None
    event = json.loads(line.decode("utf-8", errors="replace"))
    return None if has_nested_array(event) else parsed


base.parse_line = parse_line
globals().update({name: value for name, value in vars(base).items()
                  if not name.startswith("__") and name != "parse_line"})

if __name__ == "__main__":
    sys.exit(base.main())
