package io.finwatch.collector.socket;

import io.finwatch.collector.engine.SnapshotDiff;
import io.finwatch.collector.engine.SocketChange;
import io.finwatch.collector.procfs.KernelTcpLines;
import io.finwatch.collector.procfs.TcpTableParser;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Run by {@link SocketTableMemoryTest} in a JVM with a small heap: two polls of 200k tcp6 sockets parsed into
 * tables and diffed, the way the collector holds them, then the changes counted per kind.
 *
 * <p>The second poll differs from the first by construction: every 20th socket moved to FIN_WAIT2, every
 * 40th (offset 1) is a new connection on the same tuple, every 100th (offset 2) is gone, and 2000 are new.
 * Every socket has a tuple of its own.
 */
public final class TwoPollsAt200k {
    static final int SOCKETS = 200_000;
    static final int ADDED = 2_000;

    private TwoPollsAt200k() {
    }

    public static void main(String[] args) {
        SocketTable prev = poll(false);
        SocketTable next = poll(true);
        List<SocketChange> changes = SnapshotDiff.diff(prev, next);

        Map<SocketChange.Kind, Integer> byKind = new EnumMap<>(SocketChange.Kind.class);
        for (SocketChange c : changes) {
            byKind.merge(c.kind(), 1, Integer::sum);
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.println("prev=" + prev.size() + " next=" + next.size() + " " + byKind
                + " heapUsedMB=" + (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024)
                + " heapMaxMB=" + rt.maxMemory() / (1024 * 1024));
    }

    /** Parses a generated table chunk by chunk, so only the tables (not the text) occupy the heap. */
    private static SocketTable poll(boolean second) {
        SocketTable.Builder table = SocketTable.builder(SOCKETS + ADDED);
        TcpTableParser parser = new TcpTableParser("generated/net/tcp6", 4026531840L, 6, ByteOrder.LITTLE_ENDIAN,
                table::add, e -> {
                    throw new AssertionError(e.toString());
                });
        StringBuilder chunk = new StringBuilder(64 * 1024);
        chunk.append(KernelTcpLines.header(6)).append('\n');
        int slot = 0;
        for (int i = 0; i < SOCKETS + (second ? ADDED : 0); i++) {
            if (second && i < SOCKETS && i % 100 == 2) {
                continue;
            }
            TcpState state = second && i % 20 == 0 ? TcpState.FIN_WAIT2 : TcpState.ESTABLISHED;
            long inode = 1_000_000L + i + (second && i % 40 == 1 ? 10_000_000L : 0);
            chunk.append(KernelTcpLines.line(slot++, row(i, state, inode), ByteOrder.LITTLE_ENDIAN, 0,
                    KernelTcpLines.Tail.FULL)).append('\n');
            if (chunk.length() > 60 * 1024) {
                feed(parser, chunk);
            }
        }
        feed(parser, chunk);
        parser.finish();
        return table.build();
    }

    private static void feed(TcpTableParser parser, StringBuilder chunk) {
        byte[] bytes = chunk.toString().getBytes(StandardCharsets.US_ASCII);
        parser.feed(bytes, 0, bytes.length);
        chunk.setLength(0);
    }

    /** Socket i: ::ffff:10.0.0.1:443 talking to ::ffff:172.16.a.b on a port of its own. */
    private static SocketRow row(int i, TcpState state, long inode) {
        long mapped = 0xffffL << 32;
        SocketKey key = new SocketKey(0, 6, 0, mapped | 0x0A00_0001L, 443,
                0, mapped | 0xAC10_0000L | (i / 50_000), 1024 + i % 50_000, 0);
        return new SocketRow(key, state, TimerKind.KEEPALIVE, 7_200_000, 0, 1000, inode, 0, 0);
    }
}
