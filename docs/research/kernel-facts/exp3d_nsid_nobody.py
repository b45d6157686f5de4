#!/usr/bin/env python3
"""Issue 14 q3: (a) does a root-namespace NETLINK_LISTEN_ALL_NSID listener see a namespace with no nsid?
(b) run as 'nobody' inside a namespace: does joining the destroy groups / dumping need a capability?
    python3 exp3d_nsid_nobody.py NS_WITHOUT_ID  all_nsid
    ip netns exec NS setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all python3 exp3d_nsid_nobody.py NS nobody"""
import os, socket, struct, sys, threading, time
import diag
NS, WHAT = sys.argv[1], sys.argv[2]

def churn(n=3):
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(('127.0.0.1', 7380)); l.listen(8)
    for i in range(n):
        c = socket.create_connection(('127.0.0.1', 7380)); a, _ = l.accept()
        c.sendall(b'x'); a.recv(1); c.close(); a.close()
    l.close()

def drain(s, secs):
    s.settimeout(0.2); out = []; end = time.time() + secs
    while time.time() < end:
        try:
            data, anc, fl, addr = s.recvmsg(65536, 64)
        except socket.timeout:
            continue
        nsid = [struct.unpack('=i', v[:4])[0] for lv, ty, v in anc if lv == diag.SOL_NETLINK]
        out += [(m['state_name'], m['sport'], m['dport'], nsid, m['attrs'], m['uid'], m['rqueue'])
                for k, m in diag.parse_datagram(data, len(data)) if k == 'msg']
    return out

if WHAT == 'all_nsid':
    s = diag.destroy_socket(); s.setsockopt(diag.SOL_NETLINK, diag.NETLINK_LISTEN_ALL_NSID, 1)
    home = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
    diag.enter(NS); churn(); diag._libc.setns(home, diag.CLONE_NEWNET)
    ev = drain(s, 1.0)
    mine = [e for e in ev if 7380 in (e[1], e[2])]
    print('root ALL_NSID listener, churn in %s (nsid assigned: %s): %d events of the churn (port 7380) %s; '
          '%d other events (nsid of each: %s)' % (NS, os.popen('ip netns list-id').read().count(NS) > 0, len(mine),
                                                  mine[:2], len(ev) - len(mine), sorted({str(e[3]) for e in ev if e not in mine})))
else:
    print('uid=%d euid=%d CapEff=%s' % (os.getuid(), os.geteuid(),
          [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0]))
    try:
        s = diag.destroy_socket(via_bind=False)
        print('NETLINK_ADD_MEMBERSHIP groups 1 and 3: ok')
    except OSError as e:
        print('NETLINK_ADD_MEMBERSHIP: %s' % e); s = None
    try:
        s2 = diag.destroy_socket(via_bind=True)
        print('bind(nl_groups=0b101): ok'); s2.close()
    except OSError as e:
        print('bind(nl_groups): %s' % e)
    try:
        s3 = diag.destroy_socket(rcvbuf=4 << 20, force=True); print('SO_RCVBUFFORCE 4 MiB: ok')
    except OSError as e:
        print('SO_RCVBUFFORCE: %s' % e)
    s4 = diag.destroy_socket(rcvbuf=4 << 20)
    print('SO_RCVBUF 4 MiB asked -> effective %d (net.core.rmem_max=%s)' % (
        s4.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), open('/proc/sys/net/core/rmem_max').read().strip()))
    try:
        s5 = diag.destroy_socket(); s5.setsockopt(diag.SOL_NETLINK, diag.NETLINK_LISTEN_ALL_NSID, 1)
        print('NETLINK_LISTEN_ALL_NSID: ok')
    except OSError as e:
        print('NETLINK_LISTEN_ALL_NSID: %s' % e)
    threading.Thread(target=churn).start()
    ev = drain(s, 1.0) if s else []
    print('events received as nobody: %d (churn: 3 connections + listener = 7 sockets), e.g. %s' % (len(ev), ev[:3]))
    hold = socket.socket(); hold.bind(('127.0.0.1', 7381)); hold.listen(4)
    hc = socket.create_connection(('127.0.0.1', 7381)); ha, _ = hold.accept(); hc.shutdown(socket.SHUT_WR)
    time.sleep(0.1)
    t, rows = diag.dump(ext=diag.EXT_INFO, states=diag.mask(1, 5, 6, 8, 10))
    for m in rows:
        if 7381 in (m['sport'], m['dport']):
            print('  as nobody: %-10s uid=%d attrs=%s shutdown=%s lastack=%s' % (m['state_name'], m['uid'], m['attrs'], m.get('shutdown'), (m.get('info') or {}).get('last_ack_recv')))
    print('dump as nobody: %d sockets; attrs of a full socket %s; minisocket attrs %s' % (
        len(rows), sorted({tuple(m['attrs']) for m in rows if m['inode'] or m['state'] == 10}),
        sorted({tuple(m['attrs']) for m in rows if m['timer'] == 3})))
