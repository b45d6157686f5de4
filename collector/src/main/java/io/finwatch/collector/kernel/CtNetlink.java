package io.finwatch.collector.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ctnetlink's wire format for one connection lookup: the {@code IPCTNL_MSG_CT_GET} request for a tuple, and the
 * answer the kernel sends to it (docs/research/both-ends/FINDINGS.md, section 2.4, has a real request and answer).
 *
 * <p>A request is nlmsghdr, nfgenmsg (the tuple's family), then {@code CTA_TUPLE_ORIG} nesting
 * {@code CTA_TUPLE_IP} (source, destination) and {@code CTA_TUPLE_PROTO} (protocol 6, ports in network order).
 * The kernel finds the entry whichever direction the tuple is in, since its hash holds both. The answer is one
 * {@code IPCTNL_MSG_CT_NEW} message carrying both tuples, the status bits and, for a non-zero zone, the zone; or an
 * {@code NLMSG_ERROR} with ENOENT when the table holds no such connection, EPERM without CAP_NET_ADMIN. No
 * {@code NLM_F_ACK} is asked: it would add a second answer to every hit. Pure over bytes.
 */
final class CtNetlink {
    private CtNetlink() {
    }

    static final int NETLINK_NETFILTER = 12;
    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 1;
    /** NFNL_SUBSYS_CTNETLINK (1) << 8. */
    private static final int CT_SUBSYS = 1 << 8;
    static final short IPCTNL_MSG_CT_GET = (short) (CT_SUBSYS | 1);
    static final int IPCTNL_MSG_CT_NEW = CT_SUBSYS;
    private static final int NLA_F_NESTED = 0x8000;
    private static final int NLA_TYPE_MASK = 0x3fff;

    private static final int CTA_TUPLE_ORIG = 1;
    private static final int CTA_TUPLE_REPLY = 2;
    private static final int CTA_STATUS = 3;
    private static final int CTA_ZONE = 18;
    private static final int CTA_TUPLE_IP = 1;
    private static final int CTA_TUPLE_PROTO = 2;
    private static final int CTA_IP_V4_SRC = 1;
    private static final int CTA_IP_V4_DST = 2;
    private static final int CTA_IP_V6_SRC = 3;
    private static final int CTA_IP_V6_DST = 4;
    private static final int CTA_PROTO_NUM = 1;
    private static final int CTA_PROTO_SRC_PORT = 2;
    private static final int CTA_PROTO_DST_PORT = 3;
    private static final int IPPROTO_TCP = 6;
    /** IPS_SRC_NAT | IPS_DST_NAT: the entry translates the connection. */
    static final long IPS_NAT_MASK = (1 << 4) | (1 << 5);

    static final int ENOENT = 2;
    static final int EPERM = 1;

    /** One direction of a connection: addresses of 4 or 16 bytes, ports as numbers. */
    record Tuple(byte[] src, int srcPort, byte[] dst, int dstPort) {
    }

    /** An entry as the kernel answered it. */
    record Entry(Tuple orig, Tuple reply, long status, int zone) {
        boolean translated() {
            return (status & IPS_NAT_MASK) != 0;
        }
    }

    /**
     * The answer to one request: an entry, or {@code errno} (ENOENT, EPERM, ...) from an {@code NLMSG_ERROR}.
     *
     * @param seq the request's sequence number
     */
    record Answer(int seq, Entry entry, int errno) {
    }

    /** Bytes of the request for a tuple whose addresses have {@code addressBytes} (4 or 16). */
    static int requestLength(int addressBytes) {
        return NLMSG_HDRLEN + 4 + 4 + (4 + 2 * (4 + addressBytes)) + (4 + 8 + 8 + 8);
    }

    /** Writes the GET for {@code t} (addresses of one family, 4 or 16 bytes) at the buffer's position. */
    static void putRequest(ByteBuffer out, int seq, Tuple t) {
        int alen = t.src().length;
        if (alen != t.dst().length || (alen != 4 && alen != 16)) {
            throw new IllegalArgumentException("addresses of 4 or 16 bytes, one family: " + alen + "/" + t.dst().length);
        }
        boolean v4 = alen == 4;
        int ipNest = 4 + 2 * (4 + alen);
        int protoNest = 4 + 8 + 8 + 8;
        int tupleNest = 4 + ipNest + protoNest;
        int len = NLMSG_HDRLEN + 4 + tupleNest;
        ByteBuffer b = out.order(ByteOrder.nativeOrder());
        b.putInt(len).putShort(IPCTNL_MSG_CT_GET).putShort(NLM_F_REQUEST).putInt(seq).putInt(0);
        // nfgenmsg: family, NFNETLINK_V0, res_id 0 (big-endian, and 0)
        b.put((byte) (v4 ? 2 : 10)).put((byte) 0).putShort((short) 0);
        nest(b, tupleNest, CTA_TUPLE_ORIG);
        nest(b, ipNest, CTA_TUPLE_IP);
        b.putShort((short) (4 + alen)).putShort((short) (v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC)).put(t.src());
        b.putShort((short) (4 + alen)).putShort((short) (v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST)).put(t.dst());
        nest(b, protoNest, CTA_TUPLE_PROTO);
        b.putShort((short) 5).putShort((short) CTA_PROTO_NUM).put((byte) IPPROTO_TCP).put((byte) 0).putShort((short) 0);
        port(b, CTA_PROTO_SRC_PORT, t.srcPort());
        port(b, CTA_PROTO_DST_PORT, t.dstPort());
    }

    private static void nest(ByteBuffer b, int len, int type) {
        b.putShort((short) len).putShort((short) (type | NLA_F_NESTED));
    }

    private static void port(ByteBuffer b, int type, int port) {
        b.putShort((short) 6).putShort((short) type);
        b.put((byte) (port >>> 8)).put((byte) port).putShort((short) 0);
    }

    /**
     * Decodes the message at the buffer's position and moves past it (to the next aligned message).
     *
     * @return the answer, or null for a message that answers no GET (anything but CT_NEW or an error)
     * @throws IllegalArgumentException when the message is cut short or its attributes overrun it
     */
    static Answer next(ByteBuffer in) {
        ByteBuffer b = in.order(ByteOrder.nativeOrder());
        int start = b.position();
        if (b.remaining() < NLMSG_HDRLEN) {
            throw new IllegalArgumentException("netlink message of " + b.remaining() + " bytes, shorter than its header");
        }
        int len = b.getInt(start);
        int type = Short.toUnsignedInt(b.getShort(start + 4));
        int seq = b.getInt(start + 8);
        if (len < NLMSG_HDRLEN || len > b.remaining()) {
            throw new IllegalArgumentException("netlink message length " + len + " with " + b.remaining() + " bytes left");
        }
        b.position(Math.min(b.limit(), start + align(len)));
        if (type == NLMSG_ERROR) {
            if (len < NLMSG_HDRLEN + 4) {
                throw new IllegalArgumentException("NLMSG_ERROR of " + len + " bytes");
            }
            return new Answer(seq, null, -b.getInt(start + NLMSG_HDRLEN));
        }
        if (type != IPCTNL_MSG_CT_NEW) {
            return null;
        }
        Tuple orig = null;
        Tuple reply = null;
        long status = 0;
        int zone = 0;
        int end = start + len;
        for (int off = start + NLMSG_HDRLEN + 4; off + 4 <= end; ) {
            int alen = Short.toUnsignedInt(b.getShort(off));
            int atype = b.getShort(off + 2) & NLA_TYPE_MASK;
            if (alen < 4 || off + alen > end) {
                throw new IllegalArgumentException("attribute " + atype + " of length " + alen + " overruns its message");
            }
            switch (atype) {
                case CTA_TUPLE_ORIG -> orig = tuple(b, off + 4, off + alen);
                case CTA_TUPLE_REPLY -> reply = tuple(b, off + 4, off + alen);
                case CTA_STATUS -> status = Integer.toUnsignedLong(be32(b, off + 4));
                case CTA_ZONE -> zone = be16(b, off + 4);
                default -> {
                }
            }
            off += align(alen);
        }
        if (orig == null || reply == null) {
            throw new IllegalArgumentException("conntrack entry without both tuples");
        }
        return new Answer(seq, new Entry(orig, reply, status, zone), 0);
    }

    private static Tuple tuple(ByteBuffer b, int from, int end) {
        byte[] src = null;
        byte[] dst = null;
        int sport = -1;
        int dport = -1;
        for (int off = from; off + 4 <= end; ) {
            int alen = Short.toUnsignedInt(b.getShort(off));
            int atype = b.getShort(off + 2) & NLA_TYPE_MASK;
            if (alen < 4 || off + alen > end) {
                throw new IllegalArgumentException("tuple attribute " + atype + " of length " + alen + " overruns it");
            }
            for (int q = off + 4; q + 4 <= off + alen; ) {
                int l = Short.toUnsignedInt(b.getShort(q));
                int t = b.getShort(q + 2) & NLA_TYPE_MASK;
                if (l < 4 || q + l > off + alen) {
                    throw new IllegalArgumentException("tuple attribute " + t + " of length " + l + " overruns it");
                }
                if (atype == CTA_TUPLE_IP && (l == 8 || l == 20)) {
                    byte[] a = new byte[l - 4];
                    b.get(q + 4, a);
                    switch (t) {
                        case CTA_IP_V4_SRC, CTA_IP_V6_SRC -> src = a;
                        case CTA_IP_V4_DST, CTA_IP_V6_DST -> dst = a;
                        default -> {
                        }
                    }
                } else if (atype == CTA_TUPLE_PROTO && l >= 6) {
                    if (t == CTA_PROTO_SRC_PORT) {
                        sport = be16(b, q + 4);
                    } else if (t == CTA_PROTO_DST_PORT) {
                        dport = be16(b, q + 4);
                    }
                }
                q += align(l);
            }
            off += align(alen);
        }
        if (src == null || dst == null || sport < 0 || dport < 0) {
            throw new IllegalArgumentException("tuple without addresses and ports");
        }
        return new Tuple(src, sport, dst, dport);
    }

    private static int be16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xff) << 8) | (b.get(at + 1) & 0xff);
    }

    private static int be32(ByteBuffer b, int at) {
        return ((b.get(at) & 0xff) << 24) | ((b.get(at + 1) & 0xff) << 16) | ((b.get(at + 2) & 0xff) << 8)
                | (b.get(at + 3) & 0xff);
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }
}
