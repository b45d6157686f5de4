package io.finwatch.bench;

import io.finwatch.collector.kernel.TcpTableParser;
import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.track.IncrementalDiff;
import io.finwatch.collector.track.SocketChange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a poll costs in user space once the kernel has produced the table: parsing it into a {@link SocketTable},
 * and diffing it against the previous poll's table, in two ways.
 *
 * <p>{@code newlinesOnly} is the anchor: the same bytes through the same stream and buffer size, looking only for
 * line ends, which any reader of the table has to do. The others read as ratios of it: {@code parseIntoTable} is
 * the parser plus the table build; {@code parseAndDiff} then diffs the two finished tables, the plain way the
 * tests specify the diff ({@code TwoPassDiff}); {@code parseIntoDiff} is what a poll runs, the diff made row by row
 * as the table is built ({@link IncrementalDiff}), which keeps unchanged rows as the previous poll's objects so
 * that a poll's fresh copies die young. The previous generation differs from this one in one connection per
 * {@code churnEvery} lines. The launcher prints each as a multiple of the anchor after JMH's own table.
 *
 * <pre>  ./bench/run jmh ParseDiffBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+UseSerialGC"})
public class ParseDiffBenchmark {
    /** TcpTableParser.parse reads through a buffer of this size; the anchor uses the same. */
    private static final int READ_BUFFER = 128 * 1024;
    private static final long NETNS = 4026531840L;

    @Param("200000")
    int sockets;

    /** One line in this many is a different connection than in the previous generation: 1% churn. */
    @Param("100")
    int churnEvery;

    private byte[] current;
    private SocketTable previous;
    private final byte[] scanBuffer = new byte[READ_BUFFER];

    @Setup
    public void generate() throws IOException {
        byte[] before = TableGenerator.v4(sockets, 42, churnEvery, 0);
        current = TableGenerator.v4(sockets, 42, churnEvery, 1);
        previous = parse(before);
        // A benchmark over input the parser rejects, or a diff that finds nothing, would measure the wrong thing.
        SocketTable now = parse(current);
        int churned = (sockets + churnEvery - 1) / churnEvery;
        List<SocketChange> changes = twoPassDiff(previous, now);
        if (previous.size() != sockets || now.size() != sockets || changes.size() != 2 * churned
                || parseIntoDiff().size() != changes.size()) {
            throw new IllegalStateException("generated tables do not have the intended shape: " + previous.size()
                    + " and " + now.size() + " rows of " + sockets + ", " + changes.size() + " changes, expected "
                    + 2 * churned);
        }
    }

    @Benchmark
    @Anchor
    public int newlinesOnly() throws IOException {
        int lines = 0;
        InputStream in = new ByteArrayInputStream(current);
        for (int n = in.read(scanBuffer); n >= 0; n = in.read(scanBuffer)) {
            for (int i = 0; i < n; i++) {
                if (scanBuffer[i] == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    @Benchmark
    public SocketTable parseIntoTable() throws IOException {
        return parse(current);
    }

    @Benchmark
    public List<SocketChange> parseAndDiff() throws IOException {
        return twoPassDiff(previous, parse(current));
    }

    @Benchmark
    public List<SocketChange> parseIntoDiff() throws IOException {
        IncrementalDiff diff = new IncrementalDiff(previous, SocketTable.builder(sockets));
        parse(current, diff::add);
        return diff.finish().changes();
    }

    /** The diff of two finished tables: every row of each looked up in the other. */
    private static List<SocketChange> twoPassDiff(SocketTable prev, SocketTable next) {
        List<SocketChange> changes = new ArrayList<>();
        for (SocketRow before : prev.rows()) {
            if (!next.contains(before.key())) {
                changes.add(SocketChange.gone(before));
            }
        }
        for (SocketRow after : next.rows()) {
            SocketRow before = prev.get(after.key());
            if (before == null) {
                changes.add(SocketChange.firstSeen(after));
            } else if (before.inode() != after.inode() && (before.inode() == 0 || after.inode() != 0)) {
                // The tuple was reused by a new connection.
                changes.add(SocketChange.gone(before));
                changes.add(SocketChange.firstSeen(after));
            } else if (before.state() != after.state() || (!before.orphaned() && after.orphaned())) {
                changes.add(SocketChange.changed(before, after));
            }
        }
        return changes;
    }

    private SocketTable parse(byte[] table) throws IOException {
        SocketTable.Builder builder = SocketTable.builder(sockets);
        parse(table, builder::add);
        return builder.build();
    }

    private static void parse(byte[] table, Consumer<SocketRow> rows) throws IOException {
        List<ParseError> errors = new ArrayList<>(0);
        TcpTableParser.parse(new ByteArrayInputStream(table), "generated tcp", NETNS, 4, rows, errors::add);
        if (!errors.isEmpty()) {
            throw new IllegalStateException(errors.size() + " generated lines rejected, first: " + errors.get(0));
        }
    }
}
