#!/usr/bin/env python3
"""Issue 14 q3 follow-up: RST aborts, and whether the destroy event's cookie names the minisocket that lives on.
    python3 exp3b_rst_cookie.py SFX"""
import socket, struct, sys, time
sys.argv = [sys.argv[0], sys.argv[1], 'none']
exec(open('exp3_destroy.py').read().split("{'lifecycle'")[0])

lc, ls = Listener(C, 'C'), Listener(S, 'S')
time.sleep(0.1)
# RST abort by the client
c, s, port = conn(); c.sendall(b'x'); s.recv(1)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
t0 = now(); c.close(); time.sleep(0.3)
print('== client aborted with RST: events for port %d' % port)
for L in (lc, ls):
    for m in L.find(port):
        m['listener'] = L.name; show(m, t0)
srv = in_ns(S, lambda: diag.dump(ext=0)[1])
print('   server end in the table now: %s' % [(m['state_name'], m['inode'] != 0) for m in srv if m['sport'] == port and m['dport']])
t1 = now(); s.close(); time.sleep(0.3)
print('== server closes its reset socket:')
for m in ls.find(port):
    m['listener'] = 'S'; show(m, t1)

# orphan FIN_WAIT2: event cookie vs minisocket cookie, and an exact lookup of the 4-tuple right after the event
c, s, port = conn(); c.sendall(b'x'); s.recv(1); c.shutdown(socket.SHUT_WR); time.sleep(0.2)
cport = c.getsockname()[1]
att = in_ns(C, lambda: diag.dump(states=diag.mask(5), ext=0)[1])
print('== attached FIN_WAIT2 cookie in the dump: %s' % [hex(m['cookie']) for m in att if m['sport'] == cport])
t0 = now(); c.close(); time.sleep(0.1)
ev = [m for m in lc.find(port)]
print('   destroy event(s): %s' % [(m['state_name'], hex(m['cookie']), m['rx'] - t0) for m in ev])
tw = in_ns(C, lambda: diag.dump(states=diag.mask(5, 6), ext=0)[1])
print('   minisocket in the dump: %s' % [(m['state_name'], m['timer'], m['expires'], hex(m['cookie'])) for m in tw if m['sport'] == cport])


def exact(sport, dport, src, dst):
    """SOCK_DIAG_BY_FAMILY get-one (no NLM_F_DUMP) for a 4-tuple, cookie wildcard (INET_DIAG_NOCOOKIE)."""
    sock = diag.diag_socket()
    sid = struct.pack('>HH', sport, dport) + socket.inet_aton(src) + b'\0' * 12 + socket.inet_aton(dst) + b'\0' * 12 \
        + struct.pack('=III', 0, 0xffffffff, 0xffffffff)
    body = struct.pack('=BBBBI', socket.AF_INET, socket.IPPROTO_TCP, diag.EXT_INFO, 0, 0xffffffff) + sid
    sock.send(struct.pack('=IHHII', 16 + len(body), diag.SOCK_DIAG_BY_FAMILY, diag.NLM_F_REQUEST, 99, 0) + body)
    buf = bytearray(65536); n = sock.recv_into(buf)
    out = list(diag.parse_datagram(buf, n)); sock.close()
    return out


t2 = now()
r = in_ns(C, lambda: exact(cport, port, '10.14.0.1', '10.14.0.2'))
print('   exact lookup of the 4-tuple (%.1f ms): %s' % (now() - t2, [(k, v if k != 'msg' else (v['state_name'], v['timer'], v['expires'], hex(v['cookie']), v['attrs'])) for k, v in r]))
r = in_ns(C, lambda: exact(cport + 1, port, '10.14.0.1', '10.14.0.2'))
print('   exact lookup of a 4-tuple that does not exist: %s' % r)
s.close()
