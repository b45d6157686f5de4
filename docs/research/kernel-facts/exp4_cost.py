#!/usr/bin/env python3
"""Issue 14, question 4: what INET_DIAG_INFO costs on a 10k-socket namespace.
    ../shared/tools/socket-load start 10000 20 fwr14;  python3 exp4_cost.py fwr14 ROUNDS;  ... stop fwr14
Interleaves, ROUNDS times: `ss -tan` vs `ss -tani` (20 runs each, CPU of the children from rusage), and the
Java prototype (200 dumps each: all states / narrowed, ext none / INFO). Prints the load average around it."""
import os, resource, subprocess, sys, time
import diag
NS, ROUNDS = sys.argv[1], int(sys.argv[2])
JNA = os.path.expanduser('~/.m2/repository/net/java/dev/jna/jna/5.18.1/jna-5.18.1.jar')
HERE = os.path.dirname(os.path.abspath(__file__))
diag.enter(NS)

def ss(args, n=20):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN); w0 = time.perf_counter(); out = 0
    for _ in range(n):
        out = len(subprocess.run(['ss'] + args, capture_output=True).stdout)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN); w = time.perf_counter() - w0
    return (w / n * 1000, (r1.ru_utime - r0.ru_utime) / n * 1000, (r1.ru_stime - r0.ru_stime) / n * 1000, out)

print(os.popen('uptime').read().strip())
print('sockets in %s: %s' % (NS, subprocess.run(['ss', '-tanH'], capture_output=True, text=True).stdout.count('\n')))
for r in range(ROUNDS):
    a = ss(['-tan']); b = ss(['-tani']); c = ss(['-tan', 'state', 'fin-wait-2']); d = ss(['-tani', 'state', 'fin-wait-2'])
    print('round %d ss -tan : wall %.1f ms user %.1f sys %.1f (%d B out) | ss -tani: wall %.1f ms user %.1f sys %.1f '
          '(%d B out) | ratio wall %.2f sys %.2f' % (r, *a, *b, b[0] / a[0], b[2] / a[2]))
    print('        ss -tan state fin-wait-2: wall %.1f sys %.1f | -tani: wall %.1f sys %.1f' % (c[0], c[2], d[0], d[2]))
    for st in ('all', 'narrow'):
        for ext in ('none', 'info'):
            o = subprocess.run(['java', '-Xshare:auto', '-cp', JNA, HERE + '/java/DiagDump.java', '/proc/self/ns/net',
                                st, ext, 'bench', '200'], capture_output=True, text=True)
            print('        java ' + (o.stdout.strip() or o.stderr[-300:]))
print(os.popen('uptime').read().strip())
