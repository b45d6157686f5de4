package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Every TCP socket of a network namespace through a netlink {@code NETLINK_SOCK_DIAG} dump, the interface {@code ss}
 * uses, instead of /proc/&lt;pid&gt;/net/tcp and tcp6.
 *
 * <p>Both walk the kernel's whole connection hash, but /proc formats every socket as text inside read(2): at 10k
 * sockets that took the kernel about 2.4 times as long as filling the binary dump on the machine the collector
 * was measured on (docs/benchmarks.md), and the binary rows need no text parsing.
 *
 * <p>A netlink socket answers for the namespace it was created in, so one is made per namespace on a
 * {@link NetnsThread} (entering other namespaces needs CAP_SYS_ADMIN) and kept for later polls; {@link #retain}
 * closes those of namespaces that went away, since an open socket keeps its namespace alive. The dumps themselves
 * run on the caller's thread. Not thread-safe: one poll loop reads.
 */
public final class SockDiagReader implements AutoCloseable {
    /** The namespace could not be entered to make its socket; nothing was read. */
    public static final class NotEntered extends IOException {
        private static final long serialVersionUID = 1L;

        NotEntered(String message) {
            super(message);
        }
    }

    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    /** nlmsghdr + struct inet_diag_req (the first-generation request: family, lengths, ext, sockid, states, dbs). */
    private static final int REQUEST_LEN = InetDiagDecoder.NLMSG_HDRLEN + 60;
    /** {@code idiag_ext}: ask for {@code INET_DIAG_INFO} (bit type - 1). SHUTDOWN comes without asking. */
    private static final byte EXT_INFO = 1 << (DiagAttributes.INET_DIAG_INFO - 1);
    /** The kernel fills dump datagrams of at most 32 KiB; twice that never truncates one. */
    private static final int RECEIVE_BYTES = 64 * 1024;

    private final Procfs procfs;
    private final LibC libc;
    private final NetnsThread entering = new NetnsThread("finwatch-netns-diag");
    private final Map<Long, Integer> sockets = new HashMap<>();
    private final Memory receive = new Memory(RECEIVE_BYTES);
    private final ByteBuffer received = receive.getByteBuffer(0, RECEIVE_BYTES).order(ByteOrder.nativeOrder());
    private final byte[] request = new byte[REQUEST_LEN];
    private int seq;

    /** @throws UnsatisfiedLinkError where there is no libc to bind (not Linux, no JNA native) */
    public SockDiagReader(Procfs procfs) {
        this.procfs = procfs;
        this.libc = LibC.load();
    }

    /**
     * Delivers the TCP sockets of {@code ns} in the states {@code stateMask} names (bit n for state n, -1 for
     * every socket), IPv4 and IPv6 in the kernel's order, as /proc/net/tcp and tcp6 would list them.
     *
     * @throws NotEntered  when no socket could be made in the namespace (no process of it left, no CAP_SYS_ADMIN)
     * @throws IOException when a dump failed part way; the rows delivered before stand
     */
    public void read(NetNamespace ns, int stateMask, Consumer<SocketRow> rows, Consumer<ParseError> errors)
            throws IOException {
        int fd = socketFor(ns);
        try {
            dump(fd, ns.inode(), stateMask, rows, errors);
        } catch (IOException | RuntimeException e) {
            // Replies of the failed dump may still be queued on it: the next poll starts on a fresh socket.
            sockets.remove(ns.inode());
            LibC.closeQuietly(libc, fd);
            throw e;
        }
    }

    /** Closes the sockets of namespaces not in {@code live}. */
    public void retain(Set<Long> live) {
        for (Iterator<Map.Entry<Long, Integer>> it = sockets.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Integer> e = it.next();
            if (!live.contains(e.getKey())) {
                LibC.closeQuietly(libc, e.getValue());
                it.remove();
            }
        }
    }

    private int socketFor(NetNamespace ns) throws NotEntered {
        Integer fd = sockets.get(ns.inode());
        if (fd != null) {
            return fd;
        }
        // The representative may have exited since the scan; any other process of the namespace will do.
        StringBuilder why = new StringBuilder();
        int tried = 0;
        for (int pid : candidates(ns)) {
            try {
                int made = entering.call(procfs.pid(pid, "ns", "net"), ns.inode(), () -> {
                    try {
                        return libc.socket(LibC.AF_NETLINK, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC,
                                LibC.NETLINK_SOCK_DIAG);
                    } catch (LastErrorException e) {
                        throw new IOException("netlink socket: " + e.getMessage());
                    }
                });
                sockets.put(ns.inode(), made);
                return made;
            } catch (IOException e) {
                why.append(tried++ == 0 ? "" : "; ").append(e.getMessage());
            }
        }
        throw new NotEntered("netns " + ns.inode() + ": " + why);
    }

    /** Pids to enter a namespace through: its representative first, then up to three others. */
    static int[] candidates(NetNamespace ns) {
        int n = Math.min(4, ns.pids().size() + 1);
        int[] out = new int[n];
        out[0] = ns.representativePid();
        int i = 1;
        for (int pid : ns.pids()) {
            if (i < n && pid != ns.representativePid()) {
                out[i++] = pid;
            }
        }
        return i == n ? out : Arrays.copyOf(out, i);
    }

    /**
     * One dump of both families. The kernel walks its whole connection hash once per dump, however few sockets
     * the namespace has; a SOCK_DIAG_BY_FAMILY request names one family, so it would take two walks. The
     * TCPDIAG_GETSOCK request, which the kernel keeps for compatibility, dumps every family in one walk: about a
     * quarter less kernel time at 10k sockets, half for a nearly empty namespace (docs/benchmarks.md).
     */
    private void dump(int fd, long netns, int stateMask, Consumer<SocketRow> rows, Consumer<ParseError> errors)
            throws IOException {
        seq++;
        String source = "netlink sock_diag tcp of netns " + netns;
        ByteBuffer req = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        req.putInt(0, REQUEST_LEN)
                .putShort(4, (short) InetDiagDecoder.TCPDIAG_GETSOCK)
                .putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP))
                .putInt(8, seq)
                .putInt(12, 0);
        // inet_diag_req: family (ignored by a dump), no address prefixes, tcp_info as the one extension, a zero
        // socket id, the states asked for. The kernel tests the state before it fills a reply, so a socket left
        // out costs it only the hash walk's visit; tcp_info costs nothing measurable on a narrowed dump and about
        // a fifth more kernel time on a whole one (docs/benchmarks.md).
        req.put(16, (byte) InetDiagDecoder.AF_INET).put(16 + 3, EXT_INFO).putInt(16 + 52, stateMask);
        try {
            libc.send(fd, request, new NativeLong(REQUEST_LEN), 0);
        } catch (LastErrorException e) {
            throw new IOException(source + ": send: " + e.getMessage());
        }
        // The kernel fills the first datagram inside send() and each next one at the end of the recv() that
        // returns the one before, so that is when their ages and timers were read.
        long filledAtMs = System.currentTimeMillis();
        InetDiagDecoder decoder = new InetDiagDecoder(source, netns, seq);
        while (true) {
            long n;
            long stamp = filledAtMs;
            try {
                n = libc.recv(fd, receive, new NativeLong(RECEIVE_BYTES), 0).longValue();
                filledAtMs = System.currentTimeMillis();
            } catch (LastErrorException e) {
                throw new IOException(source + ": recv: " + e.getMessage());
            }
            if (n <= 0) {
                throw new IOException(source + ": the dump ended without NLMSG_DONE");
            }
            received.limit((int) n).position(0);
            if (decoder.decode(received, stamp, rows, errors)) {
                return;
            }
        }
    }

    /** Closes every namespace's socket and the entering thread. */
    @Override
    public void close() {
        retain(Set.of());
        entering.close();
    }
}
