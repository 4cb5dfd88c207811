#!/usr/bin/env python3
"""A city system's webhook receiver for the alerts' API test (tests/api/test_alerts.c).

usage: webhook_receiver.py DIR
Listens on a free port of 127.0.0.1 and writes it to DIR/port. Each POST is kept as
DIR/N.req (the headers, an empty line, the body). While DIR/fail exists the receiver answers
500 (the sender must retry); otherwise 204. Runs until killed.
"""
import http.server
import os
import sys

DIR = sys.argv[1]
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        failing = os.path.exists(os.path.join(DIR, "fail"))
        if not failing:
            count += 1
            tmp = os.path.join(DIR, "%d.tmp" % count)
            with open(tmp, "wb") as f:
                for k, v in self.headers.items():
                    f.write(("%s: %s\n" % (k, v)).encode())
                f.write(b"\n")
                f.write(body)
            os.rename(tmp, os.path.join(DIR, "%d.req" % count))
        self.send_response(500 if failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
tmp = os.path.join(DIR, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, os.path.join(DIR, "port"))
server.serve_forever()
