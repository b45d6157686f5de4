"""Minimal NETLINK_SOCK_DIAG client for the issue-14 research (python3, stdlib only).

Layouts checked against this kernel's BTF (bpftool btf dump file /sys/kernel/btf/vmlinux):
  nlmsghdr        16 bytes: len u32, type u16, flags u16, seq u32, pid u32          (host order)
  inet_diag_req   60 bytes: family u8, src_len u8, dst_len u8, ext u8, sockid 48, states u32, dbs u32
  inet_diag_req_v2 56 bytes: family u8, protocol u8, ext u8, pad u8, states u32, sockid 48
  inet_diag_msg   72 bytes: family u8 state u8 timer u8 retrans u8 | sockid 48 (sport be16 @4, dport be16 @6,
                  src be32[4] @8, dst be32[4] @24, if u32 @40, cookie u32[2] @44) | expires u32 @52,
                  rqueue u32 @56, wqueue u32 @60, uid u32 @64, inode u32 @68
  then nlattrs:   len u16, type u16, payload, padded to 4
"""
import ctypes
import os
import socket
import struct
import time

NETLINK_SOCK_DIAG = 4
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_NO_ENOBUFS = 5
NETLINK_LISTEN_ALL_NSID = 8
SO_RCVBUFFORCE = 33

TCPDIAG_GETSOCK = 18
SOCK_DIAG_BY_FAMILY = 20
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 1
NLM_F_DUMP = 0x300

SKNLGRP_INET_TCP_DESTROY = 1
SKNLGRP_INET6_TCP_DESTROY = 3

ATTR = {1: 'MEMINFO', 2: 'INFO', 3: 'VEGASINFO', 4: 'CONG', 5: 'TOS', 6: 'TCLASS', 7: 'SKMEMINFO',
        8: 'SHUTDOWN', 9: 'DCTCPINFO', 10: 'PROTOCOL', 11: 'SKV6ONLY', 12: 'LOCALS', 13: 'PEERS',
        14: 'PAD', 15: 'MARK', 16: 'BBRINFO', 17: 'CLASS_ID', 18: 'MD5SIG', 19: 'ULP_INFO',
        20: 'SK_BPF_STORAGES', 21: 'CGROUP_ID', 22: 'SOCKOPT'}
INET_DIAG_INFO = 2
EXT_INFO = 1 << (INET_DIAG_INFO - 1)

STATES = {1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT',
          7: 'CLOSE', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING'}
TIMERS = {0: 'off', 1: 'on(retrans)', 2: 'keepalive', 3: 'timewait', 4: 'probe0'}

# struct tcp_info offsets on 6.18 (size 280); u32 unless noted
TCPI = {
    'state': (0, 'B'), 'ca_state': (1, 'B'), 'retransmits': (2, 'B'), 'probes': (3, 'B'), 'backoff': (4, 'B'),
    'rto_us': (8, 'I'), 'unacked': (24, 'I'), 'lost': (32, 'I'), 'retrans': (36, 'I'),
    'last_data_sent': (44, 'I'), 'last_ack_sent': (48, 'I'), 'last_data_recv': (52, 'I'),
    'last_ack_recv': (56, 'I'), 'rtt_us': (68, 'I'), 'total_retrans': (100, 'I'),
    'bytes_acked': (120, 'Q'), 'bytes_received': (128, 'Q'), 'segs_out': (136, 'I'), 'segs_in': (140, 'I'),
    'notsent_bytes': (144, 'I'), 'bytes_sent': (200, 'Q'), 'total_rto': (240, 'H'), 'total_rto_recoveries': (242, 'H'), 'total_rto_time': (244, 'I'),
}

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def setns_path(path):
    """Moves the calling thread into the network namespace at path (e.g. /run/netns/NAME)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e), path)
    finally:
        os.close(fd)


def enter(name):
    setns_path('/run/netns/' + name)


def netns_inode(path='/proc/thread-self/ns/net'):
    return os.stat(path).st_ino


def diag_socket():
    return socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)


_seq = [0]


def request(states=0xffffffff, ext=EXT_INFO, legacy=True, family=socket.AF_INET):
    _seq[0] += 1
    if legacy:
        body = struct.pack('=BBBB48sII', family, 0, 0, ext, b'\0' * 48, states, 0)
        typ = TCPDIAG_GETSOCK
    else:
        body = struct.pack('=BBBBI48s', family, socket.IPPROTO_TCP, ext, 0, states, b'\0' * 48)
        typ = SOCK_DIAG_BY_FAMILY
    return struct.pack('=IHHII', 16 + len(body), typ, NLM_F_REQUEST | NLM_F_DUMP, _seq[0], 0) + body, _seq[0]


def parse_attrs(buf, off, end):
    attrs = {}
    while off + 4 <= end:
        alen, atype = struct.unpack_from('=HH', buf, off)
        if alen < 4:
            break
        attrs[atype & 0x3fff] = bytes(buf[off + 4:off + alen])
        off += (alen + 3) & ~3
    return attrs


def tcp_info(raw):
    out = {'_len': len(raw)}
    for k, (o, f) in TCPI.items():
        if o + struct.calcsize(f) <= len(raw):
            out[k] = struct.unpack_from('=' + f, raw, o)[0]
    return out


def parse_msg(buf, off, length):
    """One inet_diag_msg (off = start of the message payload, after nlmsghdr)."""
    fam, st, timer, retrans = struct.unpack_from('=BBBB', buf, off)
    sport, dport = struct.unpack_from('>HH', buf, off + 4)
    if fam == socket.AF_INET:
        src = socket.inet_ntop(fam, bytes(buf[off + 8:off + 12]))
        dst = socket.inet_ntop(fam, bytes(buf[off + 24:off + 28]))
    else:
        src = socket.inet_ntop(fam, bytes(buf[off + 8:off + 24]))
        dst = socket.inet_ntop(fam, bytes(buf[off + 24:off + 40]))
    ifindex, c0, c1, expires, rq, wq, uid, inode = struct.unpack_from('=IIIIIIII', buf, off + 40)
    attrs = parse_attrs(buf, off + 72, off + length)
    m = dict(family=fam, state=st, state_name=STATES.get(st, st), timer=timer, retrans=retrans,
             src=src, sport=sport, dst=dst, dport=dport, cookie=(c1 << 32) | c0, expires=expires,
             rqueue=rq, wqueue=wq, uid=uid, inode=inode, attrs=sorted(ATTR.get(a, a) for a in attrs))
    if 8 in attrs:
        m['shutdown'] = attrs[8][0]
    if 2 in attrs:
        m['info'] = tcp_info(attrs[2])
    if 10 in attrs:
        m['protocol'] = attrs[10][0]
    if 21 in attrs:
        m['cgroup_id'] = struct.unpack('=Q', attrs[21][:8])[0]
    return m


def parse_datagram(buf, n, seq=None):
    """Yields ('msg', dict) / ('done', None) / ('error', errno) for every netlink message in buf[:n]."""
    off = 0
    while off + 16 <= n:
        length, typ, flags, s, pid = struct.unpack_from('=IHHII', buf, off)
        if length < 16 or off + length > n:
            raise ValueError('bad nlmsg length %d at %d of %d' % (length, off, n))
        if typ == NLMSG_DONE:
            yield 'done', None
        elif typ == NLMSG_ERROR:
            yield 'error', -struct.unpack_from('=i', buf, off + 16)[0]
        elif typ in (TCPDIAG_GETSOCK, SOCK_DIAG_BY_FAMILY):
            yield 'msg', parse_msg(buf, off + 16, length - 16)
        off += (length + 3) & ~3


def dump(sock=None, states=0xffffffff, ext=EXT_INFO, legacy=True, families=(socket.AF_INET,)):
    """Whole dump; returns (poll_time_ms, [msg...]). legacy TCPDIAG_GETSOCK returns both families in one walk."""
    own = sock is None
    sock = sock or diag_socket()
    out = []
    buf = bytearray(65536)
    t = time.time() * 1000
    try:
        for fam in (families if not legacy else (socket.AF_INET,)):
            req, seq = request(states, ext, legacy, fam)
            sock.send(req)
            done = False
            while not done:
                n = sock.recv_into(buf)
                rx = time.time() * 1000     # the kernel filled this datagram during the previous call
                for kind, v in parse_datagram(buf, n):
                    if kind == 'done':
                        done = True
                    elif kind == 'error':
                        raise OSError(v, os.strerror(v))
                    else:
                        v['rx'] = rx
                        out.append(v)
    finally:
        if own:
            sock.close()
    return t, out


def mask(*states):
    m = 0
    for s in states:
        m |= 1 << s
    return m


def destroy_socket(rcvbuf=None, force=False, groups=(SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY),
                   via_bind=False):
    s = diag_socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE if force else socket.SO_RCVBUF, rcvbuf)
    if via_bind:
        bits = 0
        for g in groups:
            bits |= 1 << (g - 1)
        s.bind((0, bits))
    else:
        s.bind((0, 0))
        for g in groups:
            s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g)
    return s


def fmt(m, keys=('state_name', 'timer', 'expires', 'rqueue', 'wqueue', 'inode', 'shutdown')):
    s = '%s:%d->%s:%d ' % (m['src'], m['sport'], m['dst'], m['dport'])
    s += ' '.join('%s=%s' % (k, m.get(k)) for k in keys)
    i = m.get('info')
    if i:
        s += ' lastsnd=%d lastrcv=%d lastack=%d retrans=%d/%d probes=%d unacked=%d' % (
            i['last_data_sent'], i['last_data_recv'], i['last_ack_recv'], i['retransmits'], i['total_retrans'],
            i['probes'], i['unacked'])
    return s
