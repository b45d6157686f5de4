#!/usr/bin/env python3
"""Issue 14 q2: an orphan FIN_WAIT2 when tcp_fin_timeout > 60 s (TCP_TIMEWAIT_LEN): what the dump shows over its
life, when the destroy event comes, when it is reaped.   python3 exp2b_long_fin.py NS FIN_TIMEOUT"""
import socket, subprocess, sys, threading, time
import diag
NS, FIN = sys.argv[1], int(sys.argv[2])
subprocess.run(['ip', 'netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=%d' % FIN], check=True)
diag.enter(NS)
ev = diag.destroy_socket(); events = []
def rx():
    while True:
        d = ev.recv(65536); t = time.monotonic() * 1000
        events.extend((t, m) for k, m in diag.parse_datagram(d, len(d)) if k == 'msg')
threading.Thread(target=rx, daemon=True).start()
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7600)); l.listen(4)
c = socket.create_connection(('127.0.0.1', 7600)); s, _ = l.accept(); port = c.getsockname()[1]
c.shutdown(socket.SHUT_WR); time.sleep(0.2)
t0 = time.monotonic() * 1000; c.close()
print('tcp_fin_timeout=%d; orphaned the FIN_WAIT2 client end (port %d) at t=0' % (FIN, port))
last = None; dsk = diag.diag_socket()
while True:
    t = time.monotonic() * 1000
    _, rows = diag.dump(dsk, states=diag.mask(5, 6), ext=diag.EXT_INFO)
    mine = [m for m in rows if m['sport'] == port]
    cur = tuple((m['state_name'], m['timer'], m.get('shutdown'), m['inode'], 'INFO' in m['attrs']) for m in mine)
    if cur != last:
        print('t=%7.0f ms  %s  expires=%s  -> predicted reap at t=%s' % (
            t - t0, cur or 'GONE', [m['expires'] for m in mine], [round(t - t0 + m['expires']) for m in mine]))
        last = cur
    if not mine:
        break
    time.sleep(0.005)
for te, m in events:
    if port in (m['sport'], m['dport']) and m['dport'] == 7600:
        print('destroy event for the client end at t=%.0f ms: state %s' % (te - t0, m['state_name']))
subprocess.run(['ip', 'netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=60'], check=True)
