#!/usr/bin/env python3
"""Serve a directory of hour files over HTTP on 127.0.0.1, with fault injection.

The integration tests point `ghloader load --source http://127.0.0.1:PORT` at
this server. It binds only to 127.0.0.1 on a port the OS picks, and writes
the port to --port-file once it accepts connections (and prints it on stdout).

Faults come from a JSON control file that is re-read on every request, so a
test can change them while the server runs:

  {"rules": [
     {"path": "/2015-01-01-15.json.gz", "fail_first": 2, "status": 500},
     {"path": "/2015-01-01-3.json.gz", "drop_after_bytes": 100000, "drop_first": 1},
     {"path": "*", "delay_seconds": 0.5, "bytes_per_second": 2000000}
  ]}

- fail_first N, status S: the first N requests of the path get HTTP S
  (default 500) with a short text body.
- drop_after_bytes B, drop_first N: the first N requests (default 1) of the
  path send the headers with the full Content-Length and B body bytes, then
  close the connection.
- delay_seconds D: wait D seconds before the response headers.
- bytes_per_second R: send the body at about R bytes per second.
Paths of absent files get 404. "*" matches every path. Request counts are
kept per path for the server's lifetime. Every response is appended to
--log-file as "PATH STATUS BYTES_SENT" lines.
"""

import argparse
import http.server
import json
import os
import sys
import threading
import time

CHUNK_BYTES = 64 * 1024


class FaultState:
    """Request counters per path and the rules of the control file."""

    def __init__(self, control_file, log_file):
        self.control_file = control_file
        self.log_file = log_file
        self.lock = threading.Lock()
        self.requests = {}

    def count_request(self, path):
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1
            return self.requests[path]

    def rules_for(self, path):
        if not self.control_file or not os.path.exists(self.control_file):
            return []
        with open(self.control_file, encoding="utf-8") as control:
            text = control.read().strip()
        if not text:
            return []
        rules = json.loads(text).get("rules", [])
        return [rule for rule in rules if rule.get("path") in ("*", path)]

    def log(self, path, status, sent):
        if not self.log_file:
            return
        with self.lock, open(self.log_file, "a", encoding="utf-8") as log:
            log.write(f"{path} {status} {sent}\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "serve_fixtures/1"

    def log_message(self, format, *args):  # noqa: A002 - the base class names it so.
        pass

    def do_GET(self):
        state = self.server.fault_state
        path = self.path.split("?", 1)[0]
        number = state.count_request(path)
        rules = state.rules_for(path)

        for rule in rules:
            if rule.get("delay_seconds"):
                time.sleep(float(rule["delay_seconds"]))

        for rule in rules:
            if number <= int(rule.get("fail_first", 0)):
                self.send_text(int(rule.get("status", 500)), "injected failure\n")
                state.log(path, int(rule.get("status", 500)), 0)
                return

        file_path = os.path.join(self.server.directory, os.path.basename(path))
        if "/" in path.lstrip("/") or not os.path.isfile(file_path):
            self.send_text(404, "not found\n")
            state.log(path, 404, 0)
            return

        drop_after = None
        rate = None
        for rule in rules:
            if "drop_after_bytes" in rule and number <= int(rule.get("drop_first", 1)):
                drop_after = int(rule["drop_after_bytes"])
            if rule.get("bytes_per_second"):
                rate = float(rule["bytes_per_second"])

        sent = self.send_file(file_path, drop_after, rate)
        state.log(path, 200, sent)

    def send_text(self, status, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_file(self, file_path, drop_after, rate):
        size = os.path.getsize(file_path)
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(size))
        self.end_headers()

        sent = 0
        started = time.monotonic()
        with open(file_path, "rb") as data:
            while True:
                limit = CHUNK_BYTES if drop_after is None else min(CHUNK_BYTES, drop_after - sent)
                chunk = data.read(limit) if limit > 0 else b""
                if not chunk:
                    break
                try:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                    return sent
                sent += len(chunk)
                if rate:
                    ahead = sent / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        if drop_after is not None and sent < size:
            # Closing with bytes still owed makes the client see a transfer
            # cut short (curl: "transfer closed with N bytes remaining").
            self.close_connection = True
        return sent


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", help="directory whose files are served by name")
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--control-file", help="JSON fault rules, re-read on every request")
    parser.add_argument("--log-file", help="append 'PATH STATUS BYTES' per response")
    arguments = parser.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    server.directory = os.path.abspath(arguments.directory)
    server.fault_state = FaultState(arguments.control_file, arguments.log_file)
    port = server.server_address[1]

    if arguments.port_file:
        temporary = arguments.port_file + ".tmp"
        with open(temporary, "w", encoding="utf-8") as port_file:
            port_file.write(f"{port}\n")
        os.replace(temporary, arguments.port_file)
    print(port, flush=True)

    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
