import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Prototype for finwatch issue 17 (not product code): one ctnetlink IPCTNL_MSG_CT_GET for a socket's view, in the
 * collector's stack (Java 17, JNA 5.18.1, the raw libc calls SockDiagReader already uses).
 *
 * <pre>
 * java -cp jna-5.18.1.jar CtLookup.java [--netns /run/netns/NAME] LOCAL_IP:PORT REMOTE_IP:PORT [--bench N]
 * </pre>
 *
 * Prints both tuples, the conntrack TCP state and timeout, which direction the view matched and the far end's view.
 * ::ffff:a.b.c.d is looked up as IPv4.
 */
public final class CtLookup {
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        NativeLong send(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;
    }

    static final int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, NETLINK_NETFILTER = 12;
    static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 0x80000;
    static final short NLMSG_ERROR = 2, NLM_F_REQUEST = 1, NLA_F_NESTED = (short) 0x8000;
    static final short CT_GET = (1 << 8) | 1; // NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET
    static final int CTA_TUPLE_ORIG = 1, CTA_TUPLE_REPLY = 2, CTA_STATUS = 3, CTA_PROTOINFO = 4, CTA_TIMEOUT = 7,
            CTA_ID = 12;
    static final int CTA_TUPLE_IP = 1, CTA_TUPLE_PROTO = 2;
    static final int CTA_IP_V4_SRC = 1, CTA_IP_V4_DST = 2, CTA_IP_V6_SRC = 3, CTA_IP_V6_DST = 4;
    static final int CTA_PROTO_NUM = 1, CTA_PROTO_SRC_PORT = 2, CTA_PROTO_DST_PORT = 3;
    static final String[] TCP_CT = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
            "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"};

    record Endpoint(InetAddress addr, int port) {
        static Endpoint parse(String text) throws Exception {
            int colon = text.lastIndexOf(':');
            String host = text.substring(0, colon).replace("[", "").replace("]", "");
            // InetAddress.getByName turns ::ffff:a.b.c.d into an Inet4Address: the packets are IPv4, and so is
            // the conntrack entry.
            return new Endpoint(InetAddress.getByName(host), Integer.parseInt(text.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return (addr instanceof Inet6Address ? "[" + addr.getHostAddress() + "]" : addr.getHostAddress()) + ":"
                    + port;
        }
    }

    record Tuple(Endpoint src, Endpoint dst) {
        boolean is(Endpoint s, Endpoint d) {
            return src.equals(s) && dst.equals(d);
        }
    }

    record Entry(Tuple orig, Tuple reply, String tcpState, long timeoutS, long status, long id) {
    }

    private final LibC libc = Native.load("c", LibC.class);
    private final int fd;
    private final Memory rx = new Memory(65536);
    private int seq;

    CtLookup(String netnsPath) {
        if (netnsPath == null) {
            fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
            return;
        }
        // setns moves only the calling thread; the socket stays bound to the namespace it was made in.
        int home = libc.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        int target = libc.open(netnsPath, O_RDONLY | O_CLOEXEC);
        try {
            libc.setns(target, CLONE_NEWNET);
            try {
                fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
            } finally {
                libc.setns(home, CLONE_NEWNET);
            }
        } finally {
            libc.close(target);
            libc.close(home);
        }
    }

    /** nlmsghdr, nfgenmsg, CTA_TUPLE_ORIG{CTA_TUPLE_IP{src,dst}, CTA_TUPLE_PROTO{num,sport,dport}}. */
    byte[] request(Endpoint local, Endpoint remote) {
        boolean v4 = local.addr() instanceof Inet4Address;
        int alen = v4 ? 4 : 16;
        int ipNest = 4 + 2 * (4 + alen);
        int protoNest = 4 + 8 + 8 + 8;
        int tupleNest = 4 + ipNest + protoNest;
        int len = 16 + 4 + tupleNest;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort(CT_GET).putShort(NLM_F_REQUEST).putInt(++seq).putInt(0);
        b.put((byte) (v4 ? 2 : 10)).put((byte) 0).putShort((short) 0); // nfgenmsg: family, NFNETLINK_V0, res_id
        b.putShort((short) tupleNest).putShort((short) (CTA_TUPLE_ORIG | NLA_F_NESTED));
        b.putShort((short) ipNest).putShort((short) (CTA_TUPLE_IP | NLA_F_NESTED));
        b.putShort((short) (4 + alen)).putShort((short) (v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC)).put(local.addr().getAddress());
        b.putShort((short) (4 + alen)).putShort((short) (v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST)).put(remote.addr().getAddress());
        b.putShort((short) protoNest).putShort((short) (CTA_TUPLE_PROTO | NLA_F_NESTED));
        b.putShort((short) 5).putShort((short) CTA_PROTO_NUM).put((byte) 6).put(new byte[3]);
        b.putShort((short) 6).putShort((short) CTA_PROTO_SRC_PORT).order(ByteOrder.BIG_ENDIAN)
                .putShort((short) local.port()).order(ByteOrder.nativeOrder()).putShort((short) 0);
        b.putShort((short) 6).putShort((short) CTA_PROTO_DST_PORT).order(ByteOrder.BIG_ENDIAN)
                .putShort((short) remote.port()).order(ByteOrder.nativeOrder()).putShort((short) 0);
        return b.array();
    }

    /** The entry, or null when the table has none (ENOENT). */
    Entry get(Endpoint local, Endpoint remote) {
        byte[] req = request(local, remote);
        libc.send(fd, req, new NativeLong(req.length), 0);
        int n = libc.recv(fd, rx, new NativeLong(rx.size()), 0).intValue();
        ByteBuffer b = rx.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
        int msgLen = b.getInt(0);
        short type = b.getShort(4);
        if (type == NLMSG_ERROR) {
            int err = -b.getInt(16);
            if (err == 2) {
                return null;
            }
            throw new IllegalStateException("ctnetlink error " + err);
        }
        Tuple orig = null, reply = null;
        String state = "?";
        long timeout = -1, status = 0, id = 0;
        for (int off = 20; off + 4 <= msgLen; ) {
            int alen = Short.toUnsignedInt(b.getShort(off));
            int atype = b.getShort(off + 2) & 0x3fff;
            int p = off + 4, end = off + alen;
            switch (atype) {
                case CTA_TUPLE_ORIG -> orig = tuple(b, p, end);
                case CTA_TUPLE_REPLY -> reply = tuple(b, p, end);
                case CTA_STATUS -> status = Integer.toUnsignedLong(b.order(ByteOrder.BIG_ENDIAN).getInt(p));
                case CTA_TIMEOUT -> timeout = Integer.toUnsignedLong(b.order(ByteOrder.BIG_ENDIAN).getInt(p));
                case CTA_ID -> id = Integer.toUnsignedLong(b.order(ByteOrder.BIG_ENDIAN).getInt(p));
                case CTA_PROTOINFO -> {
                    // CTA_PROTOINFO { CTA_PROTOINFO_TCP { CTA_PROTOINFO_TCP_STATE u8, ... } }
                    int s = b.get(p + 4 + 4) & 0xff;
                    state = s < TCP_CT.length ? TCP_CT[s] : String.valueOf(s);
                }
                default -> {
                }
            }
            b.order(ByteOrder.nativeOrder());
            off += (alen + 3) & ~3;
        }
        return new Entry(orig, reply, state, timeout, status, id);
    }

    private static Tuple tuple(ByteBuffer b, int p, int end) {
        byte[] src = null, dst = null;
        int sport = 0, dport = 0;
        for (int off = p; off + 4 <= end; ) {
            int alen = Short.toUnsignedInt(b.getShort(off));
            int atype = b.getShort(off + 2) & 0x3fff;
            for (int q = off + 4; q + 4 <= off + alen; ) {
                int l = Short.toUnsignedInt(b.getShort(q));
                int t = b.getShort(q + 2) & 0x3fff;
                if (atype == CTA_TUPLE_IP) {
                    byte[] a = new byte[l - 4];
                    b.get(q + 4, a);
                    if (t == CTA_IP_V4_SRC || t == CTA_IP_V6_SRC) src = a; else dst = a;
                } else if (atype == CTA_TUPLE_PROTO && (t == CTA_PROTO_SRC_PORT || t == CTA_PROTO_DST_PORT)) {
                    int port = Short.toUnsignedInt(b.order(ByteOrder.BIG_ENDIAN).getShort(q + 4));
                    b.order(ByteOrder.nativeOrder());
                    if (t == CTA_PROTO_SRC_PORT) sport = port; else dport = port;
                }
                q += (l + 3) & ~3;
            }
            off += (alen + 3) & ~3;
        }
        try {
            return new Tuple(new Endpoint(InetAddress.getByAddress(src), sport),
                    new Endpoint(InetAddress.getByAddress(dst), dport));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        String netns = null;
        int bench = 0;
        java.util.List<String> pos = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--netns" -> netns = args[++i];
                case "--bench" -> bench = Integer.parseInt(args[++i]);
                default -> pos.add(args[i]);
            }
        }
        Endpoint local = Endpoint.parse(pos.get(0)), remote = Endpoint.parse(pos.get(1));
        CtLookup ct = new CtLookup(netns);
        if (bench > 0) {
            Endpoint missing = new Endpoint(local.addr(), 1);
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < bench; i++) ct.get(local, remote);
                long t1 = System.nanoTime();
                for (int i = 0; i < bench; i++) ct.get(missing, remote);
                long t2 = System.nanoTime();
                System.out.printf("round %d: GET hit %.2f us, GET miss %.2f us per lookup (n=%d)%n", round,
                        (t1 - t0) / 1e3 / bench, (t2 - t1) / 1e3 / bench, bench);
            }
            return;
        }
        Entry e = ct.get(local, remote);
        if (e == null) {
            System.out.println("not found (ENOENT)");
            System.exit(1);
        }
        String matched = e.orig().is(local, remote) ? "orig" : e.reply().is(local, remote) ? "reply" : "none";
        Tuple far = matched.equals("orig") ? e.reply() : e.orig();
        System.out.printf("%s timeout=%d id=%d status=0x%x%n  orig  %s -> %s%n  reply %s -> %s%n", e.tcpState(),
                e.timeoutS(), e.id(), e.status(), e.orig().src(), e.orig().dst(), e.reply().src(), e.reply().dst());
        System.out.printf("  view matched %s; the far end sees local=%s remote=%s%n", matched, far.src(), far.dst());
    }
}
