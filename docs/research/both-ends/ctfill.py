#!/usr/bin/env python3
"""Fill a namespace's conntrack table with N synthetic ESTABLISHED TCP entries (IPCTNL_MSG_CT_NEW), so lookups and
dumps can be measured against a table of a busy node's size. Entries are 10.250.x.y:port -> 10.251.0.1:80, reply
untranslated, timeout --timeout s. Only for namespaces the test-bed made.

    ctfill.py --netns NAME --count N [--timeout 600]
"""
import argparse
import ipaddress
import socket
import struct
import sys

import ctlookup as c

NLM_F_CREATE = 0x400
NLM_F_EXCL = 0x200
CT_NEW = (c.NFNL_SUBSYS_CTNETLINK << 8) | c.IPCTNL_MSG_CT_NEW


def new_entry(seq, src, sport, dst, dport, timeout):
    attrs = (c.tuple_attr(c.CTA_TUPLE_ORIG, socket.AF_INET, src, dst, sport, dport)
             + c.tuple_attr(c.CTA_TUPLE_REPLY, socket.AF_INET, dst, src, dport, sport)
             + c.nla(c.CTA_TIMEOUT, struct.pack("!I", timeout))
             + c.nest(c.CTA_PROTOINFO, c.nest(c.CTA_PROTOINFO_TCP,
                                              c.nla(c.CTA_PROTOINFO_TCP_STATE, struct.pack("B", 3)))))
    body = struct.pack("=BBH", socket.AF_INET, 0, 0) + attrs
    flags = c.NLM_F_REQUEST | c.NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
    return struct.pack("=IHHII", 16 + len(body), CT_NEW, flags, seq, 0) + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netns", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    ct = c.Conntrack(f"/run/netns/{a.netns}")
    dst = ipaddress.IPv4Address("10.251.0.1")
    base = int(ipaddress.IPv4Address("10.250.0.0"))
    errors, batch, sent = 0, [], 0
    for i in range(a.count):
        src = ipaddress.IPv4Address(base + i // 50000)
        batch.append(new_entry(i + 1, src, 10000 + i % 50000, dst, 80, a.timeout))
        if len(batch) == 64 or i == a.count - 1:
            ct.sock.send(b"".join(batch))
            acks = 0
            while acks < len(batch):
                buf = ct.sock.recv(1 << 16)
                for off, ln, typ in c.messages(buf):
                    if typ == c.NLMSG_ERROR:
                        acks += 1
                        if struct.unpack_from("=i", buf, off + 16)[0] != 0:
                            errors += 1
            sent += len(batch)
            batch = []
    print(f"inserted {sent - errors} of {sent} entries ({errors} errors)")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
