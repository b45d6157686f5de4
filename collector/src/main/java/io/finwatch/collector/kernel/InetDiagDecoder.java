package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.Shutdown;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * Decodes the datagrams of one netlink {@code TCPDIAG_GETSOCK} (or {@code SOCK_DIAG_BY_FAMILY}) dump of TCP sockets into the rows
 * /proc/net/tcp would have shown (linux/netlink.h, linux/inet_diag.h):
 *
 * <pre>
 * nlmsghdr       len u32, type u16, flags u16, seq u32, pid u32               (host order)
 * inet_diag_msg  family u8, state u8, timer u8, retrans u8,
 *                sport be16, dport be16, src be32[4], dst be32[4], if u32, cookie u32[2],
 *                expires u32 (ms), rqueue u32, wqueue u32, uid u32, inode u32 (host order)
 * nlattr list    walked by {@link DiagAttributes}: SHUTDOWN (this end's shutdown flags) and INFO
 *                ({@link TcpInfo}: the ages that tell when the socket entered its state); minisockets carry neither
 * </pre>
 *
 * <p>The kernel computes ages and timers when it fills a datagram, so each datagram comes with the time it was
 * filled ({@link SockDiagReader} stamps it) and every row of it is placed in time by that stamp.
 *
 * <p>A message whose state or timer is unknown is reported and skipped; a datagram whose framing is broken, or a
 * netlink error, ends the dump with an IOException (the rows before it were delivered).
 */
final class InetDiagDecoder {
    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    /** The first-generation request and its replies: one dump for every address family. */
    static final int TCPDIAG_GETSOCK = 18;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int INET_DIAG_MSG_LEN = 72;
    private static final long U32 = 0xffff_ffffL;

    private final String source;
    private final long netns;
    private final int seq;
    private final DiagAttributes attributes = new DiagAttributes();
    private int messages;

    /**
     * @param source names the dump in errors, e.g. {@code netlink sock_diag tcp of netns 4026531840}
     * @param seq    the request's sequence number: every reply carries it
     */
    InetDiagDecoder(String source, long netns, int seq) {
        this.source = source;
        this.netns = netns;
        this.seq = seq;
    }

    /**
     * Decodes one datagram, positioned at its start with its limit at its end, in host byte order.
     *
     * @param filledAtMs epoch ms at which the kernel filled this datagram (its ages and timers count from then)
     * @return true when the dump's last message (NLMSG_DONE) was in it
     */
    boolean decode(ByteBuffer datagram, long filledAtMs, Consumer<SocketRow> rows, Consumer<ParseError> errors)
            throws IOException {
        ByteBuffer be = datagram.duplicate().order(ByteOrder.BIG_ENDIAN);
        int at = datagram.position();
        int end = datagram.limit();
        while (end - at >= NLMSG_HDRLEN) {
            int len = datagram.getInt(at);
            int type = datagram.getShort(at + 4) & 0xffff;
            int replySeq = datagram.getInt(at + 8);
            if (len < NLMSG_HDRLEN || len > end - at) {
                throw new IOException(source + ": message " + (messages + 1) + " claims " + len + " bytes, "
                        + (end - at) + " left in the datagram");
            }
            if (replySeq != seq) {
                throw new IOException(source + ": reply to request " + Integer.toUnsignedString(replySeq)
                        + " while waiting for " + Integer.toUnsignedString(seq));
            }
            messages++;
            switch (type) {
                case NLMSG_DONE -> {
                    return true;
                }
                case NLMSG_ERROR -> {
                    int errno = len >= NLMSG_HDRLEN + 4 ? -datagram.getInt(at + NLMSG_HDRLEN) : 0;
                    throw new IOException(source + ": the kernel answered errno " + errno);
                }
                case SOCK_DIAG_BY_FAMILY, TCPDIAG_GETSOCK -> {
                    SocketRow row = len < NLMSG_HDRLEN + INET_DIAG_MSG_LEN
                            ? reject(datagram, at, len, "inet_diag_msg of " + (len - NLMSG_HDRLEN)
                                    + " bytes, expected " + INET_DIAG_MSG_LEN, errors)
                            : row(datagram, be, at + NLMSG_HDRLEN, at, len, filledAtMs, errors);
                    if (row != null) {
                        rows.accept(row);
                    }
                }
                default -> reject(datagram, at, len, "unexpected netlink message type " + type, errors);
            }
            at += (len + 3) & ~3;
        }
        if (at < end) {
            throw new IOException(source + ": " + (end - at) + " bytes after message " + messages
                    + " are not a netlink message");
        }
        return false;
    }

    private SocketRow row(ByteBuffer b, ByteBuffer be, int o, int message, int len, long readAtMs,
                          Consumer<ParseError> errors) {
        int familyCode = b.get(o) & 0xff;
        int family = familyCode == AF_INET ? 4 : familyCode == AF_INET6 ? 6 : 0;
        if (family == 0) {
            return reject(b, message, len, "address family " + familyCode + " is neither AF_INET nor AF_INET6", errors);
        }
        TcpState state = TcpState.ofCode(b.get(o + 1) & 0xff);
        if (state == null) {
            return reject(b, message, len, "state " + (b.get(o + 1) & 0xff) + " is not a TCP state", errors);
        }
        TimerKind timer = TimerKind.ofCode(b.get(o + 2) & 0xff);
        if (timer == null) {
            return reject(b, message, len, "timer " + (b.get(o + 2) & 0xff) + " is not a timer kind (0 to 4)", errors);
        }
        int retransmits = b.get(o + 3) & 0xff;
        int localPort = be.getShort(o + 4) & 0xffff;
        int remotePort = be.getShort(o + 6) & 0xffff;
        long localHi = family == 4 ? 0 : be.getLong(o + 8);
        long localLo = family == 4 ? be.getInt(o + 8) & U32 : be.getLong(o + 16);
        long remoteHi = family == 4 ? 0 : be.getLong(o + 24);
        long remoteLo = family == 4 ? be.getInt(o + 24) & U32 : be.getLong(o + 32);
        long expiresMs = b.getInt(o + 52) & U32;
        long rxQueue = b.getInt(o + 56) & U32;
        // For a listener the kernel puts its backlog limit here; /proc/net/tcp shows its empty send queue.
        long txQueue = state == TcpState.LISTEN ? 0 : b.getInt(o + 60) & U32;
        int uid = b.getInt(o + 64);
        long inode = b.getInt(o + 68) & U32;
        long cookie = (b.getInt(o + 44) & U32) | (long) b.getInt(o + 48) << 32;
        String broken = attributes.scan(b, o + INET_DIAG_MSG_LEN, message + len);
        if (broken != null) {
            return reject(b, message, len, broken, errors);
        }
        Shutdown shutdown = attributes.shutdown < 0 ? null : Shutdown.ofBits(b.get(attributes.shutdown));
        long sinceMs;
        int info = attributes.info;
        if (info >= 0 && TcpInfo.usable(attributes.infoLength)) {
            sinceMs = KernelStateSince.of(state, timer, inode, expiresMs, readAtMs, TcpInfo.lastDataSentMs(b, info),
                    TcpInfo.lastDataRecvMs(b, info), TcpInfo.lastAckRecvMs(b, info), TcpInfo.rtoMs(b, info));
        } else {
            sinceMs = KernelStateSince.of(state, timer, inode, expiresMs, readAtMs, -1, -1, -1, 0);
        }
        SocketKey key = new SocketKey(netns, family, localHi, localLo, localPort, remoteHi, remoteLo, remotePort, 0);
        return new SocketRow(key, state, timer, expiresMs, retransmits, uid, inode, txQueue, rxQueue, cookie,
                shutdown, readAtMs, sinceMs, sinceMs != 0);
    }

    private SocketRow reject(ByteBuffer b, int message, int len, String reason, Consumer<ParseError> errors) {
        byte[] head = new byte[Math.min(len, ParseError.EXCERPT_LIMIT)];
        b.get(message, head);
        StringBuilder hex = new StringBuilder(head.length * 2);
        for (byte x : head) {
            hex.append(Character.forDigit((x >>> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        errors.accept(new ParseError(source, messages, reason, hex.toString()));
        return null;
    }
}
