#!/usr/bin/env python3
"""Issue 14 q3: can destroy events be drained lazily (at the poll tick) and still carry their time?
SO_TIMESTAMP / SO_TIMESTAMPNS on the netlink socket.   python3 exp3e_timestamp.py NS"""
import socket, struct, sys, time
import diag
diag.enter(sys.argv[1])
SO_TIMESTAMPNS = 35
s = diag.destroy_socket()
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7700)); l.listen(4)
closes = []
for i in range(3):
    c = socket.create_connection(('127.0.0.1', 7700)); a, _ = l.accept()
    c.sendall(b'u'); closes.append(time.time()); a.close(); c.close()   # server end: RST (unread byte)
    time.sleep(0.4)
l.close()
time.sleep(0.5)
drain = time.time()
s.setblocking(False)
while True:
    try:
        data, anc, fl, addr = s.recvmsg(65536, 256)
    except BlockingIOError:
        break
    ts = [struct.unpack('=qq', v[:16]) for lv, ty, v in anc if lv == socket.SOL_SOCKET]
    for k, m in diag.parse_datagram(data, len(data)):
        if k == 'msg':
            t = ts[0][0] + ts[0][1] / 1e9 if ts else None
            near = min(closes, key=lambda x: abs(x - t)) if t else None
            print('event %-5d>%-5d cmsg=%s kernel stamp %s -> stamp - nearest close %.1f ms, drained %.0f ms later' % (
                m['sport'], m['dport'], [(lv, ty) for lv, ty, v in anc], t, (t - near) * 1000 if t else float('nan'),
                (drain - t) * 1000 if t else float('nan')))
