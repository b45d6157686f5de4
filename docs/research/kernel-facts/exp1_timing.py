#!/usr/bin/env python3
"""Issue 14, question 1: which tcp_info field marks entry into FIN_WAIT2 / CLOSE_WAIT, and what moves it later.

Run as root after `topo.sh up SFX` (client ns fwr14c-SFX 10.14.0.1, server ns fwr14s-SFX 10.14.0.2):
    python3 exp1_timing.py SFX [scenario ...]
Scenarios: quiet peerdata ka_fw2 ka_cw ackdrop fw1drop zerowin
Every line prints, per end, poll-relative ages (ms) of lastsnd/lastrcv/lastack and the derived
`since = poll - lastack` versus the recorded event time (err = since - event, ms).
"""
import os
import socket
import subprocess
import sys
import threading
import time

import diag

SFX = sys.argv[1]
C, S = 'fwr14c-' + SFX, 'fwr14s-' + SFX
HOME = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
CADDR, SADDR = '10.14.0.1', '10.14.0.2'
if os.environ.get('LOOP'):       # both ends on the server namespace's loopback
    C, CADDR, SADDR = S, '127.0.0.1', '127.0.0.1'
PORT = [7000]


def now():
    return time.time() * 1000


def in_ns(ns, fn):
    diag.enter(ns)
    try:
        return fn()
    finally:
        diag._libc.setns(HOME, diag.CLONE_NEWNET)


DIAG = {C: in_ns(C, diag.diag_socket), S: in_ns(S, diag.diag_socket)}


def sh(ns, cmd):
    return subprocess.run(['ip', 'netns', 'exec', ns, 'sh', '-c', cmd], capture_output=True, text=True).stdout


def pair(keepalive=None, server_rcvbuf=None):
    PORT[0] += 1
    port = PORT[0]

    def mk_listener():
        l = socket.socket()
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if server_rcvbuf:
            l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, server_rcvbuf)
        l.bind((SADDR, port))
        l.listen(8)
        return l

    l = in_ns(S, mk_listener)
    c = in_ns(C, socket.socket)
    c.connect((SADDR, port))
    s, _ = l.accept()
    l.close()
    if os.environ.get('QUICKACK'):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    for who, sk in (('client', c), ('server', s)):
        if keepalive and who in keepalive:
            sk.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
            sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    return c, s, port


def look(port, events, label=''):
    """Dumps both namespaces and prints this connection's two ends."""
    for ns, end in ((C, 'client'), (S, 'server')):
        t, rows = diag.dump(DIAG[ns], ext=diag.EXT_INFO)
        if C == S:
            rows = [m for m in rows if (m['dport'] == port) == (end == 'client')]
        for m in rows:
            if (end == 'client' and m['dport'] == port) or (end == 'server' and m['sport'] == port
                                                                and m['dst'] == CADDR):
                i = m.get('info')
                line = '  %-6s t=+%6.0f %-11s tmr=%d exp=%5d rq=%d wq=%d shut=%s' % (
                    end, t - T0[0], m['state_name'], m['timer'], m['expires'], m['rqueue'], m['wqueue'],
                    m.get('shutdown'))
                if i:
                    line += ' lastsnd=%5d lastrcv=%5d lastack=%5d rtx=%d/%d bo=%d' % (
                        i['last_data_sent'], i['last_data_recv'], i['last_ack_recv'], i['retransmits'],
                        i['total_retrans'], i['backoff'])
                    if os.environ.get('RTO'):
                        line += ' rto_time=%d rto=%d lastacksent=%d' % (i['total_rto_time'], i['rto_us'] // 1000,
                                                                        i['last_ack_sent'])
                    for name, ev in events.items():
                        if ev is not None and ev[0] == end:
                            line += ' | %s: since(lastack)=+%.0f err=%+.0f' % (
                                name, t - i['last_ack_recv'] - T0[0], (t - i['last_ack_recv']) - ev[1])
                print(line + ' ' + label)


T0 = [0]


def scenario_quiet():
    """Data at t=0, client shutdown(SHUT_WR) at t=1000 ms, both ends idle after."""
    c, s, port = pair()
    T0[0] = now()
    c.sendall(b'q' * 100); s.recv(100); s.sendall(b'r' * 100); c.recv(100)
    time.sleep(1.0)
    tshut = now(); c.shutdown(socket.SHUT_WR)
    print('  shutdown(SHUT_WR) at +%.0f' % (tshut - T0[0]))
    ev = {'fw2': ('client', tshut), 'cw': ('server', tshut)}
    for d in (0.3, 1.0, 2.5):
        time.sleep(d)
        look(port, ev)
    print(sh(C, 'ss -tanoie dport = :%d' % port))
    print(sh(S, 'ss -tanoie sport = :%d' % port))
    s.recv(10)   # read EOF: rqueue drops from 1 to 0
    look(port, ev, '(server read EOF)')
    return c, s


def scenario_peerdata():
    """Server keeps sending to the FIN_WAIT2 client every 700 ms after the shutdown."""
    c, s, port = pair()
    T0[0] = now()
    c.sendall(b'q'); s.recv(1)
    time.sleep(0.5)
    tshut = now(); c.shutdown(socket.SHUT_WR)
    ev = {'fw2': ('client', tshut), 'cw': ('server', tshut)}
    time.sleep(0.5); look(port, ev, '(before peer data)')
    for k in range(3):
        time.sleep(0.7)
        ts = now(); s.sendall(b'd' * 10)
        print('  server sends 10 bytes at +%.0f' % (ts - T0[0]))
        time.sleep(0.2)
        look(port, ev)
    c.recv(100)
    time.sleep(0.5)
    look(port, ev, '(client read the data)')
    return c, s


def scenario_keepalive(who):
    c, s, port = pair(keepalive=(who,))
    T0[0] = now()
    c.sendall(b'q'); s.recv(1)
    time.sleep(0.3)
    tshut = now(); c.shutdown(socket.SHUT_WR)
    ev = {'fw2': ('client', tshut), 'cw': ('server', tshut)}
    print('  keepalive (idle 1 s, intvl 1 s) on %s; shutdown at +%.0f' % (who, tshut - T0[0]))
    for k in range(5):
        time.sleep(0.8)
        look(port, ev)
    return c, s


def scenario_cwsend():
    """HTTP-like: client sends a request and shuts down; the CLOSE_WAIT server answers 300 ms later."""
    c, s, port = pair()
    T0[0] = now()
    c.sendall(b'GET'); tshut = now(); c.shutdown(socket.SHUT_WR); s.recv(3)
    ev = {'fw2': ('client', tshut), 'cw': ('server', tshut)}
    time.sleep(0.3); look(port, ev, '(before the answer)')
    ts = now(); s.sendall(b'answer'); print('  server answers at +%.0f' % (ts - T0[0]))
    time.sleep(0.3); look(port, ev, '(after the answer)')
    c.recv(10); time.sleep(0.2); look(port, ev, '(client read it)')
    return c, s


def nft(ns, rule):
    sh(ns, 'nft add table inet fwr14; nft "add chain inet fwr14 out { type filter hook output priority 0; }"; '
           'nft "add chain inet fwr14 in { type filter hook input priority 0; }"; nft add rule inet fwr14 ' + rule)


def nft_flush(ns):
    sh(ns, 'nft delete table inet fwr14')


def scenario_ackdrop():
    """Server's ACK of the client's FIN is dropped for 2 s: client lingers in FIN_WAIT1 retransmitting its FIN."""
    c, s, port = pair()
    T0[0] = now()
    c.sendall(b'q'); s.recv(1)
    time.sleep(0.3)
    nft(S, 'out tcp sport %d drop' % port)
    tshut = now(); c.shutdown(socket.SHUT_WR)
    ev = {'cw': ('server', tshut)}
    print('  server->client dropped from +%.0f; shutdown at +%.0f' % (tshut - T0[0] - 1, tshut - T0[0]))
    for k in range(4):
        time.sleep(0.6)
        look(port, ev)
    tlift = now(); nft_flush(S)
    print('  drop lifted at +%.0f' % (tlift - T0[0]))
    # the next FIN retransmission is answered: FIN_WAIT2 is entered then
    for k in range(6):
        time.sleep(0.5)
        look(port, ev)
    return c, s


def scenario_fw1drop():
    """Client's FIN never reaches the server for 2.5 s (client->server dropped at the server's input)."""
    c, s, port = pair()
    T0[0] = now()
    c.sendall(b'q'); s.recv(1)
    time.sleep(0.3)
    nft(S, 'in tcp dport %d drop' % port)
    tshut = now(); c.shutdown(socket.SHUT_WR)
    print('  client->server dropped; shutdown at +%.0f' % (tshut - T0[0]))
    for k in range(4):
        time.sleep(0.6)
        look(port, {})
    tlift = now(); nft_flush(S)
    print('  drop lifted at +%.0f' % (tlift - T0[0]))
    for k in range(6):
        time.sleep(0.5)
        look(port, {})
    return c, s


def scenario_zerowin():
    """Server never reads; client fills the window then shuts down: FIN queued behind data, FIN_WAIT1 lingers."""
    c, s, port = pair(server_rcvbuf=4096)
    T0[0] = now()
    c.setblocking(False)
    sent = 0
    try:
        while True:
            sent += c.send(b'z' * 65536)
    except BlockingIOError:
        pass
    time.sleep(0.5)
    try:
        while True:
            sent += c.send(b'z' * 65536)
    except BlockingIOError:
        pass
    tshut = now(); c.shutdown(socket.SHUT_WR)
    print('  client queued %d bytes, shutdown at +%.0f' % (sent, tshut - T0[0]))
    for k in range(4):
        time.sleep(0.8)
        look(port, {})
    return c, s


if __name__ == '__main__':
    names = sys.argv[2:] or ['quiet', 'peerdata', 'ka_fw2', 'ka_cw', 'ackdrop', 'fw1drop', 'zerowin', 'cwsend']
    keep = []
    for n in names:
        print('== ' + n)
        if n == 'ka_fw2':
            keep.append(scenario_keepalive('client'))
        elif n == 'ka_cw':
            keep.append(scenario_keepalive('server'))
        else:
            keep.append(globals()['scenario_' + n]())
    for c, s in keep:
        c.close(); s.close()
