package io.finwatch.collector.socket;

import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.TcpTableParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocketTableTest {
    private static final long LOOPBACK = 0x7F00_0001L;

    @Test
    void reuseportListenersFromProcAreNumberedInFileOrder() throws IOException, URISyntaxException {
        // fixtures/procfs-tcp/4242/net/tcp lines 3 and 4: two workers listening on 127.0.0.1:8080.
        Procfs procfs = new Procfs(Path.of(getClass().getResource("/fixtures/procfs-tcp").toURI()));
        Path file = procfs.pid(4242, "net", "tcp");
        SocketTable.Builder builder = SocketTable.builder();
        List<ParseError> errors = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            TcpTableParser parser = new TcpTableParser(file.toString(), 1, 4, ByteOrder.LITTLE_ENDIAN, builder::add,
                    errors::add);
            byte[] text = in.readAllBytes();
            parser.feed(text, 0, text.length);
            parser.finish();
            assertThat(parser.rows()).isEqualTo(19);
        }
        SocketTable table = builder.build();

        assertThat(table.size()).isEqualTo(19);
        SocketKey first = new SocketKey(1, 4, 0, LOOPBACK, 8080, 0, 0, 0, 0);
        assertThat(table.get(first).inode()).isEqualTo(18002);
        assertThat(table.get(first.withOrdinal(1)).inode()).isEqualTo(18003);
        assertThat(table.get(first.withOrdinal(2))).isNull();
    }

    @Test
    void eachTupleCountsItsOwnDuplicates() {
        SocketKey a = key(1, 8080);
        SocketKey b = key(1, 9090);
        SocketTable.Builder builder = SocketTable.builder(8);
        assertThat(builder.add(row(a, 10)).key().ordinal()).isZero();
        assertThat(builder.add(row(a, 11)).key().ordinal()).isEqualTo(1);
        assertThat(builder.add(row(b, 20)).key().ordinal()).isZero();
        assertThat(builder.add(row(a, 12)).key().ordinal()).isEqualTo(2);
        assertThat(builder.add(row(b, 21)).key().ordinal()).isEqualTo(1);
        SocketTable table = builder.build();

        assertThat(table.keys()).containsExactlyInAnyOrder(a, a.withOrdinal(1), a.withOrdinal(2), b, b.withOrdinal(1));
        assertThat(table.rows()).extracting(SocketRow::inode).containsExactlyInAnyOrder(10L, 11L, 12L, 20L, 21L);
        assertThat(table.get(a.withOrdinal(2)).inode()).isEqualTo(12);
        assertThat(table.contains(b.withOrdinal(1))).isTrue();
    }

    @Test
    void theSameTupleInAnotherNamespaceIsAnotherSocket() {
        SocketTable table = build(row(key(1, 8080), 10), row(key(2, 8080), 11));

        assertThat(table.size()).isEqualTo(2);
        assertThat(table.keys()).extracting(SocketKey::ordinal).containsOnly(0);
    }

    @Test
    void ordinalsAreAssignedByTheTableNotTheCaller() {
        SocketTable table = build(row(key(1, 8080).withOrdinal(5), 10), row(key(1, 8080).withOrdinal(5), 11));

        assertThat(table.get(key(1, 8080)).inode()).isEqualTo(10);
        assertThat(table.get(key(1, 8080).withOrdinal(1)).inode()).isEqualTo(11);
    }

    @Test
    void aBuiltTableIsFrozen() {
        SocketTable.Builder builder = SocketTable.builder();
        builder.add(row(key(1, 8080), 10));
        SocketTable table = builder.build();

        assertThatThrownBy(() -> table.asMap().remove(key(1, 8080))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> table.rows().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> builder.add(row(key(1, 9090), 11))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
        assertThat(table.size()).isEqualTo(1);
        assertThat(SocketTable.builder().build().size()).isZero();
    }

    private static SocketTable build(SocketRow... rows) {
        SocketTable.Builder builder = SocketTable.builder(rows.length);
        for (SocketRow r : rows) {
            builder.add(r);
        }
        return builder.build();
    }

    private static SocketKey key(long netns, int port) {
        return new SocketKey(netns, 6, 0, 0, port, 0, 0, 0, 0);
    }

    private static SocketRow row(SocketKey key, long inode) {
        return new SocketRow(key, TcpState.LISTEN, TimerKind.OFF, 0, 0, 1000, inode, 0, 0);
    }
}
