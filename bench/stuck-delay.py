#!/usr/bin/env python3
"""STUCK delay past the kernel-true deadline, end to end through ./finwatch local (docs/benchmarks.md).

    sudo python3 bench/stuck-delay.py [ROUNDS] [FIN_TIMEOUT_S]      (defaults 20 and 3)

Starts ./finwatch local (its own home, broker and HTTP ports), then ROUNDS times: ./finwatch repro --netns
--fin-timeout FIN_TIMEOUT_S makes an attached FIN_WAIT2 socket in a new namespace; `ss -tanoi` inside it gives
the kernel's time the socket entered FIN_WAIT2 (now - lastack: its FIN was acknowledged then), so the kernel-true
deadline is that plus the fin timeout; the API is asked every 20 ms for the STUCK of that socket, and the delay is
when it first answered with it minus that deadline. Prints each round and the percentiles; the load average with
them. Only loopback and the namespaces repro makes and deletes.
"""
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
FIN = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def load():
    return open('/proc/loadavg').read().split()[:3]


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    home = tempfile.mkdtemp(prefix='finwatch-stuck-delay-')
    kafka, http = free_port(), free_port()
    api = 'http://127.0.0.1:%d' % http
    log = open(os.path.join(home, 'local.out'), 'w')
    local = subprocess.Popen([os.path.join(ROOT, 'finwatch'), 'local', '--home', home, '--kafka-port', str(kafka),
                              '--http', '127.0.0.1:%d' % http, '--host', 'stuck-delay'],
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    delays, skew = [], []
    try:
        deadline = time.time() + 300
        while True:
            try:
                get(api + '/api/hosts')
                break
            except Exception:
                if time.time() > deadline or local.poll() is not None:
                    sys.exit('finwatch local did not answer; see ' + log.name)
                time.sleep(0.5)
        print('finwatch local up (home %s); load %s' % (home, ' '.join(load())), flush=True)
        for i in range(ROUNDS):
            d = one_round(api, i)
            if d is not None:
                delays.append(d[0])
                skew.append(d[1])
    finally:
        os.killpg(local.pid, signal.SIGTERM)
        local.wait(60)
    if delays:
        print('STUCK delay past the kernel-true deadline over %d rounds: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms, '
              'min %d ms; load %s' % (len(delays), percentile(delays, 50), percentile(delays, 90),
                                      percentile(delays, 99), max(delays), min(delays), ' '.join(load())))
        print("finwatch's entered_at minus the kernel-true entry: median %d ms, min %d, max %d"
              % (statistics.median(skew), min(skew), max(skew)))


def one_round(api, i):
    repro = subprocess.Popen([os.path.join(ROOT, 'finwatch'), 'repro', '--netns', '--fin-timeout', '%ds' % FIN],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        ns = port = None
        for line in repro.stdout:
            m = re.search(r'created network namespace (\S+)', line)
            if m:
                ns = m.group(1)
            m = re.search(r'READY pid=\d+ attached=[^ ]*:(\d+) ', line)
            if m:
                port = int(m.group(1))
                break
        if ns is None or port is None:
            print('round %d: repro did not start' % i)
            return None
        # The kernel's age of the ACK of this end's FIN, read inside the namespace.
        t = time.time()
        ss = subprocess.run(['ip', 'netns', 'exec', ns, 'ss', '-tanoiH', 'state', 'fin-wait-2', 'sport', '=', ':%d' % port],
                            capture_output=True, text=True).stdout
        t = (t + time.time()) / 2
        m = re.search(r'lastack:(\d+)', ss)
        if not m:
            print('round %d: no lastack in %r' % (i, ss))
            return None
        entered = t - int(m.group(1)) / 1000.0
        kernel_deadline = entered + FIN
        while True:
            try:
                found = [a for a in get(api + '/api/anomalies?kind=STUCK&host=stuck-delay&limit=1000')
                         if a.get('local_port') == port]
            except Exception:
                found = []
            now = time.time()
            if found:
                break
            if now > kernel_deadline + 30:
                print('round %d: no STUCK 30 s past the deadline' % i)
                return None
            time.sleep(0.02)
        a = found[0]
        delay = int((now - kernel_deadline) * 1000)
        entered_api = time_ms(a['entered_at'])
        s = int(entered_api - entered * 1000)
        print('round %2d: port %d delay %5d ms (entered_at vs kernel %+d ms) load %s' % (i, port, delay, s, load()[0]),
              flush=True)
        return delay, s
    finally:
        os.killpg(repro.pid, signal.SIGTERM)
        repro.wait(60)


def time_ms(iso):
    from datetime import datetime
    return datetime.fromisoformat(iso.replace('Z', '+00:00')).timestamp() * 1000


if __name__ == '__main__':
    main()
