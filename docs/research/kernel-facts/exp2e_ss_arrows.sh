#!/usr/bin/env bash
# Issue 14 q2: how `ss -e` prints INET_DIAG_SHUTDOWN (0 <->, 1 -->, 2 <--, 3 ---). Root; own namespace.
ns=fwr14a-$RANDOM; ip netns add $ns; ip -n $ns link set lo up
ip netns exec $ns python3 -c "
import socket,subprocess,time
l=socket.socket();l.bind(('127.0.0.1',7950));l.listen()
a=socket.create_connection(l.getsockname());sa,_=l.accept()
b=socket.create_connection(l.getsockname());sb,_=l.accept();b.shutdown(socket.SHUT_RDWR)
c=socket.create_connection(l.getsockname());sc,_=l.accept();c.shutdown(socket.SHUT_RD)
d=socket.create_connection(l.getsockname());sd,_=l.accept();d.shutdown(socket.SHUT_WR)
time.sleep(0.2)
print('client ports: none=%d RDWR=%d RD=%d WR=%d' % tuple(x.getsockname()[1] for x in (a,b,c,d)))
print(subprocess.run(['ss','-tane'],capture_output=True,text=True).stdout)
" 2>&1 | grep -v cgroup2 | sed 's/  */ /g'
ip netns del $ns
