#!/usr/bin/env python3
"""Issue 14 q2: an orphaned FIN_WAIT1 (close() while the FIN is unacknowledged): timer, expires, shutdown, INFO;
and ss -tanoie vs this dump side by side (cookie = sk:).  python3 exp2f_orphan_fw1.py NS  (root; uses nft)"""
import socket, subprocess, sys, time
import diag
NS = sys.argv[1]
diag.enter(NS)
sh = lambda c: subprocess.run(['sh', '-c', c], capture_output=True, text=True).stdout
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7960)); l.listen(4)
c = socket.create_connection(('127.0.0.1', 7960)); s, _ = l.accept(); cp = c.getsockname()[1]
c.sendall(b'x'); s.recv(1)
sh('nft add table inet fwr14; nft "add chain inet fwr14 in { type filter hook input priority 0; }"; '
   'nft add rule inet fwr14 in tcp dport 7960 tcp flags fin drop')
c.close()   # FIN dropped: orphan FIN_WAIT1
for k in range(3):
    time.sleep(0.5)
    t, rows = diag.dump(ext=diag.EXT_INFO)
    for m in rows:
        if m['sport'] == cp:
            print('t=+%.1fs %s timer=%d expires=%d inode=%d shutdown=%s attrs=%s retrans=%d wq=%d' % (
                0.5 * (k + 1), m['state_name'], m['timer'], m['expires'], m['inode'], m.get('shutdown'), m['attrs'],
                m['info']['retransmits'], m['wqueue']))
print(sh('ss -tanoie sport = :%d' % cp))
print('this dump: cookie=%x' % [m for m in diag.dump(ext=0)[1] if m['sport'] == cp][0]['cookie'])
sh('nft delete table inet fwr14')
