package io.finwatch.collector.kernel;

import java.nio.ByteBuffer;

/**
 * The fields of {@code struct tcp_info} (linux/tcp.h, {@code INET_DIAG_INFO}) that tell when a socket entered its
 * state. The {@code tcpi_last_*} values are ages: milliseconds between the kernel's now (when it filled the
 * datagram) and a jiffies stamp, so they move at every read, have the resolution of one jiffy and wrap at 2^32 ms.
 * Older kernels send a shorter struct, newer ones a longer one: only the first {@link #NEEDED} bytes are required.
 */
final class TcpInfo {
    /** Everything read here lies in the first 104 bytes, present in every kernel that has tcpi_last_ack_recv. */
    static final int NEEDED = 104;
    private static final int RTO_US = 8;
    private static final int LAST_DATA_SENT = 44;
    private static final int LAST_DATA_RECV = 52;
    private static final int LAST_ACK_RECV = 56;
    private static final long U32 = 0xffff_ffffL;

    private TcpInfo() {
    }

    static boolean usable(int length) {
        return length >= NEEDED;
    }

    /** Retransmission timeout in ms. */
    static long rtoMs(ByteBuffer b, int info) {
        return (b.getInt(info + RTO_US) & U32) / 1000;
    }

    /** Age of the last segment with payload sent (retransmissions included; a bare FIN does not count). */
    static long lastDataSentMs(ByteBuffer b, int info) {
        return b.getInt(info + LAST_DATA_SENT) & U32;
    }

    /** Age of the last segment with payload received (a bare FIN does not count). */
    static long lastDataRecvMs(ByteBuffer b, int info) {
        return b.getInt(info + LAST_DATA_RECV) & U32;
    }

    /** Age of the last ACK the socket accepted: the one that acknowledged its FIN, or that came with the peer's. */
    static long lastAckRecvMs(ByteBuffer b, int info) {
        return b.getInt(info + LAST_ACK_RECV) & U32;
    }
}
