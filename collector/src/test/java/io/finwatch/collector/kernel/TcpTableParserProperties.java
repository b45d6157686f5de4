package io.finwatch.collector.kernel;

import io.finwatch.collector.kernel.KernelTcpLines.Tail;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

class TcpTableParserProperties {
    private static final long U32 = 0xffff_ffffL;
    private static final String SRC = "/proc/4242/net/tcp";

    /** A table of kernel-formatted lines, some possibly replaced by junk. */
    record Table(int family, long netns, ByteOrder order, List<Entry> entries) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((KernelTcpLines.header(family) + "\n").getBytes(StandardCharsets.US_ASCII));
            int slot = 0;
            for (Entry e : entries) {
                byte[] line = e.junk != null ? e.junk : KernelTcpLines.line(slot, e.row, order, e.timeout, e.tail)
                        .getBytes(StandardCharsets.US_ASCII);
                out.writeBytes(line);
                out.write('\n');
                slot++;
            }
            return out.toByteArray();
        }

        List<SocketRow> validRows() {
            return entries.stream().filter(e -> e.junk == null).map(Entry::row).toList();
        }

        long junkLines() {
            return entries.stream().filter(e -> e.junk != null).count();
        }
    }

    /** A row to print as the kernel would, or (junk != null) a line of junk in its place. */
    record Entry(SocketRow row, int timeout, Tail tail, byte[] junk) {
    }

    record Result(List<SocketRow> rows, List<String> errors, int lines, int rowCount, int errorCount) {
    }

    @Property(tries = 400)
    void kernelFormattedRowsParseBackUnchanged(@ForAll("validTables") Table table) {
        Result r = parseWhole(table, table.bytes());

        assertThat(r.errors).isEmpty();
        assertThat(r.rows).containsExactlyElementsOf(table.validRows());
        assertThat(r.lines).isEqualTo(table.entries.size() + 1);
        assertThat(r.rowCount).isEqualTo(table.entries.size());
    }

    @Property(tries = 400)
    void chunkBoundariesDoNotChangeTheResult(
            @ForAll("junkyTables") Table table,
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 700) Integer> chunks) {
        byte[] text = table.bytes();
        Result whole = parseWhole(table, text);

        List<SocketRow> rows = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        TcpTableParser p = new TcpTableParser(SRC, table.netns, table.family, table.order, rows::add,
                e -> errors.add(e.toString()));
        Iterator<Integer> sizes = cycle(chunks);
        for (int off = 0; off < text.length; ) {
            int n = Math.min(sizes.next(), text.length - off);
            // Fresh, padded buffers: the parser must honour off/len and keep nothing from a previous chunk.
            byte[] chunk = new byte[n + 6];
            System.arraycopy(text, off, chunk, 3, n);
            p.feed(chunk, 3, n);
            Arrays.fill(chunk, (byte) '7');
            off += n;
        }
        p.finish();

        assertThat(new Result(rows, errors, p.lines(), p.rows(), p.errorCount())).isEqualTo(whole);
    }

    @Property(tries = 400)
    void junkLinesAreReportedAndLoseNoValidLine(@ForAll("junkyTables") Table table) {
        Result r = parseWhole(table, table.bytes());

        assertThat(r.rows).containsExactlyElementsOf(table.validRows());
        assertThat((long) r.errorCount).isEqualTo(table.junkLines());
        assertThat(r.errors).allSatisfy(e -> assertThat(e).startsWith(SRC + ":"));
    }

    @Property(tries = 400)
    void damagedLinesNeverThrowNorHideTheirNeighbours(@ForAll("damagedTables") Table table) {
        Result r = parseWhole(table, table.bytes());

        // A damaged line may still be a valid line with other values; the undamaged ones must all be there.
        assertThat(isSubsequence(table.validRows(), r.rows)).isTrue();
        assertThat(r.rowCount + r.errorCount).isEqualTo(table.entries.size());
        assertThat(r.lines).isEqualTo(table.entries.size() + 1);
    }

    private static Result parseWhole(Table table, byte[] text) {
        List<SocketRow> rows = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        TcpTableParser p = new TcpTableParser(SRC, table.netns, table.family, table.order, rows::add,
                e -> errors.add(e.toString()));
        p.feed(text, 0, text.length);
        p.finish();
        return new Result(rows, errors, p.lines(), p.rows(), p.errorCount());
    }

    @Provide
    Arbitrary<Table> validTables() {
        return tables(family -> entries(family));
    }

    @Provide
    Arbitrary<Table> junkyTables() {
        return tables(family -> Arbitraries.frequencyOf(
                Tuple.of(3, entries(family)),
                Tuple.of(1, junk().map(j -> new Entry(null, 0, Tail.FULL, j)))));
    }

    @Provide
    Arbitrary<Table> damagedTables() {
        return tables(family -> Arbitraries.frequencyOf(
                Tuple.of(2, entries(family)),
                Tuple.of(1, damaged(family))));
    }

    private static Arbitrary<Table> tables(IntFunction<Arbitrary<Entry>> entries) {
        return Arbitraries.of(4, 6).flatMap(family -> Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN),
                entries.apply(family).list().ofMaxSize(40)
        ).as((netns, order, list) -> new Table(family, netns, order, withNetns(list, netns))));
    }

    /** Rows carry the namespace the parser is given. */
    private static List<Entry> withNetns(List<Entry> entries, long netns) {
        return entries.stream().map(e -> e.row == null ? e : new Entry(e.row.withKey(new SocketKey(netns,
                e.row.key().family(), e.row.key().localHi(), e.row.key().localLo(), e.row.key().localPort(),
                e.row.key().remoteHi(), e.row.key().remoteLo(), e.row.key().remotePort(), 0)),
                e.timeout, e.tail, null)).toList();
    }

    private static Arbitrary<Entry> entries(int family) {
        return Combinators.combine(rows(family), Arbitraries.integers(), Arbitraries.of(Tail.class))
                .as((row, timeout, tail) -> new Entry(row, timeout, tail, null));
    }

    private static Arbitrary<SocketRow> rows(int family) {
        Arbitrary<SocketKey> keys = Combinators.combine(address(family), ports(), address(family), ports())
                .as((l, lp, r, rp) -> new SocketKey(0, family, l[0], l[1], lp, r[0], r[1], rp, 0));
        Arbitrary<Long> ticks = Arbitraries.oneOf(
                Arbitraries.longs().between(0, U32),
                Arbitraries.longs().between(U32 + 1, Long.MAX_VALUE / 10));
        Arbitrary<Long> inodes = Arbitraries.oneOf(Arbitraries.just(0L),
                Arbitraries.longs().between(0, Long.MAX_VALUE));
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, U32);
        Arbitrary<List<Long>> queues = Combinators.combine(u32, u32).as(List::of);
        return Combinators.combine(keys, Arbitraries.of(TcpState.class), Arbitraries.of(TimerKind.class), ticks,
                        Arbitraries.integers(), Arbitraries.integers(), inodes, queues)
                .as((key, state, timer, tick, retr, uid, inode, q) ->
                        new SocketRow(key, state, timer, tick * 10, retr, uid, inode, q.get(0), q.get(1)));
    }

    private static Arbitrary<Integer> ports() {
        return Arbitraries.integers().between(0, 65535);
    }

    /** (hi, lo) in network order: IPv4 in the low 32 bits of lo; for IPv6 also ::, ::1 and ::ffff:a.b.c.d. */
    private static Arbitrary<long[]> address(int family) {
        Arbitrary<Long> v4 = Arbitraries.longs().between(0, U32);
        if (family == 4) {
            return v4.map(a -> new long[] {0, a});
        }
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as((hi, lo) -> new long[] {hi, lo}),
                v4.map(a -> new long[] {0, 0xffffL << 32 | a}),
                Arbitraries.of(new long[] {0, 0}, new long[] {0, 1}));
    }

    /** Bytes that are not a line of the table (no newline inside; up to past the line limit). */
    private static Arbitrary<byte[]> junk() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(700),
                Arbitraries.strings().withChars(" :0123456789ABCDEFabcdefx\0").ofMaxLength(200)
                        .map(s -> s.getBytes(StandardCharsets.ISO_8859_1))
        ).map(TcpTableParserProperties::withoutNewlines);
    }

    /** A valid line with one byte replaced, inserted or deleted, or cut short. */
    private static Arbitrary<Entry> damaged(int family) {
        return Combinators.combine(entries(family), Arbitraries.integers().between(0, 3),
                Arbitraries.doubles().between(0, 1), Arbitraries.bytes()).as((e, how, where, b) -> {
            byte[] line = KernelTcpLines.line(0, e.row, ByteOrder.LITTLE_ENDIAN, e.timeout, e.tail)
                    .getBytes(StandardCharsets.US_ASCII);
            int at = (int) (where * line.length);
            int last = Math.min(at, line.length - 1);
            byte[] out = switch (how) {
                case 0 -> replace(line, last, b);
                case 1 -> concat(slice(line, 0, at), new byte[] {b}, slice(line, at, line.length));
                case 2 -> concat(slice(line, 0, last), slice(line, last + 1, line.length));
                default -> slice(line, 0, at);
            };
            return new Entry(null, 0, Tail.FULL, withoutNewlines(out));
        });
    }

    private static byte[] withoutNewlines(byte[] b) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == '\n') {
                out[i] = '?';
            }
        }
        return out;
    }

    private static byte[] replace(byte[] b, int at, byte with) {
        byte[] out = b.clone();
        out[at] = with;
        return out;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static boolean isSubsequence(List<SocketRow> wanted, List<SocketRow> in) {
        int i = 0;
        for (SocketRow r : in) {
            if (i < wanted.size() && wanted.get(i).equals(r)) {
                i++;
            }
        }
        return i == wanted.size();
    }

    private static <T> Iterator<T> cycle(List<T> items) {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public T next() {
                return items.get(i++ % items.size());
            }
        };
    }
}
