#!/usr/bin/env python3
"""Canonical connection keys for pairing the two ends of a TCP connection (finwatch issue 17 prototype).

    canon.py --local IP:PORT --remote IP:PORT [--lookup-ns NS]...   (namespaces: the socket's own, its host's)

Rule (see research17.md, "The canonical key"):
  * an endpoint is (address, port) with ::ffff:a.b.c.d unmapped to a.b.c.d; a key is the two endpoints of a view in
    ascending order (IPv4 before IPv6, then address bytes, then port): "tcp|lo|hi"
  * every end publishes the key of its OWN view;
  * for each conntrack entry found for the view (ctnetlink GET in its own namespace and in its host's) that is
    TRANSLATED (reply tuple != inverted orig tuple), it also publishes the key of the entry's OTHER direction: if the
    view is the entry's orig tuple, the key of the reply tuple; if the view is the reply tuple, the key of the orig.
  * two ends pair when their key sets intersect; the pair belongs to the smallest key of the intersection (each
    record carries its whole key set, so the task holding any other common key can see it is not the owner).
"""
import argparse
import ipaddress
import json
import sys

import ctlookup


def ep(addr, port):
    a = ipaddress.ip_address(addr)
    if a.version == 6 and a.ipv4_mapped is not None:
        a = a.ipv4_mapped
    return a, int(port)


def ep_sort(e):
    a, p = e
    return (a.version, a.packed, p)


def ep_text(e):
    a, p = e
    return f"{a}:{p}" if a.version == 4 else f"[{a}]:{p}"


def key(e1, e2):
    lo, hi = sorted([e1, e2], key=ep_sort)
    return f"tcp|{ep_text(lo)}|{ep_text(hi)}"


def keys_for(local, remote, entries):
    """local/remote: (ipaddress, port); entries: ctnetlink entries found for this view."""
    out = [key(local, remote)]
    for ct in entries:
        r = ctlookup.resolve(ct, local, remote)
        if not r["translated"] or r["matched"] == "none":
            continue
        o, p = ct["orig"], ct["reply"]
        other = p if r["matched"] == "orig" else o
        k = key(ep(other["src"], other["sport"]), ep(other["dst"], other["dport"]))
        if k not in out:
            out.append(k)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--local", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--lookup-ns", action="append", default=[], help="named netns to look the view up in")
    a = ap.parse_args()
    local, remote = ctlookup.endpoint(a.local), ctlookup.endpoint(a.remote)
    entries, found = [], []
    for ns in a.lookup_ns:
        ct = ctlookup.Conntrack(f"/run/netns/{ns}")
        try:
            e = ct.get(local[0], local[1], remote[0], remote[1])
            entries.append(e)
            r = ctlookup.resolve(e, local, remote)
            found.append({"netns": ns, "entry": ctlookup.fmt_entry(e), **r})
        except ctlookup.NotFound:
            found.append({"netns": ns, "entry": None})
    ks = keys_for(local, remote, entries)
    print(json.dumps({"view": {"local": a.local, "remote": a.remote}, "lookups": found, "keys": ks}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
