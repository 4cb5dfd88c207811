#!/usr/bin/python3
"""An SMTP sink for the alerts' API test (Debian's python3-aiosmtpd).

usage: smtp_sink.py DIR
Listens on a free port of 127.0.0.1 (written to DIR/port) and keeps each message as DIR/N.eml,
its envelope recipients first as "X-Rcpt-To:" lines. Runs until killed.
"""
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller

DIR = sys.argv[1]


class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        tmp = os.path.join(DIR, "%d.tmp" % Sink.count)
        with open(tmp, "wb") as f:
            for r in envelope.rcpt_tos:
                f.write(("X-Rcpt-To: %s\r\n" % r).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(DIR, "%d.eml" % Sink.count))
        return "250 OK"


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
tmp = os.path.join(DIR, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(port))
os.rename(tmp, os.path.join(DIR, "port"))
while True:
    time.sleep(3600)
