#!/usr/bin/env python3
"""Holds a sample of closing sockets in a namespace for the prototypes: python3 hold.py NS SECONDS
LISTEN :7500, ESTABLISHED pair, attached FIN_WAIT2 + its CLOSE_WAIT (with 5 unread bytes), an orphan FIN_WAIT2
(time-wait minisocket) re-made every 2.5 s, IPv6 dual-stack pair."""
import socket, sys, time
import diag
diag.enter(sys.argv[1])
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7500)); l.listen(16)
def pair():
    c = socket.create_connection(('127.0.0.1', 7500)); s, _ = l.accept(); return c, s
e = pair(); fw = pair(); fw[1].sendall(b'x'); fw[0].sendall(b'hello'); fw[0].shutdown(socket.SHUT_WR)
l6 = socket.socket(socket.AF_INET6); l6.bind(('::', 7501)); l6.listen(4)
c6 = socket.create_connection(('::ffff:127.0.0.1', 7501)); s6, _ = l6.accept()
print('shutdown at', time.time() * 1000, flush=True)
end = time.time() + float(sys.argv[2])
while time.time() < end:
    c, s = pair(); c.shutdown(socket.SHUT_WR); time.sleep(0.1); c.close(); s.close()
    time.sleep(2.5)
