package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
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
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * CPU cost of parsing a 200k-socket table from memory, to compare with reading the same table from /proc
 * (about 350 ms of kernel time at 200k sockets). Not run by the tests; run with
 * {@code java -cp <test classpath> org.openjdk.jmh.Main TcpTableParserBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseSerialGC"})
public class TcpTableParserBenchmark {
    private static final int CHUNK = 128 * 1024;

    @Param({"4", "6"})
    int family;

    @Param("200000")
    int sockets;

    private byte[] table;

    @Setup
    public void generate() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sockets * 200);
        out.writeBytes((KernelTcpLines.header(family) + "\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < sockets; i++) {
            long local = family == 4 ? 0x0A00_0001L : 0xffffL << 32 | 0x0A00_0001L;
            long remote = (family == 4 ? 0 : 0xffffL << 32) | 0xAC10_0000L | (i / 50_000);
            SocketKey key = new SocketKey(0, family, 0, local, 443, 0, remote, 1024 + i % 50_000, 0);
            SocketRow row = new SocketRow(key, i % 20 == 0 ? TcpState.FIN_WAIT2 : TcpState.ESTABLISHED,
                    TimerKind.KEEPALIVE, 7_200_000, 0, 1000, 1_000_000L + i, 0, 0);
            String line = KernelTcpLines.line(i, row, ByteOrder.nativeOrder(), 0, KernelTcpLines.Tail.FULL);
            out.writeBytes((line + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        table = out.toByteArray();
    }

    @Benchmark
    public int parse(Blackhole rows) {
        TcpTableParser parser = new TcpTableParser("bench", 1, family, rows::consume, rows::consume);
        feed(parser);
        return parser.rows();
    }

    @Benchmark
    public SocketTable parseIntoTable(Blackhole errors) {
        SocketTable.Builder builder = SocketTable.builder(sockets);
        feed(new TcpTableParser("bench", 1, family, builder::add, errors::consume));
        return builder.build();
    }

    private void feed(TcpTableParser parser) {
        for (int off = 0; off < table.length; off += CHUNK) {
            parser.feed(table, off, Math.min(CHUNK, table.length - off));
        }
        parser.finish();
    }
}
