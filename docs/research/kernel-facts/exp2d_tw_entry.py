#!/usr/bin/env python3
"""Issue 14 q1/q2: minisockets carry no tcp_info, but their timer was armed at a known length, so
entry = poll + expires - length.  TIME_WAIT: 60 s (TCP_TIMEWAIT_LEN, fixed); FIN_WAIT2 minisocket: the namespace's
tcp_fin_timeout (armed when the socket was orphaned, or when an orphaned FIN_WAIT1 got its ACK).
    python3 exp2d_tw_entry.py NS   (NS with tcp_fin_timeout=3)"""
import socket, sys, time
import diag
diag.enter(sys.argv[1])
fin = int(open('/proc/sys/net/ipv4/tcp_fin_timeout').read())
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7900)); l.listen(8)
d = diag.diag_socket()
for i in range(5):
    # TIME_WAIT: client closes first; the server's FIN (sent at its close) moves the client to TIME_WAIT
    c = socket.create_connection(('127.0.0.1', 7900)); s, _ = l.accept(); cp = c.getsockname()[1]
    c.close(); time.sleep(0.05); t_fin = time.time() * 1000; s.close()
    # FIN_WAIT2 minisocket: attached FIN_WAIT2 orphaned by close()
    c2 = socket.create_connection(('127.0.0.1', 7900)); s2, _ = l.accept(); cp2 = c2.getsockname()[1]
    c2.shutdown(socket.SHUT_WR); time.sleep(0.1); t_close = time.time() * 1000; c2.close()
    time.sleep(0.3 + 0.17 * i)
    t, rows = diag.dump(d, states=diag.mask(5, 6), ext=0)
    for m in rows:
        if m['sport'] == cp:
            print('TIME_WAIT  expires=%5d  request_time+expires-60000 - server close() = %+.1f ms; with the datagram time: %+.1f ms' % (m['expires'], t + m['expires'] - 60000 - t_fin, m['rx'] + m['expires'] - 60000 - t_fin))
        if m['sport'] == cp2:
            print('FW2 mini   expires=%5d  request_time+expires-%d - client close() = %+.1f ms; with the datagram time: %+.1f ms' % (m['expires'], fin * 1000, t + m['expires'] - fin * 1000 - t_close, m['rx'] + m['expires'] - fin * 1000 - t_close))
    s2.close()
