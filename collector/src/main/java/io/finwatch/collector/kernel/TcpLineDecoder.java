package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes one data line of /proc/net/tcp or tcp6 straight from its bytes. The kernel writes
 * (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c):
 *
 * <pre>
 * %4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu ...
 * sl   local     remote    st  tx_queue rx_queue tr tm->when retrnsmt uid timeout inode
 * </pre>
 *
 * with each address as one (tcp) or four (tcp6) 32-bit words printed in host byte order. Everything after
 * the inode (refcount, kernel pointer, rto, ...) is not needed and not read. Fixed-width hex fields must
 * have exactly the kernel's width; a line that deviates is rejected rather than guessed at.
 */
final class TcpLineDecoder {
    /** The kernel prints tm->when in clock ticks of 1/USER_HZ s; USER_HZ is 100 everywhere but alpha. */
    private static final int MS_PER_TICK = 10;
    private static final long U32 = 0xffff_ffffL;
    private static final byte[] HEX = new byte[256];

    static {
        Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'A'; c <= 'F'; c++) {
            HEX[c] = (byte) (c - 'A' + 10);
            HEX[c + ('a' - 'A')] = (byte) (c - 'A' + 10);
        }
    }

    private final long netns;
    private final int family;
    private final int addressDigits;
    private final boolean littleEndian;

    private byte[] buf;
    private int lineStart;
    /** The last address decoded, in network order (SocketKey's convention). */
    private long addressHi;
    private long addressLo;
    private int pos;
    private int end;

    TcpLineDecoder(long netns, int family, ByteOrder hostOrder) {
        this.netns = netns;
        this.family = family;
        this.addressDigits = family == 4 ? 8 : 32;
        this.littleEndian = hostOrder == ByteOrder.LITTLE_ENDIAN;
    }

    /**
     * @param terminated false for a last line that had no newline: its inode must then be followed by
     *                   more fields, else the input may have been cut inside the inode number
     */
    SocketRow decode(byte[] line, int from, int to, boolean terminated) throws MalformedLine {
        buf = line;
        lineStart = from;
        pos = from;
        end = to;

        skipSpaces("slot number");
        decimal("slot number", 10);
        expect(':', "slot number");

        skipSpaces("local address");
        address("local address");
        long localHi = addressHi;
        long localLo = addressLo;
        expect(':', "local address");
        int localPort = (int) hexFixed("local port", 4);
        skipSpaces("remote address");
        address("remote address");
        expect(':', "remote address");
        int remotePort = (int) hexFixed("remote port", 4);

        skipSpaces("state");
        int stateCode = (int) hexFixed("state", 2);
        TcpState state = TcpState.ofCode(stateCode);
        if (state == null) {
            throw new MalformedLine(String.format("state 0x%02X is not a TCP state", stateCode), false);
        }

        skipSpaces("tx_queue");
        long txQueue = hexFixed("tx_queue", 8);
        expect(':', "tx_queue");
        long rxQueue = hexFixed("rx_queue", 8);

        skipSpaces("timer");
        int timerCode = (int) hexFixed("timer", 2);
        TimerKind timer = TimerKind.ofCode(timerCode);
        if (timer == null) {
            throw new MalformedLine(String.format("timer 0x%02X is not a timer kind (0 to 4)", timerCode), false);
        }
        expect(':', "timer");
        // %08lX: at least 8 digits, up to 16 on a 64-bit kernel for very long timers.
        long ticks = hex("timer expiry", 8, 16);
        if (ticks < 0 || ticks > Long.MAX_VALUE / MS_PER_TICK) {
            throw new MalformedLine("timer expiry 0x" + Long.toHexString(ticks).toUpperCase() + " is out of range",
                    false);
        }

        skipSpaces("retransmits");
        int retransmits = (int) hexFixed("retransmits", 8);

        skipSpaces("uid");
        long uid = decimal("uid", 10);
        if (uid > U32) {
            throw new MalformedLine("uid " + uid + " is larger than 32 bits", false);
        }
        skipSpaces("timeout");
        if (pos < end && buf[pos] == '-') {
            pos++;
        }
        decimal("timeout", 10);
        skipSpaces("inode");
        long inode = decimal("inode", 19);
        if (inode < 0) {
            throw new MalformedLine("the inode is larger than 63 bits", false);
        }
        if (pos == end && !terminated) {
            throw new MalformedLine("the input ends inside the inode field without a newline: cut short", true);
        }

        SocketKey key = new SocketKey(netns, family, localHi, localLo, localPort, addressHi, addressLo, remotePort, 0);
        return new SocketRow(key, state, timer, ticks * MS_PER_TICK, retransmits, (int) uid, inode, txQueue, rxQueue);
    }

    /** Decodes the address at {@link #pos} into {@link #addressHi} and {@link #addressLo}. */
    private void address(String field) throws MalformedLine {
        int at = pos;
        if (end - at <= addressDigits || HEX[buf[at + addressDigits] & 0xff] >= 0) {
            hexRun(field, addressDigits, addressDigits);
        }
        long w0 = networkWord(at);
        if (family == 4) {
            if (w0 < 0) {
                rejectHex(at, field, addressDigits);
            }
            addressHi = 0;
            addressLo = w0;
        } else {
            long w1 = networkWord(at + 8);
            long w2 = networkWord(at + 16);
            long w3 = networkWord(at + 24);
            if ((w0 | w1 | w2 | w3) < 0) {
                rejectHex(at, field, addressDigits);
            }
            addressHi = w0 << 32 | w1;
            addressLo = w2 << 32 | w3;
        }
        pos = at + addressDigits;
    }

    /**
     * The kernel printed each 32-bit word of an address as a host-order integer; this undoes that.
     *
     * @return the word in network order, or -1 when the 8 bytes are not all hex digits
     */
    private long networkWord(int at) {
        int printed = 0;
        int invalid = 0;
        for (int i = at; i < at + 8; i++) {
            int digit = HEX[buf[i] & 0xff];
            invalid |= digit;
            printed = printed << 4 | digit;
        }
        if (invalid < 0) {
            return -1;
        }
        return (littleEndian ? Integer.reverseBytes(printed) : printed) & U32;
    }

    /** A fixed-width hex field: decoded and checked in one pass when well-formed, which is nearly always. */
    private long hexFixed(String field, int digits) throws MalformedLine {
        int at = pos;
        if (end - at > digits && HEX[buf[at + digits] & 0xff] < 0) {
            long value = 0;
            int invalid = 0;
            for (int i = at; i < at + digits; i++) {
                int digit = HEX[buf[i] & 0xff];
                invalid |= digit;
                value = value << 4 | digit;
            }
            if (invalid >= 0) {
                pos = at + digits;
                return value;
            }
        }
        return hex(field, digits, digits);
    }

    /** Throws the precise reason why the field at {@code at} is not {@code digits} hex digits. */
    private void rejectHex(int at, String field, int digits) throws MalformedLine {
        pos = at;
        hexRun(field, digits, digits);
        throw new IllegalStateException("a field with a non-hex digit passed as hex at column " + column());
    }

    private void skipSpaces(String next) throws MalformedLine {
        int before = pos;
        while (pos < end && buf[pos] == ' ') {
            pos++;
        }
        if (pos == end) {
            throw new MalformedLine("too few fields: the line ends before the " + next, true);
        }
        if (pos == before && pos != lineStart) {
            throw new MalformedLine("expected a space before the " + next + " at column " + column()
                    + ", found " + shown(buf[pos]), false);
        }
    }

    private void expect(char c, String after) throws MalformedLine {
        if (pos == end) {
            throw new MalformedLine("too few fields: the line ends after the " + after, true);
        }
        if (buf[pos] != c) {
            throw new MalformedLine("expected '" + c + "' after the " + after + " at column " + column()
                    + ", found " + shown(buf[pos]), false);
        }
        pos++;
    }

    private long hex(String field, int minDigits, int maxDigits) throws MalformedLine {
        int at = hexRun(field, minDigits, maxDigits);
        return hexValue(at, pos);
    }

    /** Moves past a run of hex digits of the kernel's width; returns where it starts. */
    private int hexRun(String field, int minDigits, int maxDigits) throws MalformedLine {
        int at = pos;
        while (pos < end && HEX[buf[pos] & 0xff] >= 0) {
            pos++;
        }
        int n = pos - at;
        if (n >= minDigits && n <= maxDigits) {
            return at;
        }
        if (pos < end && !isSeparator(buf[pos])) {
            throw new MalformedLine(shown(buf[pos]) + " at column " + column() + " is not a hex digit in the "
                    + field, false);
        }
        if (n == 0 && pos == end) {
            throw new MalformedLine("too few fields: the line ends before the " + field, true);
        }
        String width = minDigits == maxDigits ? Integer.toString(minDigits) : minDigits + " to " + maxDigits;
        throw new MalformedLine("the " + field + " has " + n + " hex digits, expected " + width, pos == end);
    }

    private long hexValue(int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            v = v << 4 | HEX[buf[i] & 0xff];
        }
        return v;
    }

    private long decimal(String field, int maxDigits) throws MalformedLine {
        int at = pos;
        long v = 0;
        while (pos < end) {
            int d = buf[pos] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            v = v * 10 + d;
            pos++;
        }
        int n = pos - at;
        if (pos < end && !isSeparator(buf[pos])) {
            throw new MalformedLine(shown(buf[pos]) + " at column " + column() + " is not a decimal digit in the "
                    + field, false);
        }
        if (n == 0) {
            throw new MalformedLine("the " + field + " is empty", pos == end);
        }
        if (n > maxDigits) {
            throw new MalformedLine("the " + field + " has " + n + " digits, more than " + maxDigits, false);
        }
        return v;
    }

    private static boolean isSeparator(byte b) {
        return b == ' ' || b == ':';
    }

    private int column() {
        return pos - lineStart + 1;
    }

    private static String shown(byte b) {
        int c = b & 0xff;
        return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : c == 0x20 ? "' '" : String.format("byte 0x%02X", c);
    }

    /** Why a line was rejected. Carries no stack trace: it is an expected outcome, not a bug. */
    static final class MalformedLine extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean endedEarly;

        MalformedLine(String reason, boolean endedEarly) {
            super(reason, null, false, false);
            this.endedEarly = endedEarly;
        }

        /** The line stopped before a field it needed: a cut line, when it was the last one. */
        boolean endedEarly() {
            return endedEarly;
        }
    }
}
