package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;

import java.nio.ByteOrder;

/**
 * Prints rows the way the kernel's seq_file handlers do (get_tcp4_sock, get_tcp6_sock, get_timewait*_sock,
 * get_openreq*), so tests can round-trip values through the parser.
 */
public final class KernelTcpLines {
    public static final String HEADER_TCP =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
    public static final String HEADER_TCP6 = "  sl  local_address                         remote_address"
            + "                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
    /** net/tcp pads every line, header included, to TMPSZ - 1 = 149 columns; tcp6 does not. */
    private static final int TCP4_WIDTH = 149;

    /** What follows the inode; the parser ignores it, but it must not confuse it. */
    public enum Tail {
        /** refcount, sock pointer (%pK, zeroed by kptr_restrict), rto, ato, quickack/pingpong, cwnd, ssthresh */
        FULL(" 1 0000000000000000 20 4 30 10 -1"),
        /** refcount, pointer */
        TIMEWAIT(" 3 0000000000000000"),
        /** a request socket's refcount (printed as 0) and pointer */
        OPENREQ(" 0 0000000000000000");

        final String text;

        Tail(String text) {
            this.text = text;
        }
    }

    private KernelTcpLines() {
    }

    public static String header(int family) {
        return family == 4 ? pad(HEADER_TCP) : HEADER_TCP6;
    }

    /** One line, without its newline. {@code timeout} is the probes-out column, which the parser skips. */
    public static String line(int slot, SocketRow row, ByteOrder hostOrder, int timeout, Tail tail) {
        SocketKey k = row.key();
        String local = address(k.family(), k.localHi(), k.localLo(), hostOrder);
        String remote = address(k.family(), k.remoteHi(), k.remoteLo(), hostOrder);
        String text = String.format("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d%s",
                slot, local, k.localPort(), remote, k.remotePort(), row.state().code(),
                row.txQueue(), row.rxQueue(), row.timer().code(), row.timerMs() / 10,
                Integer.toUnsignedLong(row.retransmits()), Integer.toUnsignedLong(row.uid()), timeout, row.inode(),
                tail.text);
        return k.family() == 4 ? pad(text) : text;
    }

    /** The kernel prints each 32-bit word of the address as an integer in the host's byte order. */
    private static String address(int family, long hi, long lo, ByteOrder hostOrder) {
        if (family == 4) {
            return word((int) lo, hostOrder);
        }
        return word((int) (hi >>> 32), hostOrder) + word((int) hi, hostOrder)
                + word((int) (lo >>> 32), hostOrder) + word((int) lo, hostOrder);
    }

    private static String word(int networkOrder, ByteOrder hostOrder) {
        int printed = hostOrder == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(networkOrder) : networkOrder;
        return String.format("%08X", printed);
    }

    private static String pad(String line) {
        return line.length() >= TCP4_WIDTH ? line : line + " ".repeat(TCP4_WIDTH - line.length());
    }
}
