import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Issue 14 prototype: one TCPDIAG_GETSOCK dump of a network namespace with INET_DIAG_INFO requested, decoded with
 * the pure functions a collector needs (shutdown bits, tcp_info ages, queues, timer), the way finwatch's
 * SockDiagReader talks netlink (socket made on a thread that setns()es into the namespace; dump on the caller).
 *
 * <pre>
 * java [-DfinTimeout=S] -cp jna-5.18.1.jar DiagDump.java /run/netns/NAME [all|narrow|0xMASK] [info|none]
 *      [print | bench N [nodecode] | compare ROUNDS K]
 * </pre>
 * print shows per socket the shutdown bits, the tcp_info ages, state_since by the rule of research14.md
 * section 1.7 and reap_at by sections 2.4/2.6.
 * narrow = every state but ESTABLISHED and LISTEN (the collector's narrowed dump). bench N dumps N times and
 * prints wall and thread CPU (user, kernel) per dump, bytes and messages.
 */
public final class DiagDump {
    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int socket(int domain, int type, int protocol) throws LastErrorException;

        NativeLong send(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    static final int AF_NETLINK = 16, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, NETLINK_SOCK_DIAG = 4;
    static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 0x80000;
    static final int TCPDIAG_GETSOCK = 18, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300;
    static final int NLMSG_HDRLEN = 16, INET_DIAG_MSG_LEN = 72, REQUEST_LEN = NLMSG_HDRLEN + 60;

    /** inet_diag_req.idiag_ext bit for attribute type t is 1 << (t - 1). */
    static final int INET_DIAG_INFO = 2, INET_DIAG_SHUTDOWN = 8, EXT_INFO = 1 << (INET_DIAG_INFO - 1);

    /** Offsets into struct tcp_info (linux/tcp.h; 280 bytes on 6.18, 104 bytes minimum since 2.6). */
    static final class TcpInfo {
        static final int STATE = 0, RETRANSMITS = 2, PROBES = 3, BACKOFF = 4, RTO_US = 8, UNACKED = 24,
                LAST_DATA_SENT = 44, LAST_ACK_SENT = 48, LAST_DATA_RECV = 52, LAST_ACK_RECV = 56,
                TOTAL_RETRANS = 100;
        /** The fields above all lie in the first 104 bytes, present in every kernel's tcp_info. */
        static final int MIN_LEN = 104;
    }

    /**
     * Where the attributes this collector reads sit in one message: offsets into the datagram, -1 when absent.
     * Attributes come in no fixed order and depend on privileges (INET_DIAG_MARK only for CAP_NET_ADMIN), so
     * they are walked, never addressed by a fixed offset.
     */
    record Attrs(int shutdown, int info, int infoLen) {
        static Attrs scan(ByteBuffer b, int from, int end) {
            int shutdown = -1, info = -1, infoLen = 0;
            int at = from;
            while (end - at >= 4) {
                int len = b.getShort(at) & 0xffff;
                int type = b.getShort(at + 2) & 0x3fff;     // NLA_F_NESTED / NLA_F_NET_BYTEORDER masked
                if (len < 4 || len > end - at) {
                    break;                                  // broken attribute: the caller reports the message
                }
                if (type == INET_DIAG_SHUTDOWN && len >= 5) {
                    shutdown = at + 4;
                } else if (type == INET_DIAG_INFO) {
                    info = at + 4;
                    infoLen = len - 4;
                }
                at += (len + 3) & ~3;
            }
            return new Attrs(shutdown, info, infoLen);
        }
    }

    static int makeSocketIn(String nsPath) throws Exception {
        ExecutorService t = Executors.newSingleThreadExecutor();
        try {
            return t.submit(() -> {
                int home = C.LIB.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
                int target = C.LIB.open(nsPath, O_RDONLY | O_CLOEXEC);
                try {
                    C.LIB.setns(target, CLONE_NEWNET);
                    return C.LIB.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
                } finally {
                    C.LIB.setns(home, CLONE_NEWNET);
                    C.LIB.close(target);
                    C.LIB.close(home);
                }
            }).get();
        } finally {
            t.shutdown();
        }
    }

    static final int FIN_WAIT2 = 5, TIME_WAIT = 6, CLOSE_WAIT = 8;
    static final int TIMER_OFF = 0, TIMER_KEEPALIVE = 2, TIMER_TIMEWAIT = 3;
    /** The namespace's net.ipv4.tcp_fin_timeout; the collector reads it per namespace (FinTimeoutReader). */
    static long FIN_TIMEOUT_S = 60;

    /**
     * research14.md section 1.7: epoch ms at which the socket entered its state when the kernel's ages prove it,
     * -1 when they do not (the caller falls back to the first poll that saw the state: OBSERVED).
     */
    static long stateSince(int state, int timer, long inode, long lastSnd, long lastRcv, long lastAck, long rtoMs,
                           long expires, long pollMs) {
        if (state == TIME_WAIT && timer == TIMER_TIMEWAIT) {
            return pollMs + expires - 60_000;                 // TCP_TIMEWAIT_LEN, fixed
        }
        if (lastAck < 0) {
            return -1;                                        // minisocket or no tcp_info
        }
        if (state == FIN_WAIT2) {
            boolean keepalive = timer == TIMER_KEEPALIVE && inode != 0;   // own probes' answers move lastack
            boolean dataSince = lastRcv <= lastAck;                        // data arrived with/after the last ACK
            return keepalive || dataSince ? -1 : pollMs - lastAck;
        }
        if (state == CLOSE_WAIT) {
            // No timer (no keepalive, nothing in flight) and the last data we sent is older than one RTO before
            // the last ACK, so that ACK is not the answer to our data: it came with the peer's FIN.
            return timer == TIMER_OFF && lastSnd - lastAck > rtoMs ? pollMs - lastAck : -1;
        }
        return -1;
    }

    /** research14.md sections 2.4 and 2.6: the earliest moment the kernel reaps an orphan, or null. */
    static Long reapAt(int state, int timer, long inode, long expires, long pollMs, long finTimeoutS) {
        if (inode != 0) {
            return null;
        }
        if (timer == TIMER_TIMEWAIT) {
            return pollMs + expires;                          // the wheel may run it up to one granularity later
        }
        if (timer == TIMER_KEEPALIVE && state == FIN_WAIT2 && finTimeoutS > 60) {
            return pollMs + expires + (finTimeoutS - 60) * 1000;  // then a minisocket for fin - 60 s more
        }
        return null;                                          // retransmit / persist timers are not reaps
    }

    static final Memory RX = new Memory(64 * 1024);
    static final ByteBuffer RXB = RX.getByteBuffer(0, 64 * 1024).order(ByteOrder.nativeOrder());
    static int seq;

    /** Returns {messages, bytes}; prints rows when print is set. */
    static long[] dump(int fd, int states, int ext, boolean print, boolean decode) {
        byte[] req = new byte[REQUEST_LEN];
        ByteBuffer r = ByteBuffer.wrap(req).order(ByteOrder.nativeOrder());
        r.putInt(0, REQUEST_LEN).putShort(4, (short) TCPDIAG_GETSOCK).putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP))
                .putInt(8, ++seq).putInt(12, 0);
        // inet_diag_req: family u8 @16, src_len @17, dst_len @18, idiag_ext @19, sockid @20..67, states @68, dbs @72
        r.put(16, (byte) 2).put(19, (byte) ext).putInt(16 + 52, states);
        C.LIB.send(fd, req, new NativeLong(REQUEST_LEN), 0);
        long messages = 0, bytes = 0;
        // The kernel fills datagram 1 inside send() and datagram k+1 at the end of the recv() returning k: the
        // ages in a datagram are as of the return of the call before the one that delivers it.
        long filledMs = System.currentTimeMillis();
        while (true) {
            int n = (int) C.LIB.recv(fd, RX, new NativeLong(64 * 1024), 0).longValue();
            long pollMs = filledMs;
            filledMs = System.currentTimeMillis();
            bytes += n;
            ByteBuffer b = RXB.duplicate().order(ByteOrder.nativeOrder());
            ByteBuffer be = RXB.duplicate().order(ByteOrder.BIG_ENDIAN);
            int at = 0;
            while (n - at >= NLMSG_HDRLEN) {
                int len = b.getInt(at);
                int type = b.getShort(at + 4) & 0xffff;
                if (type == NLMSG_DONE) {
                    return new long[] {messages, bytes};
                }
                if (type == NLMSG_ERROR) {
                    throw new IllegalStateException("errno " + -b.getInt(at + 16));
                }
                messages++;
                if (decode) {
                    int o = at + NLMSG_HDRLEN;
                    int state = b.get(o + 1) & 0xff, timer = b.get(o + 2) & 0xff;
                    long expires = b.getInt(o + 52) & 0xffffffffL, rq = b.getInt(o + 56) & 0xffffffffL,
                            wq = b.getInt(o + 60) & 0xffffffffL, inode = b.getInt(o + 68) & 0xffffffffL;
                    long cookie = (b.getInt(o + 44) & 0xffffffffL) | ((long) b.getInt(o + 48) << 32);
                    Attrs a = Attrs.scan(b, o + INET_DIAG_MSG_LEN, at + len);
                    int shut = a.shutdown() >= 0 ? b.get(a.shutdown()) & 3 : -1;
                    long lastAck = -1, lastRcv = -1, lastSnd = -1, rtoMs = -1;
                    if (a.info() >= 0 && a.infoLen() >= TcpInfo.MIN_LEN) {
                        lastSnd = b.getInt(a.info() + TcpInfo.LAST_DATA_SENT) & 0xffffffffL;
                        lastRcv = b.getInt(a.info() + TcpInfo.LAST_DATA_RECV) & 0xffffffffL;
                        lastAck = b.getInt(a.info() + TcpInfo.LAST_ACK_RECV) & 0xffffffffL;
                        rtoMs = (b.getInt(a.info() + TcpInfo.RTO_US) & 0xffffffffL) / 1000;
                    }
                    long since = stateSince(state, timer, inode, lastSnd, lastRcv, lastAck, rtoMs, expires, pollMs);
                    if (print) {
                        Long reap = reapAt(state, timer, inode, expires, pollMs, FIN_TIMEOUT_S);
                        System.out.printf("%-2d %5d>%-5d state=%-2d timer=%d expires=%-6d rq=%-5d wq=%-5d inode=%-8d "
                                        + "cookie=%x shutdown=%s lastsnd=%d lastrcv=%d lastack=%d state_since=%s reap_at=%s%n",
                                b.get(o) & 0xff, be.getShort(o + 4) & 0xffff, be.getShort(o + 6) & 0xffff, state,
                                timer, expires, rq, wq, inode, cookie, shut < 0 ? "-" : new String[] {"NONE", "RD", "WR",
                                        "RDWR"}[shut], lastSnd, lastRcv, lastAck,
                                since < 0 ? "OBSERVED(first poll)" : since + " KERNEL", reap == null ? "null" : reap);
                    }
                }
                at += (len + 3) & ~3;
            }
        }
    }

    /**
     * Interleaved rounds of the four variants (whole / narrowed, ext none / INFO); kernel = thread CPU minus user
     * time of the dumping thread (sending the request, the kernel filling datagrams, copying them out).
     */
    static void compare(int fd, int rounds, int k) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int narrow = ~((1 << 1) | (1 << 10));
        int[][] variants = {{-1, 0}, {-1, EXT_INFO}, {narrow, 0}, {narrow, EXT_INFO}};
        String[] names = {"whole ext=0", "whole ext=INFO", "narrow ext=0", "narrow ext=INFO"};
        double[][] kernel = new double[4][rounds];
        double[][] wall = new double[4][rounds];
        for (int[] v : variants) {
            for (int i = 0; i < 20; i++) {
                dump(fd, v[0], v[1], false, true);
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < 4; j++) {
                int v = (j + r) % 4;                  // rotate the order every round
                long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime(), u0 = mx.getCurrentThreadUserTime();
                for (int i = 0; i < k; i++) {
                    dump(fd, variants[v][0], variants[v][1], false, true);
                }
                long c = mx.getCurrentThreadCpuTime() - c0, u = mx.getCurrentThreadUserTime() - u0;
                kernel[v][r] = (c - u) / 1e6 / k;
                wall[v][r] = (System.nanoTime() - w0) / 1e6 / k;
            }
            System.out.printf("round %d kernel ms/dump: whole %.2f -> INFO %.2f (x%.2f) | narrow %.2f -> INFO %.2f (x%.2f)"
                            + " | wall whole %.2f -> %.2f, narrow %.2f -> %.2f%n", r, kernel[0][r], kernel[1][r],
                    kernel[1][r] / kernel[0][r], kernel[2][r], kernel[3][r], kernel[3][r] / kernel[2][r], wall[0][r],
                    wall[1][r], wall[2][r], wall[3][r]);
        }
        for (int v = 0; v < 4; v++) {
            double[] x = kernel[v].clone();
            java.util.Arrays.sort(x);
            double[] y = wall[v].clone();
            java.util.Arrays.sort(y);
            System.out.printf("%-16s kernel median %.2f ms (min %.2f), wall median %.2f ms%n", names[v], x[rounds / 2],
                    x[0], y[rounds / 2]);
        }
    }

    public static void main(String[] args) throws Exception {
        String ns = args[0];
        FIN_TIMEOUT_S = Long.getLong("finTimeout", 60);
        String st = args.length > 1 ? args[1] : "all";
        int states = st.equals("all") ? -1 : st.equals("narrow") ? ~((1 << 1) | (1 << 10)) : Integer.decode(st);
        int ext = args.length > 2 && args[2].equals("none") ? 0 : EXT_INFO;
        int fd = makeSocketIn(ns);
        if (args.length > 3 && args[3].equals("compare")) {
            compare(fd, Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        } else if (args.length > 3 && args[3].equals("bench")) {
            int n = Integer.parseInt(args[4]);
            boolean decode = args.length <= 5 || !args[5].equals("nodecode");
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < Math.max(5, n / 10); i++) {
                dump(fd, states, ext, false, decode);          // warm up
            }
            long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime(), u0 = mx.getCurrentThreadUserTime();
            long[] last = null;
            for (int i = 0; i < n; i++) {
                last = dump(fd, states, ext, false, decode);
            }
            long w = System.nanoTime() - w0, c = mx.getCurrentThreadCpuTime() - c0, u = mx.getCurrentThreadUserTime() - u0;
            System.out.printf("states=%s ext=%d decode=%s: %d messages, %d bytes per dump; per dump wall %.3f ms, "
                            + "cpu %.3f ms (user %.3f, kernel %.3f)%n", st, ext, decode, last[0], last[1],
                    w / 1e6 / n, c / 1e6 / n, u / 1e6 / n, (c - u) / 1e6 / n);
        } else {
            long[] r = dump(fd, states, ext, true, true);
            System.out.printf("%d messages, %d bytes%n", r[0], r[1]);
        }
        C.LIB.close(fd);
    }
}
