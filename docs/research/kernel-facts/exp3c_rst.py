"""Issue 14 q3: which abortive closes are announced (python3 exp3c_rst.py; uses topo a1)."""
import socket, struct, sys, time, subprocess
sys.argv = [sys.argv[0], sys.argv[1] if len(sys.argv) > 1 else 'a1', 'none']
exec(open(__import__('os').path.join(__import__('os').path.dirname(__file__), 'exp3_destroy.py')).read().split("{'lifecycle'")[0])
lc, ls = Listener(C, 'C'), Listener(S, 'S')
ssE = subprocess.Popen(['ip','netns','exec',C,'timeout','-s','INT','6','stdbuf','-oL','ss','-tanE'], stdout=subprocess.PIPE, text=True)
time.sleep(0.3)
res = {}
for variant in ('linger0_nodata', 'linger0_data', 'unread_data', 'plain_close_established'):
    c, s, port = conn()
    if variant == 'linger0_data' or variant == 'unread_data':
        s.sendall(b'abc'); time.sleep(0.05)
    if variant.startswith('linger0'):
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close(); time.sleep(1.0)
    res[variant] = (port, [(m['state_name'], m['sport'], m['dport']) for m in lc.find(port)])
    s.close(); time.sleep(0.2)
    res[variant] += ([(m['state_name'], m['sport'], m['dport']) for m in ls.find(port)],)
for k, v in res.items(): print(k, v)
print(ssE.communicate()[0])
