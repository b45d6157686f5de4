#!/usr/bin/env python3
"""Issue 14, question 3: sock_diag destroy notifications (SKNLGRP_INET_TCP_DESTROY / SKNLGRP_INET6_TCP_DESTROY).

    python3 exp3_destroy.py SFX lifecycle     # what each kind of ending announces, latency, attributes
    python3 exp3_destroy.py SFX scope         # per namespace? NETLINK_LISTEN_ALL_NSID from the root namespace?
    python3 exp3_destroy.py SFX overflow [RCVBUF]   # how many events a receive buffer holds, ENOBUFS
    python3 exp3_destroy.py SFX listen SECONDS      # print every event of the calling process's namespace
(client ns fwr14c-SFX 10.14.0.1, server ns fwr14s-SFX 10.14.0.2, made by topo.sh up SFX)
"""
import errno
import os
import socket
import struct
import sys
import threading
import time

import diag

SFX, WHAT = sys.argv[1], sys.argv[2]
C, S = 'fwr14c-' + SFX, 'fwr14s-' + SFX
HOME = os.open('/proc/thread-self/ns/net', os.O_RDONLY)


def in_ns(ns, fn):
    diag.enter(ns)
    try:
        return fn()
    finally:
        diag._libc.setns(HOME, diag.CLONE_NEWNET)


def now():
    return time.monotonic_ns() / 1e6


class Listener:
    """Receives destroy events on a netlink socket made in `ns` (None: the caller's namespace)."""

    def __init__(self, ns, name, rcvbuf=None, all_nsid=False):
        self.name, self.events, self.errors = name, [], []
        mk = lambda: diag.destroy_socket(rcvbuf=rcvbuf, force=bool(rcvbuf))
        self.sock = in_ns(ns, mk) if ns else mk()
        if all_nsid:
            self.sock.setsockopt(diag.SOL_NETLINK, diag.NETLINK_LISTEN_ALL_NSID, 1)
        self.all_nsid = all_nsid
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            try:
                data, anc, flags, addr = self.sock.recvmsg(65536, 64)
            except OSError as e:
                self.errors.append((now(), e.errno))
                continue
            t = now()
            nsid = None
            for level, typ, val in anc:
                if level == diag.SOL_NETLINK and typ == diag.NETLINK_LISTEN_ALL_NSID:
                    nsid = struct.unpack('=i', val[:4])[0]
            for kind, m in diag.parse_datagram(data, len(data)):
                if kind == 'msg':
                    m['rx'] = t
                    m['nsid'] = nsid
                    m['group'] = addr[1] if isinstance(addr, tuple) else None
                    self.events.append(m)

    def find(self, port):
        return [m for m in self.events if port in (m['sport'], m['dport'])]


def show(m, t0, what=''):
    i = m.get('info') or {}
    print('    [%s] +%6.1f ms %-11s %s:%d>%s:%d tmr=%d exp=%d rq=%d wq=%d uid=%d ino=%d cookie=%x attrs=%s '
          'tcpi_state=%s lastack=%s lastrcv=%s bytes_rcvd=%s nsid=%s %s' % (
              m.get('listener', ''), m['rx'] - t0, m['state_name'], m['src'], m['sport'], m['dst'], m['dport'],
              m['timer'], m['expires'], m['rqueue'], m['wqueue'], m['uid'], m['inode'], m['cookie'],
              ','.join(map(str, m['attrs'])), i.get('state'), i.get('last_ack_recv'), i.get('last_data_recv'),
              i.get('bytes_received'), m['nsid'], what))


PORT = [7300]


def conn():
    PORT[0] += 1
    port = PORT[0]

    def mk():
        l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(('10.14.0.2', port)); l.listen(8)
        return l
    l = in_ns(S, mk)
    c = in_ns(C, socket.socket)
    c.connect(('10.14.0.2', port))
    s, _ = l.accept()
    l.close()
    return c, s, port


def lifecycle():
    lc, ls = Listener(C, 'C'), Listener(S, 'S')
    time.sleep(0.1)
    cases = []

    def report(title, port, t0, wait=0.5):
        time.sleep(wait)
        print('== %s (port %d); times relative to the last action' % (title, port))
        for L in (lc, ls):
            for m in L.find(port):
                m['listener'] = L.name
                show(m, t0)
        print('    (listener of the namespace: C=client 10.14.0.1, S=server 10.14.0.2)')

    # 1. opened, used and closed within 100 ms: client closes first (client -> TIME_WAIT), then server
    t_open = now()
    c, s, port = conn(); c.sendall(b'hello'); s.recv(5); s.sendall(b'world'); c.recv(5)
    c.close(); t_c = now(); s.recv(1); s.close(); t_s = now()
    print('   short-lived: open->client close %.1f ms, server close at +%.1f ms' % (t_c - t_open, t_s - t_c))
    report('short-lived connection, client closes first', port, t_c)

    # 2. server in CLOSE_WAIT closes after 300 ms: LAST_ACK then CLOSE
    c, s, port = conn(); c.shutdown(socket.SHUT_WR); time.sleep(0.3)
    t0 = now(); s.close()
    report('server closes its CLOSE_WAIT end while the client is attached in FIN_WAIT2 (then client closes)', port,
           t0)
    t1 = now(); c.close()
    report('... client closes its FIN_WAIT2 end (already got the FIN: TIME_WAIT)', port, t1)

    # 3. orphan FIN_WAIT2: client shut+acked, then closed -> time-wait minisocket with substate FIN_WAIT2
    c, s, port = conn(); c.sendall(b'x'); s.recv(1); c.shutdown(socket.SHUT_WR); time.sleep(0.2)
    t0 = now(); c.close()
    report('client closes an attached FIN_WAIT2 (orphan -> FIN_WAIT2 minisocket, fin_timeout 3 s)', port, t0,
           wait=4.5)
    print('    (server still holds its CLOSE_WAIT end; the FIN_WAIT2 minisocket was reaped by now)')
    cases.append(s)

    # 4. abort with RST (SO_LINGER 0)
    c, s, port = conn()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    t0 = now(); c.close()
    report('client aborts with RST (SO_LINGER 0)', port, t0)
    s.close()

    # 5. connect refused (never established)
    c = in_ns(C, socket.socket)
    t0 = now()
    try:
        c.connect(('10.14.0.2', 7399))
    except OSError as e:
        print('   connect: %s' % e)
    cport = c.getsockname()[1]
    c.close()
    report('connect() refused, then close()', cport, t0)

    # 6. an accept-queue child the application never accepted: listener closed
    def mk():
        l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(('10.14.0.2', 7398)); l.listen(8)
        return l
    l = in_ns(S, mk)
    c = in_ns(C, socket.socket); c.connect(('10.14.0.2', 7398)); time.sleep(0.05)
    t0 = now(); l.close()
    report('listener closed with one unaccepted child (and the listener itself)', 7398, t0)
    c.close()

    # 7. a TIME_WAIT minisocket expiring (60 s): does its end get announced?
    c, s, port = conn(); c.close(); time.sleep(0.05); s.close()
    t0 = now()
    print('== waiting 63 s for the TIME_WAIT minisocket of port %d to expire' % port)
    before = {L.name: len(L.find(port)) for L in (lc, ls)}
    time.sleep(63)
    tw = in_ns(C, lambda: diag.dump(states=diag.mask(6), ext=0)[1])
    print('   TIME_WAIT still present: %s' % any(m['dport'] == port for m in tw))
    after = {L.name: len(L.find(port)) for L in (lc, ls)}
    print('   events for the port before the wait %s, after %s' % (before, after))
    for L in (lc, ls):
        for m in L.find(port):
            m['listener'] = L.name
            show(m, t0)
    print('errors: C %s S %s' % (lc.errors, ls.errors))


def scope():
    """Which namespaces' endings a listener sees."""
    root = Listener(None, 'root')
    root_all = Listener(None, 'root+ALL_NSID', all_nsid=True)
    lc = Listener(C, 'C')
    time.sleep(0.1)
    c, s, port = conn(); c.sendall(b'x'); s.recv(1)
    t0 = now()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); s.close()   # server end dies (RST)
    time.sleep(0.3)
    # the client end dies with the RST
    c.close()
    time.sleep(0.5)
    for L in (root, root_all, lc):
        evs = L.find(port)
        print('listener %-14s saw %d event(s) for port %d' % (L.name, len(evs), port))
        for m in evs:
            m['listener'] = L.name
            show(m, t0)
    os.system('ip netns list-id; ip netns list')


def rmem_of(sock, ns):
    ino = os.fstat(sock.fileno()).st_ino
    for line in in_ns(ns, lambda: open('/proc/net/netlink').read()).splitlines():
        f = line.split()
        if f and f[-1] == str(ino):
            return int(f[4]), int(f[8])
    return None, None


def overflow():
    """Subscribe, do not read, make connections die, wait until the kernel stops queueing, then count."""
    rcvbuf = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 3000
    s = in_ns(S, lambda: diag.destroy_socket(rcvbuf=rcvbuf or None, force=bool(rcvbuf)))
    eff = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    print('SO_RCVBUF asked %s, effective %d; making %d connections die in the server namespace' % (
        rcvbuf or 'default', eff, n))

    def churn():
        l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(('127.0.0.1', 7390)); l.listen(512)
        for i in range(n):
            c = socket.create_connection(('127.0.0.1', 7390))
            a, _ = l.accept()
            for x in (c, a):
                x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                x.close()
        l.close()
    t0 = now()
    in_ns(S, churn)
    t1 = now()
    last, stable_since = None, now()
    while now() - stable_since < 1000:          # the kernel queues destroy events from a workqueue: wait for it
        r = rmem_of(s, S)
        if r != last:
            last, stable_since = r, now()
        time.sleep(0.05)
    print('  queueing stopped %.0f ms after the last close; /proc/net/netlink Rmem=%d Drops=%d '
          '(Rmem per queued event below)' % (stable_since - t1, last[0], last[1]))
    got, err, bytes_ = 0, None, 0
    s.settimeout(0.5)
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        except OSError as e:
            err = e.errno
            print('  recv -> %s after %d messages' % (errno.errorcode.get(e.errno), got))
            continue
        got += 1
        bytes_ += len(data)
    print('  %d sockets destroyed in %.0f ms; %d events queued (%d bytes of netlink data, %.0f B each; '
          '%.0f B of Rmem each), error %s' % (2 * n + 1, t1 - t0, got, bytes_, bytes_ / max(got, 1),
                                               last[0] / max(got, 1), errno.errorcode.get(err)))


def latency():
    """Reader running; N server ends die by RST (unread data keeps the addresses); lag = event rx - close()."""
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    L = Listener(S, 'S', rcvbuf=32 << 20)
    time.sleep(0.1)
    closed = {}

    def churn():
        l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(('127.0.0.1', 7391)); l.listen(512)
        cs = []
        for i in range(n):
            c = socket.create_connection(('127.0.0.1', 7391))
            a, _ = l.accept()
            c.sendall(b'u')
            time.sleep(0) 
            cs.append((c, a))
        for c, a in cs:
            p = c.getsockname()[1]
            closed[p] = now(); a.close()       # unread byte -> RST, socket destroyed now
        l.close()
        for c, a in cs:
            c.close()
    in_ns(S, churn)
    t1 = now()
    time.sleep(3)
    lags = sorted(m['rx'] - closed[m['dport']] for m in L.events if m['sport'] == 7391 and m['dport'] in closed)
    q = lambda f: lags[min(len(lags) - 1, int(f * len(lags)))]
    print('%d server ends closed in a burst of %.0f ms; %d events; lag close->receipt ms: p50 %.1f p90 %.1f p99 %.1f '
          'max %.1f; errors %s' % (n, t1 - min(closed.values()), len(lags), q(.5), q(.9), q(.99), lags[-1],
                                   L.errors))


def listen():
    secs = float(sys.argv[3])
    L = Listener(None, 'here')
    t0 = now()
    time.sleep(secs)
    print('uid=%d euid=%d netns=%d events=%d errors=%s' % (os.getuid(), os.geteuid(), diag.netns_inode(),
                                                            len(L.events), L.errors))
    for m in L.events:
        show(m, t0)


{'lifecycle': lifecycle, 'scope': scope, 'overflow': overflow, 'listen': listen, 'latency': latency}[WHAT]()
