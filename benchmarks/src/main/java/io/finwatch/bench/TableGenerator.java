package io.finwatch.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Synthetic /proc/net/tcp text shaped like a busy server: mostly established connections, a share of TIME_WAIT,
 * FIN_WAIT2 (attached and orphaned) and CLOSE_WAIT, a few listeners. Each kind of line has the fields the kernel
 * prints for it (net/ipv4/tcp_ipv4.c: full sockets, listeners, and the shorter time-wait lines) and is padded to
 * the kernel's 149 columns, so the parser sees the bytes it would on a real host.
 *
 * <p>Every line is a distinct tuple. Generations model successive polls: a line's state and timer stay the same
 * from one generation to the next, except that one line in {@code churnEvery} is a different connection in every
 * generation (a new client address and a new inode), which the diff reports as one GONE and one FIRST_SEEN.
 */
public final class TableGenerator {
    /** The kernel pads every tcp4 line, header included, to this width (TMPSZ - 1). */
    private static final int LINE_WIDTH = 149;
    private static final String HEADER_V4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
            + "retrnsmt   uid  timeout inode";
    /** Client ports of one client address; 50,000 keeps them inside the usual ephemeral range. */
    private static final int PORTS_PER_CLIENT = 50_000;

    private TableGenerator() {
    }

    /**
     * @param sockets    data lines (the header comes on top)
     * @param seed       fixes the state of every line, the same for every generation
     * @param churnEvery one line in this many is a new connection in each generation; 0 for none
     * @param generation which poll this table is; tables of different generations differ only in the churned lines
     */
    public static byte[] v4(int sockets, long seed, int churnEvery, int generation) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder((sockets + 1) * (LINE_WIDTH + 1));
        pad(sb.append(HEADER_V4), 0);
        int server = printed(10, 0, 0, 1);
        for (int i = 0; i < sockets; i++) {
            int lineStart = sb.length();
            boolean churned = churnEvery > 0 && i % churnEvery == 0;
            int block = i / PORTS_PER_CLIENT;
            // A churned line's client is in a subnet of its own per generation: unique, and new every generation.
            int client = printed(10, churned ? 2 + generation % 250 : 1, block >> 8, block & 0xff);
            int clientPort = 10_000 + i % PORTS_PER_CLIENT;
            long inode = 1_000_000L + i + (churned ? (long) generation * sockets : 0);
            long pointer = 0xffff_8880_0000_0000L + (long) i * 2048;
            int pick = random.nextInt(100);
            int when = random.nextInt(6_000);
            if (pick < 70) {
                full(sb, i, server, 443, client, clientPort, 0x01, 2, 720_000 + when, inode, pointer);
            } else if (pick < 80) {
                timeWait(sb, i, server, 443, client, clientPort, 0x06, when, pointer);
            } else if (pick < 85) {
                full(sb, i, server, 443, client, clientPort, 0x05, 0, 0, inode, pointer);
            } else if (pick < 88) {
                // An orphaned FIN_WAIT2 is a time-wait socket with substate FIN_WAIT2: no inode, no owner.
                timeWait(sb, i, server, 443, client, clientPort, 0x05, when, pointer);
            } else if (pick < 98) {
                full(sb, i, server, 443, client, clientPort, 0x08, 0, 0, inode, pointer);
            } else {
                int listenBlock = i / PORTS_PER_CLIENT;
                full(sb, i, printed(10, 0, 1 + listenBlock, 1), 10_000 + i % PORTS_PER_CLIENT, 0, 0, 0x0A, 0, 0,
                        inode, pointer);
            }
            pad(sb, lineStart);
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** get_tcp4_sock: a socket with an owner (or recently had one); listeners end with the fastopen queue length. */
    private static void full(StringBuilder sb, int sl, int local, int localPort, int remote, int remotePort,
                             int state, int timer, long when, long inode, long pointer) {
        sb.append(String.format("%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x %d %d %d %d %d",
                sl, local, localPort, remote, remotePort, state, 0, 0, timer, when, 0, 1000, 0, inode, 1, pointer,
                20, 4, 0, 10, state == 0x0A ? 0 : -1));
    }

    /** get_timewait4_sock: uid, timeout and inode are printed as 0 and nothing follows the pointer. */
    private static void timeWait(StringBuilder sb, int sl, int local, int localPort, int remote, int remotePort,
                                 int substate, int when, long pointer) {
        sb.append(String.format("%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x",
                sl, local, localPort, remote, remotePort, substate, 0, 0, 3, when, 0, 0, 0, 0, 3, pointer));
    }

    private static void pad(StringBuilder sb, int lineStart) {
        while (sb.length() - lineStart < LINE_WIDTH) {
            sb.append(' ');
        }
        sb.append('\n');
    }

    /** a.b.c.d as a little-endian kernel prints it with %08X: the network-order bytes read as a host int. */
    private static int printed(int a, int b, int c, int d) {
        return d << 24 | c << 16 | b << 8 | a;
    }
}
