#!/usr/bin/env python3
"""Issue 14, question 2: how idiag_expires of an orphan predicts the moment the kernel reaps it.

    python3 exp2_reap.py NETNS N [GAP_MS]
In NETNS (its net.ipv4.tcp_fin_timeout is whatever the caller set), makes N loopback connections whose client
calls shutdown(SHUT_WR), waits for the FIN to be acked (FIN_WAIT2), then close()s: an orphan FIN_WAIT2.
Closes are GAP_MS apart (default 137 ms, so they fall on different timer-wheel positions). Then polls the
namespace (legacy dump, states FIN_WAIT2|TIME_WAIT, ext=0) as fast as it can, remembers every (poll, timer,
expires) per socket, and when a socket is gone reports:
  life      = reaped - close()
  err_first = reaped - (first poll + its expires)      the prediction a collector makes on first sight
  err_last  = reaped - (last poll + its expires)       the prediction made just before the reap
  err range over all polls
`reaped` = midpoint of the last poll that saw it and the first that did not (the gap is printed: resolution).
"""
import socket
import math
import re
import statistics
import threading
import sys
import time

import diag

NS, N = sys.argv[1], int(sys.argv[2])
GAP = (int(sys.argv[3]) if len(sys.argv) > 3 else 137) / 1000
diag.enter(NS)
fin = int(open('/proc/sys/net/ipv4/tcp_fin_timeout').read())
print('netns %s tcp_fin_timeout=%d N=%d gap=%.0f ms' % (NS, fin, N, GAP * 1000))

l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(('127.0.0.1', 7200)); l.listen(64)
dsk = diag.diag_socket()
closed = {}     # client port -> close() time ms
HZ_MS = 4   # CONFIG_HZ=250


def jiffies_offset():
    """K such that jiffies = floor((CLOCK_MONOTONIC ms + K) / HZ_MS), from /proc/timer_list (root).
    The file prints `now at` first and a `jiffies:` line later; a sample whose read was delayed in between
    overstates K, so keep the samples within one jiffy of the smallest and take their largest."""
    ks = []
    for _ in range(50):
        txt = open('/proc/timer_list').read()
        now = int(re.search(r'now at (\d+) nsecs', txt).group(1)) / 1e6
        j = int(re.search(r'jiffies: (\d+)', txt).group(1))
        ks.append(j * HZ_MS - now)
        time.sleep(0.0013)
    low = min(ks)
    return max(k for k in ks if k < low + HZ_MS)


def wheel_fire(poll_ms, expires_ms, K, fin_s):
    """Monotonic ms at which the timer wheel runs a timer that has expires_ms left at poll_ms and was armed
    fin_s seconds long: rounded up to the next bucket of the wheel level the arming delta fell in."""
    armed = fin_s * 1000 // HZ_MS
    lvl = 0
    while lvl < 8 and armed >= (63 << (3 * lvl)):
        lvl += 1
    shift = 3 * lvl
    jnow = math.floor((poll_ms + K) / HZ_MS)
    e = jnow + expires_ms // HZ_MS
    fire = ((e >> shift) + 1) << shift
    return fire * HZ_MS - K


seen = {}       # port -> list of (poll_ms, state, timer, expires, inode)
gone = {}
done = threading.Event()


def poller():
    psk = diag.diag_socket()
    while len(gone) < N:
        t = time.monotonic_ns() / 1e6
        _, rows = diag.dump(psk, states=diag.mask(5, 6), ext=0)
        present = set()
        for m in rows:
            if m['sport'] in closed and m['inode'] == 0:
                present.add(m['sport'])
                seen.setdefault(m['sport'], []).append((t, m['state'], m['timer'], m['expires'], m['inode']))
        for p in list(closed):
            if p in seen and p not in present and p not in gone:
                gone[p] = ((seen[p][-1][0] + t) / 2, t - seen[p][-1][0])
        time.sleep(0.001)
    done.set()


servers = []
threading.Thread(target=poller, daemon=True).start()
for i in range(N):
    c = socket.create_connection(('127.0.0.1', 7200))
    s, _ = l.accept(); servers.append(s)
    c.sendall(b'x'); s.recv(1)
    c.shutdown(socket.SHUT_WR)
    port = c.getsockname()[1]
    while True:      # until the FIN is acked: FIN_WAIT2
        _, rows = diag.dump(dsk, states=diag.mask(5), ext=0)
        if any(m['sport'] == port for m in rows):
            break
        time.sleep(0.002)
    closed[port] = time.monotonic_ns() / 1e6
    c.close()
    time.sleep(GAP)

done.wait()
K = jiffies_offset()

ef, el, ea, res, ew, ewa = [], [], [], [], [], []
for p in sorted(closed, key=closed.get):
    obs = seen[p]
    reaped, gap = gone[p]
    errs = [reaped - (t + e) for t, _, _, e, _ in obs]
    werrs = [reaped - wheel_fire(t, e, K, fin) for t, _, _, e, _ in obs if e > 0]
    ew.append(werrs[0]); ewa += werrs
    kinds = sorted({(st, tm) for _, st, tm, _, _ in obs})
    ef.append(errs[0]); el.append(errs[-1]); ea += errs; res.append(gap)
    print('port %5d err_wheel first=%+.1f range=[%+.1f,%+.1f]' % (p, werrs[0], min(werrs), max(werrs)))
    print('port %5d life=%6.0f ms  first: timer=%d expires=%5d  err_first=%+6.0f err_last=%+6.0f '
          'err[min,max]=[%+.0f,%+.0f] polls=%d (state,timer)=%s resolution=%.1f ms' % (
              p, reaped - closed[p], obs[0][2], obs[0][3], errs[0], errs[-1], min(errs), max(errs), len(obs),
              kinds, gap))
zeros = [(p, t) for p in closed for t, _, _, e, _ in seen[p] if e == 0]
overdue = [gone[p][0] - min(t for q, t in zeros if q == p) for p in {q for q, _ in zeros}]
print('sockets still listed with expires == 0 ("overdue"): %d of %d, for up to %.0f ms before the reap' % (
    len(overdue), N, max(overdue) if overdue else 0))
print('err_wheel (reap - predicted bucket) first sight: min %+.1f median %+.1f max %+.1f; all polls: min %+.1f max %+.1f'
      % (min(ew), statistics.median(ew), max(ew), min(ewa), max(ewa)))
print('err_first ms: min %+.0f median %+.0f max %+.0f | err_last: min %+.0f median %+.0f max %+.0f | '
      'all polls: min %+.0f max %+.0f | mean poll gap %.1f ms' % (
          min(ef), statistics.median(ef), max(ef), min(el), statistics.median(el), max(el), min(ea), max(ea),
          statistics.mean(res)))
