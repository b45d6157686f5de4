#!/usr/bin/env python3
"""Issue 14, question 2: which attributes come with each kind of socket, the raw bytes, queues per state.

    python3 exp2_layout.py SFX        (after topo.sh up SFX)
Builds in the server namespace: a LISTEN socket with 2 connections waiting in its accept queue (backlog 7),
an ESTABLISHED pair with 3 unread bytes, an attached FIN_WAIT2 (shutdown(SHUT_WR), no close) and its CLOSE_WAIT
peer, an orphan FIN_WAIT2 (close() after the FIN was acked -> time-wait minisocket with substate FIN_WAIT2),
a real TIME_WAIT, a dual-stack IPv6 pair (::ffff:127.0.0.1), then dumps with ext=0 and ext=INFO, legacy
TCPDIAG_GETSOCK and SOCK_DIAG_BY_FAMILY, and with a state mask of FIN_WAIT2 only / TIME_WAIT only.
"""
import socket
import struct
import sys
import time

import diag

SFX = sys.argv[1]
NS = 'fwr14s-' + SFX
diag.enter(NS)   # this whole process lives in the server namespace from here on

keep = []


def pair(port, family=socket.AF_INET, host='127.0.0.1'):
    l = socket.socket(family)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((host, port))
    l.listen(7)
    c = socket.socket(family)
    c.connect((host, port))
    s, _ = l.accept()
    return l, c, s


# LISTEN with 2 not-yet-accepted connections
l = socket.socket(); l.bind(('127.0.0.1', 7100)); l.listen(7)
q1 = socket.create_connection(('127.0.0.1', 7100)); q2 = socket.create_connection(('127.0.0.1', 7100))
keep += [l, q1, q2]
# ESTABLISHED with 3 unread bytes on the server end
l2, c2, s2 = pair(7101); c2.sendall(b'abc'); keep += [c2, s2]; l2.close()
# attached FIN_WAIT2 / CLOSE_WAIT (unread: the FIN itself)
l3, c3, s3 = pair(7102); c3.shutdown(socket.SHUT_WR); keep += [c3, s3]; l3.close()
# orphan FIN_WAIT2: shutdown, let the FIN be acked, then close -> minisocket substate FIN_WAIT2
l4, c4, s4 = pair(7103); c4.shutdown(socket.SHUT_WR); time.sleep(0.2); c4.close(); keep += [s4]; l4.close()
# TIME_WAIT: client closes first, server closes after
l5, c5, s5 = pair(7104); c5.close(); time.sleep(0.1); s5.close(); l5.close()
# IPv6 dual stack, the way a Java socket looks
l6, c6, s6 = pair(7105, socket.AF_INET6, '::ffff:127.0.0.1'); keep += [c6, s6]; l6.close()
time.sleep(0.2)

WANT = {7100, 7101, 7102, 7103, 7104, 7105}


def show(title, **kw):
    print('== ' + title)
    _, rows = diag.dump(**kw)
    for m in rows:
        if m['sport'] in WANT or m['dport'] in WANT:
            extra = ''
            if 'info' in m:
                extra = ' info_len=%d tcpi_state=%d' % (m['info']['_len'], m['info']['state'])
            print('  fam=%-2d %-21s %-42s tmr=%d exp=%-5d rq=%-3d wq=%-3d uid=%-5d ino=%-6d shut=%s attrs=%s%s' % (
                m['family'], m['state_name'] + '(%d)' % m['state'], '%s:%d>%s:%d' % (m['src'], m['sport'], m['dst'],
                                                                                    m['dport']),
                m['timer'], m['expires'], m['rqueue'], m['wqueue'], m['uid'], m['inode'], m.get('shutdown'),
                ','.join(map(str, m['attrs'])), extra))


show('legacy TCPDIAG_GETSOCK, ext=0, all states', ext=0)
show('legacy TCPDIAG_GETSOCK, ext=INFO (0x02), all states', ext=diag.EXT_INFO)
show('SOCK_DIAG_BY_FAMILY AF_INET+AF_INET6, ext=INFO', ext=diag.EXT_INFO, legacy=False,
     families=(socket.AF_INET, socket.AF_INET6))
show('legacy, ext=INFO, states = 1<<FIN_WAIT2 only', ext=diag.EXT_INFO, states=diag.mask(5))
show('legacy, ext=INFO, states = 1<<TIME_WAIT only', ext=diag.EXT_INFO, states=diag.mask(6))

# raw bytes of one attached FIN_WAIT2 message, for the decoder's unit test
s = diag.diag_socket()
req, seq = diag.request(states=diag.mask(5), ext=diag.EXT_INFO)
s.send(req)
buf = bytearray(65536)
n = s.recv_into(buf)
off = 0
while off < n:
    length, typ = struct.unpack_from('=IH', buf, off)
    if typ == diag.TCPDIAG_GETSOCK:
        m = diag.parse_msg(buf, off + 16, length - 16)
        if m['dport'] == 7102:
            print('== raw TCPDIAG_GETSOCK reply for the attached FIN_WAIT2 (%d bytes), attribute walk:' % length)
            a = off + 16 + 72
            while a < off + length:
                alen, atype = struct.unpack_from('=HH', buf, a)
                print('  @%-3d nla_len=%-3d nla_type=%-2d (%s) payload[:16]=%s' % (
                    a - off, alen, atype, diag.ATTR.get(atype, '?'), bytes(buf[a + 4:a + min(alen, 20)]).hex()))
                a += (alen + 3) & ~3
            print('  hex: ' + bytes(buf[off:off + length]).hex())
    off += (length + 3) & ~3
print(open('/proc/net/tcp').read())
