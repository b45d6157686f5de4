#!/usr/bin/env python3
"""Issue 14 q3: when a connection ends while the application still holds the fd (both sides shut down, or RST
received), when does the destroy event come: at the end of the connection or at close()?
    python3 exp3f_attached_end.py NS"""
import socket, struct, sys, threading, time
import diag
diag.enter(sys.argv[1])
ev = diag.destroy_socket(); events = []
def rx():
    while True:
        d = ev.recv(65536); t = time.monotonic() * 1000
        events.extend((t, m) for k, m in diag.parse_datagram(d, len(d)) if k == 'msg')
threading.Thread(target=rx, daemon=True).start()
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7801)); l.listen(8)
c = socket.create_connection(('127.0.0.1', 7801)); s, _ = l.accept(); cp = c.getsockname()[1]
t0 = time.monotonic() * 1000
c.shutdown(socket.SHUT_WR); time.sleep(0.1); s.shutdown(socket.SHUT_WR)   # both FINs exchanged: client TIME_WAIT, server CLOSE
time.sleep(0.1)
_, rows = diag.dump(ext=0)
print('t=%.0f both ends shut down; dump shows: %s' % (time.monotonic() * 1000 - t0, [(m['state_name'], m['sport'], m['inode']) for m in rows if cp in (m['sport'], m['dport'])]))
time.sleep(1.0)
tc = time.monotonic() * 1000; c.close(); s.close(); time.sleep(0.2)
for te, m in events:
    if cp in (m['sport'], m['dport']):
        print('event %d>%d at t=%.0f ms (close() at t=%.0f)' % (m['sport'], m['dport'], te - t0, tc - t0))
