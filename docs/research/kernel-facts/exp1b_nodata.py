#!/usr/bin/env python3
"""Issue 14 q1: the FIN_WAIT2 ACK is immediate when the peer has received no data (SFX=... python3 exp1b_nodata.py)."""
import os, sys, time, socket
sys.argv=['x', os.environ.get('SFX', 'a1')]
import exp1_timing as e
for variant in ('nodata','serverfirst'):
    c,s,port=e.pair(); e.T0[0]=e.now()
    if variant=='serverfirst':
        s.sendall(b'x'); c.recv(1)
    time.sleep(0.5)
    t=e.now(); c.shutdown(socket.SHUT_WR)
    time.sleep(0.6)
    print(variant); e.look(port,{'fw2':('client',t),'cw':('server',t)})
    c.close(); s.close()
