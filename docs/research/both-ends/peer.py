#!/usr/bin/env python3
"""One end of a test connection for the issue-17 test-bed.

server: listens, accepts ONE connection, optionally writes --send bytes, then shutdown(SHUT_WR) and holds the
        socket open (the FIN_WAIT2 end).
client: connects, optionally writes --send bytes, never reads, never closes (the CLOSE_WAIT end once the peer
        shut down). --v6mapped uses an AF_INET6 socket to ::ffff:a.b.c.d, as a Java socket does.
Either: SIGUSR1 -> close() (the socket becomes an orphan), SIGUSR2 -> write 10 bytes, SIGHUP -> shutdown(SHUT_WR).

Each prints one line 'READY pid=<pid> local=<ip>:<port> remote=<ip>:<port>' once the connection exists, then
events ('CLOSED ...'). SIGTERM exits (the kernel then closes what is still open).
"""
import argparse
import os
import signal
import socket
import sys
import time

conn = None


def say(msg):
    print(f"{time.time():.3f} {msg}", flush=True)


def fmt(addr):
    return f"[{addr[0]}]:{addr[1]}" if ":" in addr[0] else f"{addr[0]}:{addr[1]}"


def on_usr1(_sig, _frm):
    global conn
    if conn is not None:
        conn.close()
        conn = None
        say("CLOSED by SIGUSR1")


def on_usr2(_sig, _frm):
    if conn is not None:
        conn.send(b"y" * 10)
        say("WROTE 10 bytes by SIGUSR2")


def on_hup(_sig, _frm):
    if conn is not None:
        conn.shutdown(socket.SHUT_WR)
        say("SHUT_WR by SIGHUP")


def main():
    global conn
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("--addr", required=True, help="server: bind address; client: address to connect to")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--shutdown", action="store_true", help="server: shutdown(SHUT_WR) right after accept")
    p.add_argument("--send", type=int, default=0, help="bytes to write before anything else")
    p.add_argument("--v6mapped", action="store_true", help="client: AF_INET6 socket to ::ffff:addr (Java style)")
    p.add_argument("--keepalive", action="store_true", help="SO_KEEPALIVE with idle 2 s, interval 1 s, 3 probes")
    p.add_argument("--read-eof", action="store_true", help="client: read until EOF (recv returns 0), then hold")
    a = p.parse_args()
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGUSR2, on_usr2)
    signal.signal(signal.SIGHUP, on_hup)

    if a.role == "server":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((a.addr, a.port))
        ls.listen(8)
        say(f"LISTEN pid={os.getpid()} {a.addr}:{a.port}")
        conn, peer = ls.accept()
        ls.close()  # only the one connection matters; no listener left to answer strays
    else:
        if a.v6mapped:
            conn = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            conn.connect(("::ffff:" + a.addr, a.port))
        else:
            conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            conn.connect((a.addr, a.port))
    if a.keepalive:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    if a.send:
        conn.sendall(b"x" * a.send)
    say(f"READY pid={os.getpid()} local={fmt(conn.getsockname())} remote={fmt(conn.getpeername())}")
    if a.role == "server" and a.shutdown:
        conn.shutdown(socket.SHUT_WR)
        say("SHUT_WR")
    if a.role == "client" and a.read_eof:
        while conn.recv(65536):
            pass
        say("EOF read")
    while True:
        signal.pause()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
