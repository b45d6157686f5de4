import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Issue 14 prototype: TCP destroy notifications of one network namespace (what `ss -E` shows).
 *
 * <pre>
 * java -cp jna-5.18.1.jar DestroyListener.java /run/netns/NAME [SECONDS] [RCVBUF_BYTES]
 * </pre>
 * The socket is made on a thread that setns()es into the namespace (a netlink socket answers for the namespace
 * it was made in), then joins SKNLGRP_INET_TCP_DESTROY (1) and SKNLGRP_INET6_TCP_DESTROY (3) with
 * NETLINK_ADD_MEMBERSHIP; no capability is needed for that. The receive buffer is raised with SO_RCVBUFFORCE
 * (CAP_NET_ADMIN) and falls back to SO_RCVBUF (capped at net.core.rmem_max). Each event costs 1280 bytes of it.
 * ENOBUFS from recv means events were dropped: the collector must then rely on its next poll.
 */
public final class DestroyListener {
    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

        int getsockopt(int fd, int level, int name, int[] value, int[] len) throws LastErrorException;

        int bind(int fd, byte[] addr, int len) throws LastErrorException;

        NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    static final int AF_NETLINK = 16, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, NETLINK_SOCK_DIAG = 4;
    static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_RCVBUFFORCE = 33, SO_RCVTIMEO = 20;
    static final int SOL_NETLINK = 270, NETLINK_ADD_MEMBERSHIP = 1;
    /** linux/sock_diag.h: SKNLGRP_NONE 0, INET_TCP_DESTROY 1, INET_UDP_DESTROY 2, INET6_TCP_DESTROY 3, ... */
    static final int SKNLGRP_INET_TCP_DESTROY = 1, SKNLGRP_INET6_TCP_DESTROY = 3;
    static final int SOCK_DIAG_BY_FAMILY = 20, ENOBUFS = 105, EAGAIN = 11;
    static final int INET_DIAG_INFO = 2, INET_DIAG_PROTOCOL = 10;
    static final int TCPI_STATE = 0, TCPI_LAST_DATA_RECV = 52, TCPI_LAST_ACK_RECV = 56;

    /** One decoded destroy event. The kernel fills no timer, expires, uid or inode, and no INET_DIAG_SHUTDOWN. */
    record Event(long receivedMs, int family, int state, int localPort, int remotePort, long cookie, long rq, long wq,
            int tcpiState, long lastAckAgo, long bytesReceived) {
    }

    static Event decode(ByteBuffer b, int at, int len, long receivedMs) {
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        int o = at + 16;
        int tcpiState = -1;
        long lastAck = -1, bytesReceived = -1;
        int a = o + 72;
        while (at + len - a >= 4) {
            int alen = b.getShort(a) & 0xffff, type = b.getShort(a + 2) & 0x3fff;
            if (alen < 4) {
                break;
            }
            if (type == INET_DIAG_INFO && alen - 4 >= 136) {
                tcpiState = b.get(a + 4 + TCPI_STATE) & 0xff;
                lastAck = b.getInt(a + 4 + TCPI_LAST_ACK_RECV) & 0xffffffffL;
                bytesReceived = b.getLong(a + 4 + 128);
            }
            a += (alen + 3) & ~3;
        }
        return new Event(receivedMs, b.get(o) & 0xff, b.get(o + 1) & 0xff, be.getShort(o + 4) & 0xffff,
                be.getShort(o + 6) & 0xffff, (b.getInt(o + 44) & 0xffffffffL) | ((long) b.getInt(o + 48) << 32),
                b.getInt(o + 56) & 0xffffffffL, b.getInt(o + 60) & 0xffffffffL, tcpiState, lastAck, bytesReceived);
    }

    static int subscribeIn(String nsPath, int rcvbuf) throws Exception {
        ExecutorService t = Executors.newSingleThreadExecutor();
        int fd;
        try {
            fd = t.submit(() -> {
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
        // Everything below works from any thread: the namespace was fixed when the socket was made.
        try {
            C.LIB.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, new int[] {rcvbuf}, 4);
        } catch (LastErrorException e) {
            C.LIB.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new int[] {rcvbuf}, 4);   // capped at rmem_max
        }
        byte[] sockaddrNl = new byte[12];                                  // nl_family u16, pad, pid u32, groups u32
        ByteBuffer.wrap(sockaddrNl).order(ByteOrder.nativeOrder()).putShort(0, (short) AF_NETLINK);
        C.LIB.bind(fd, sockaddrNl, sockaddrNl.length);
        C.LIB.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, new int[] {SKNLGRP_INET_TCP_DESTROY}, 4);
        C.LIB.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, new int[] {SKNLGRP_INET6_TCP_DESTROY}, 4);
        // struct timeval {1 s}: lets the loop notice its deadline
        C.LIB.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new int[] {1, 0, 0, 0}, 16);
        return fd;
    }

    public static void main(String[] args) throws Exception {
        String ns = args[0];
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
        int rcvbuf = args.length > 2 ? Integer.parseInt(args[2]) : 4 << 20;
        int fd = subscribeIn(ns, rcvbuf);
        int[] eff = {0};
        C.LIB.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, eff, new int[] {4});
        System.out.printf("subscribed in %s, SO_RCVBUF effective %d (%d events of 1280 B)%n", ns, eff[0],
                eff[0] / 1280);
        Memory rx = new Memory(64 * 1024);
        ByteBuffer b = rx.getByteBuffer(0, 64 * 1024).order(ByteOrder.nativeOrder());
        long end = System.currentTimeMillis() + seconds * 1000;
        long events = 0, overruns = 0;
        while (System.currentTimeMillis() < end) {
            int n;
            try {
                n = (int) C.LIB.recv(fd, rx, new NativeLong(64 * 1024), 0).longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENOBUFS) {
                    overruns++;        // events were dropped: the next poll must cover the gap
                    System.out.println("ENOBUFS: events lost");
                } else if (e.getErrorCode() != EAGAIN) {
                    throw e;
                }
                continue;
            }
            long now = System.currentTimeMillis();
            int at = 0;
            while (n - at >= 16) {
                int len = b.getInt(at), type = b.getShort(at + 4) & 0xffff;
                if (len < 16 || len > n - at) {
                    break;
                }
                if (type == SOCK_DIAG_BY_FAMILY && len >= 16 + 72) {
                    Event e = decode(b, at, len, now);
                    events++;
                    System.out.println(e);
                }
                at += (len + 3) & ~3;
            }
        }
        System.out.printf("%d events, %d overruns%n", events, overruns);
        C.LIB.close(fd);
    }
}
