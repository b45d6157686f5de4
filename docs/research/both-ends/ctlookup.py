#!/usr/bin/env python3
"""ctnetlink prototype for finwatch issue 17: look up ONE TCP connection in a namespace's conntrack table.

Given a socket's view (local ip:port, remote ip:port) it sends IPCTNL_MSG_CT_GET with the view as a CTA_TUPLE_ORIG
tuple (src=local, dst=remote) and prints the entry: both tuples, which direction the view matched, the conntrack
TCP state, timeout, status bits, and the view the FAR end of the connection has after NAT.

    ctlookup.py [--netns NAME | --pid PID] --local IP:PORT --remote IP:PORT [--as-reply] [--json]
    ctlookup.py [--netns NAME | --pid PID] --dump                 # every entry (NLM_F_DUMP), like conntrack -L
    ctlookup.py [--netns NAME | --pid PID] --bench N --local .. --remote ..   # cost per lookup

::ffff:a.b.c.d addresses (Java sockets in tcp6) are looked up as IPv4: conntrack keys the packets, which are IPv4.
Needs CAP_NET_ADMIN in the user namespace owning the network namespace (every nfnetlink request is checked);
--netns/--pid also need CAP_SYS_ADMIN for setns(2).

Message layout (all nlattr headers and nlmsghdr fields in host order; attribute PAYLOADS of ctnetlink are in
network order):
    nlmsghdr   len u32 | type u16 = NFNL_SUBSYS_CTNETLINK<<8 | IPCTNL_MSG_CT_GET = 0x0101 | flags u16 = NLM_F_REQUEST
               | seq u32 | pid u32
    nfgenmsg   family u8 = AF_INET(2)/AF_INET6(10) | version u8 = NFNETLINK_V0 | res_id be16 = 0
    CTA_TUPLE_ORIG(1)|NLA_F_NESTED
        CTA_TUPLE_IP(1)|NLA_F_NESTED
            CTA_IP_V4_SRC(1) 4 bytes | CTA_IP_V4_DST(2) 4 bytes      (v6: CTA_IP_V6_SRC(3)/DST(4), 16 bytes)
        CTA_TUPLE_PROTO(2)|NLA_F_NESTED
            CTA_PROTO_NUM(1) u8 = 6 | CTA_PROTO_SRC_PORT(2) be16 | CTA_PROTO_DST_PORT(3) be16
A hit answers with ONE message of type 0x0100 (IPCTNL_MSG_CT_NEW) carrying the whole entry; a miss with an
NLMSG_ERROR of -ENOENT. (NLM_F_ACK would add a second, empty ack message to every hit.)
"""
import argparse
import ctypes
import ipaddress
import json
import os
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NETLINK_ROUTE = 0
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3FFF

NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
IPCTNL_MSG_CT_GET = 1
NFNETLINK_V0 = 0

CTA_TUPLE_ORIG, CTA_TUPLE_REPLY, CTA_STATUS, CTA_PROTOINFO = 1, 2, 3, 4
CTA_TIMEOUT, CTA_MARK, CTA_USE, CTA_ID, CTA_ZONE, CTA_TIMESTAMP = 7, 8, 11, 12, 18, 20
CTA_TUPLE_IP, CTA_TUPLE_PROTO, CTA_TUPLE_ZONE = 1, 2, 3
CTA_IP_V4_SRC, CTA_IP_V4_DST, CTA_IP_V6_SRC, CTA_IP_V6_DST = 1, 2, 3, 4
CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 1, 2, 3
CTA_PROTOINFO_TCP = 1
CTA_PROTOINFO_TCP_STATE = 1
CTA_TIMESTAMP_START, CTA_TIMESTAMP_STOP = 1, 2

TCP_CT_STATES = ["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK",
                 "TIME_WAIT", "CLOSE", "SYN_SENT2"]
STATUS_BITS = ["EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT", "SEQ_ADJUST",
               "SRC_NAT_DONE", "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT", "TEMPLATE", "UNTRACKED", "HELPER",
               "OFFLOAD", "HW_OFFLOAD"]


# ---------------------------------------------------------------- encoding
def nla(typ, payload):
    hdr = struct.pack("=HH", 4 + len(payload), typ)
    return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def nest(typ, *children):
    return nla(typ | NLA_F_NESTED, b"".join(children))


def tuple_attr(which, family, src, dst, sport, dport):
    if family == socket.AF_INET:
        ip = nest(CTA_TUPLE_IP, nla(CTA_IP_V4_SRC, src.packed), nla(CTA_IP_V4_DST, dst.packed))
    else:
        ip = nest(CTA_TUPLE_IP, nla(CTA_IP_V6_SRC, src.packed), nla(CTA_IP_V6_DST, dst.packed))
    proto = nest(CTA_TUPLE_PROTO,
                 nla(CTA_PROTO_NUM, struct.pack("B", socket.IPPROTO_TCP)),
                 nla(CTA_PROTO_SRC_PORT, struct.pack("!H", sport)),
                 nla(CTA_PROTO_DST_PORT, struct.pack("!H", dport)))
    return nest(which, ip, proto)


def ct_get_request(seq, family, attrs, flags=NLM_F_REQUEST):
    body = struct.pack("=BBH", family, NFNETLINK_V0, 0) + attrs  # res_id 0 is the same in either byte order
    typ = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET
    return struct.pack("=IHHII", 16 + len(body), typ, flags, seq, 0) + body


# ---------------------------------------------------------------- decoding
def parse_attrs(buf, off, end):
    out = {}
    while off + 4 <= end:
        ln, typ = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        out[typ & NLA_TYPE_MASK] = buf[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


def parse_tuple(raw):
    t = parse_attrs(raw, 0, len(raw))
    ip = parse_attrs(t[CTA_TUPLE_IP], 0, len(t[CTA_TUPLE_IP]))
    pr = parse_attrs(t[CTA_TUPLE_PROTO], 0, len(t[CTA_TUPLE_PROTO]))
    if CTA_IP_V4_SRC in ip:
        src, dst = ipaddress.IPv4Address(ip[CTA_IP_V4_SRC]), ipaddress.IPv4Address(ip[CTA_IP_V4_DST])
    else:
        src, dst = ipaddress.IPv6Address(ip[CTA_IP_V6_SRC]), ipaddress.IPv6Address(ip[CTA_IP_V6_DST])
    return {"src": str(src), "dst": str(dst),
            "sport": struct.unpack("!H", pr[CTA_PROTO_SRC_PORT])[0] if CTA_PROTO_SRC_PORT in pr else None,
            "dport": struct.unpack("!H", pr[CTA_PROTO_DST_PORT])[0] if CTA_PROTO_DST_PORT in pr else None,
            "proto": pr[CTA_PROTO_NUM][0]}


def parse_ct(buf, off, msglen):
    family = buf[off + 16]
    a = parse_attrs(buf, off + 20, off + msglen)
    ct = {"family": {2: "ipv4", 10: "ipv6"}.get(family, family),
          "orig": parse_tuple(a[CTA_TUPLE_ORIG]), "reply": parse_tuple(a[CTA_TUPLE_REPLY])}
    if CTA_STATUS in a:
        st = struct.unpack("!I", a[CTA_STATUS])[0]
        ct["status"] = [n for i, n in enumerate(STATUS_BITS) if st >> i & 1]
    if CTA_TIMEOUT in a:
        ct["timeout_s"] = struct.unpack("!I", a[CTA_TIMEOUT])[0]
    if CTA_ID in a:
        ct["id"] = struct.unpack("!I", a[CTA_ID])[0]
    if CTA_MARK in a:
        ct["mark"] = struct.unpack("!I", a[CTA_MARK])[0]
    if CTA_USE in a:
        ct["use"] = struct.unpack("!I", a[CTA_USE])[0]
    if CTA_ZONE in a:
        ct["zone"] = struct.unpack("!H", a[CTA_ZONE])[0]
    if CTA_PROTOINFO in a:
        pi = parse_attrs(a[CTA_PROTOINFO], 0, len(a[CTA_PROTOINFO]))
        if CTA_PROTOINFO_TCP in pi:
            tcp = parse_attrs(pi[CTA_PROTOINFO_TCP], 0, len(pi[CTA_PROTOINFO_TCP]))
            s = tcp[CTA_PROTOINFO_TCP_STATE][0]
            ct["tcp_state"] = TCP_CT_STATES[s] if s < len(TCP_CT_STATES) else s
    if CTA_TIMESTAMP in a:
        ts = parse_attrs(a[CTA_TIMESTAMP], 0, len(a[CTA_TIMESTAMP]))
        ct["start_ns"] = struct.unpack("!Q", ts[CTA_TIMESTAMP_START])[0]
    return ct


def messages(buf):
    off = 0
    while off + 16 <= len(buf):
        ln, typ, flags, seq, pid = struct.unpack_from("=IHHII", buf, off)
        yield off, ln, typ
        off += (ln + 3) & ~3


class NotFound(Exception):
    pass


# ---------------------------------------------------------------- namespaces
_libc = ctypes.CDLL("libc.so.6", use_errno=True)
CLONE_NEWNET = 0x40000000


def setns_path(path):
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns {path}: {os.strerror(e)}")
    finally:
        os.close(fd)


def netlink_socket(proto, ns_path=None):
    """A netlink socket answers for the namespace it was created in, for its whole life."""
    if ns_path is None:
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, proto)
    else:
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        try:
            setns_path(ns_path)  # needs CAP_SYS_ADMIN; on failure we never left home
            try:
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, proto)
            finally:
                if _libc.setns(home, CLONE_NEWNET) != 0:
                    raise SystemExit("cannot return to the home network namespace")
        finally:
            os.close(home)
    s.bind((0, 0))
    return s


# ---------------------------------------------------------------- lookups
def endpoint(text, unmap=True):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    addr = ipaddress.ip_address(host)
    if unmap and isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped  # a v4 packet: conntrack has it under AF_INET
    return addr, int(port)


class Conntrack:
    def __init__(self, ns_path=None):
        self.sock = netlink_socket(NETLINK_NETFILTER, ns_path)
        self.seq = 0

    def get(self, src, sport, dst, dport, which=CTA_TUPLE_ORIG, zone=None):
        family = socket.AF_INET if src.version == 4 else socket.AF_INET6
        self.seq += 1
        attrs = tuple_attr(which, family, src, dst, sport, dport)
        if zone is not None:  # without it the kernel looks in zone 0 only
            attrs += nla(CTA_ZONE, struct.pack("!H", zone))
        self.sock.send(ct_get_request(self.seq, family, attrs))
        buf = self.sock.recv(65536)
        for off, ln, typ in messages(buf):
            if typ == NLMSG_ERROR:
                err = -struct.unpack_from("=i", buf, off + 16)[0]
                if err == 0:
                    continue
                if err == 2:  # ENOENT
                    raise NotFound()
                raise OSError(err, os.strerror(err))
            if typ >> 8 == NFNL_SUBSYS_CTNETLINK:
                return parse_ct(buf, off, ln)
        raise OSError("no answer")

    def dump(self, family=socket.AF_UNSPEC):
        self.seq += 1
        self.sock.send(ct_get_request(self.seq, family, b"", NLM_F_REQUEST | NLM_F_DUMP))
        out = []
        while True:
            buf = self.sock.recv(1 << 16)
            for off, ln, typ in messages(buf):
                if typ == NLMSG_DONE:
                    return out
                if typ == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", buf, off + 16)[0]
                    raise OSError(err, os.strerror(err))
                out.append(parse_ct(buf, off, ln))


def same(t, src, sport, dst, dport):
    return (t["src"], t["sport"], t["dst"], t["dport"]) == (str(src), sport, str(dst), dport)


def resolve(ct, local, remote):
    """Where the socket's view sits in the entry, and the view the far end of the connection has."""
    (l, lp), (r, rp) = local, remote
    o, p = ct["orig"], ct["reply"]
    translated = not (o["src"] == p["dst"] and o["dst"] == p["src"] and o["sport"] == p["dport"]
                      and o["dport"] == p["sport"])
    if same(o, l, lp, r, rp):
        side = "orig"  # this socket sent the packets that created the entry (the client, before NAT)
        far = {"local": f"{p['src']}:{p['sport']}", "remote": f"{p['dst']}:{p['dport']}"}
    elif same(p, l, lp, r, rp):
        side = "reply"  # this socket is past the NAT (the server side)
        far = {"local": f"{o['src']}:{o['sport']}", "remote": f"{o['dst']}:{o['dport']}"}
    else:
        side, far = "none", None
    return {"matched": side, "translated": translated, "far_end_view": far}


def fmt_entry(ct):
    o, p = ct["orig"], ct["reply"]
    return (f"tcp {ct.get('timeout_s')} {ct.get('tcp_state')} src={o['src']} dst={o['dst']} sport={o['sport']} "
            f"dport={o['dport']} src={p['src']} dst={p['dst']} sport={p['sport']} dport={p['dport']} "
            f"status={','.join(ct.get('status', []))} id={ct.get('id')}"
            + (f" zone={ct['zone']}" if "zone" in ct else ""))


def bench(ct, n, local, remote, which):
    """Per-lookup wall time of GET hit and miss, beside an anchor of the same shape (one netlink request and one
    reply datagram: RTM_GETLINK of lo by index), so the figure survives a loaded machine as a ratio."""
    (l, lp), (r, rp) = local, remote
    rt = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_ROUTE)
    rt.bind((0, 0))
    getlink = struct.pack("=IHHII", 32, 18, NLM_F_REQUEST, 1, 0) + struct.pack("=BxHiII", 0, 0, 1, 0, 0)

    def anchor():
        rt.send(getlink)
        rt.recv(65536)

    def hit():
        ct.get(l, lp, r, rp, which)

    def miss():
        try:
            ct.get(l, 1, r, rp, which)
        except NotFound:
            pass

    res = {}
    for name, f in (("anchor_rtm_getlink", anchor), ("ct_get_hit", hit), ("ct_get_miss", miss)):
        for _ in range(min(n, 1000)):
            f()
        t0 = time.perf_counter_ns()
        for _ in range(n):
            f()
        res[name + "_us"] = round((time.perf_counter_ns() - t0) / n / 1000, 2)
    res["hit_over_anchor"] = round(res["ct_get_hit_us"] / res["anchor_rtm_getlink_us"], 2)
    res["miss_over_anchor"] = round(res["ct_get_miss_us"] / res["anchor_rtm_getlink_us"], 2)
    res["loadavg"] = open("/proc/loadavg").read().split()[:3]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--netns", help="named namespace (/run/netns/NAME)")
    g.add_argument("--pid", type=int, help="the namespace of this process")
    ap.add_argument("--local", help="the socket's local ip:port ([::ffff:a.b.c.d]:p accepted)")
    ap.add_argument("--remote", help="the socket's remote ip:port")
    ap.add_argument("--as-reply", action="store_true",
                    help="send the view as CTA_TUPLE_REPLY instead of CTA_TUPLE_ORIG (same lookup, see doc)")
    ap.add_argument("--no-unmap", action="store_true", help="look ::ffff:a.b.c.d up as IPv6 (to show it misses)")
    ap.add_argument("--zone", type=int, help="conntrack zone (CTA_ZONE, be16); default: zone 0")
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--bench", type=int, metavar="N")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    ns_path = f"/run/netns/{a.netns}" if a.netns else (f"/proc/{a.pid}/ns/net" if a.pid else None)
    ct = Conntrack(ns_path)
    if a.dump:
        for e in ct.dump():
            print(json.dumps(e) if a.json else fmt_entry(e))
        return 0
    if not (a.local and a.remote):
        ap.error("--local and --remote are required")
    local, remote = endpoint(a.local, not a.no_unmap), endpoint(a.remote, not a.no_unmap)
    which = CTA_TUPLE_REPLY if a.as_reply else CTA_TUPLE_ORIG
    if a.bench:
        print(json.dumps(bench(ct, a.bench, local, remote, which)))
        return 0
    try:
        e = ct.get(local[0], local[1], remote[0], remote[1], which, a.zone)
    except NotFound:
        print(json.dumps({"found": False}) if a.json else "not found (ENOENT)")
        return 1
    e.update(resolve(e, local, remote))
    e["found"] = True
    print(json.dumps(e) if a.json else fmt_entry(e) + f"\n  matched={e['matched']} translated={e['translated']}"
          f" far_end_view={e['far_end_view']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
