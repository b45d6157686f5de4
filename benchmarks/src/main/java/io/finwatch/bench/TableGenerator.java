package io.finwatch.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Synthetic /proc/net/tcp text shaped like a busy host: mostly established connections to a few server
 * ports, a share of TIME_WAIT and FIN_WAIT2 (attached and orphaned), some listeners. Formatted the way the
 * kernel prints it, so the parser sees the same bytes it would on a real host.
 */
public final class TableGenerator {
    static final String HEADER_V4 =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    private TableGenerator() {
    }

    /** {@code sockets} lines; {@code seed} fixes the content; {@code churn} of them (by index) get new ports. */
    public static byte[] v4(int sockets, long seed, int churnEvery, int generation) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(HEADER_V4.length() + sockets * 160);
        sb.append(HEADER_V4);
        for (int i = 0; i < sockets; i++) {
            int localIp = 0x0100007F;                       // 127.0.0.1 as the kernel prints it (host order)
            int remoteIp = 0x0100007F + ((i % 250) << 24);  // 127.0.0.x
            int localPort = 10000 + (i % 50000);
            int remotePort = 2000 + (i % 16);
            if (churnEvery > 0 && i % churnEvery == 0) {
                localPort = 10000 + ((i + generation * 7919) % 50000);
            }
            int pick = r.nextInt(100);
            int state;
            int timer = 0;
            long when = 0;
            long inode = 100000L + i;
            if (pick < 70) {
                state = 0x01;
            } else if (pick < 80) {
                state = 0x06;
                timer = 3;
                when = r.nextInt(6000);
                inode = 0;
            } else if (pick < 85) {
                state = 0x05;
            } else if (pick < 88) {
                state = 0x05;
                timer = 3;
                when = r.nextInt(6000);
                inode = 0;
            } else if (pick < 98) {
                state = 0x08;
            } else {
                state = 0x0A;
                remoteIp = 0;
                remotePort = 0;
            }
            sb.append(String.format("%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x %d %d %d %d %d%n",
                    i, localIp, localPort, remoteIp, remotePort, state, 0, 0, timer, when, 0, 1000, 0, inode,
                    inode == 0 ? 3 : 1, 0xffff000000000000L + i, 20, 4, 30, 10, -1));
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
