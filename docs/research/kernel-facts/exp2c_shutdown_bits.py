#!/usr/bin/env python3
"""Issue 14 q2: INET_DIAG_SHUTDOWN values after each kind of shutdown/close.  python3 exp2c_shutdown_bits.py NS"""
import socket, sys, time
import diag
diag.enter(sys.argv[1])
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7800)); l.listen(8)
def pair():
    c = socket.create_connection(('127.0.0.1', 7800)); s, _ = l.accept(); return c, s
cases = {}
c, s = pair(); c.shutdown(socket.SHUT_WR); cases['client shutdown(SHUT_WR)'] = (c, s)
c, s = pair(); c.shutdown(socket.SHUT_RDWR); cases['client shutdown(SHUT_RDWR)'] = (c, s)
c, s = pair(); c.shutdown(socket.SHUT_RD); cases['client shutdown(SHUT_RD)'] = (c, s)
c, s = pair(); c.shutdown(socket.SHUT_WR); time.sleep(0.1); s.shutdown(socket.SHUT_WR); cases['both shutdown(SHUT_WR) (TIME_WAIT/LAST_ACK path)'] = (c, s)
c, s = pair(); c.shutdown(socket.SHUT_WR); time.sleep(0.1); s.sendall(b'x' * 10); cases['CW end sent 10 bytes after FIN'] = (c, s)
time.sleep(0.2)
_, rows = diag.dump(ext=0)
for name, (c, s) in cases.items():
    cp = c.getsockname()[1]
    got = [(m['state_name'], 'shutdown=%s' % m.get('shutdown'), 'rq=%d' % m['rqueue'], 'wq=%d' % m['wqueue'])
           for m in rows if cp in (m['sport'], m['dport'])]
    print('%-50s client %s | server %s' % (name, [g for g, m in zip(got, [m for m in rows if cp in (m['sport'], m['dport'])]) if m['sport'] == cp],
                                          [g for g, m in zip(got, [m for m in rows if cp in (m['sport'], m['dport'])]) if m['dport'] == cp]))
