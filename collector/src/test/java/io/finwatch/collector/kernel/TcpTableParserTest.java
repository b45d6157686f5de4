package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpTableParserTest {
    private static final String SRC = "/proc/1234/net/tcp";
    private static final String HEADER = KernelTcpLines.header(4) + "\n";
    /** 127.0.0.1:8080 -> 127.0.0.1:36000, FIN_WAIT2, attached (inode 5555), uid 1000. */
    private static final String FIN_WAIT2_LINE =
            "   0: 0100007F:1F90 0100007F:8CA0 05 00000000:00000000 00:00000000 00000000  1000        0 5555"
                    + " 1 0000000000000000 20 4 30 10 -1";

    private final List<SocketRow> rows = new ArrayList<>();
    private final List<ParseError> errors = new ArrayList<>();

    @Test
    void decodesAddressesPortsAndColumns() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(p, HEADER + FIN_WAIT2_LINE + "\n");
        p.finish();

        SocketRow row = rows.get(0);
        long loopback = 127L << 24 | 1;
        assertThat(row.key()).isEqualTo(new SocketKey(77, 4, 0, loopback, 8080, 0, loopback, 36000, 0));
        assertThat(row.state()).isEqualTo(TcpState.FIN_WAIT2);
        assertThat(row.timer()).isEqualTo(TimerKind.OFF);
        assertThat(row.uid()).isEqualTo(1000);
        assertThat(row.inode()).isEqualTo(5555);
        assertThat(row.orphaned()).isFalse();
        assertThat(p.lines()).isEqualTo(2);
        assertThat(p.rows()).isEqualTo(1);
        assertThat(p.errorCount()).isZero();
    }

    @Test
    void timerTicksAreHundredthsOfASecond() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        // An orphaned FIN_WAIT2 timewait socket with 0x1763 = 5987 ticks left: 59.87 s.
        feed(p, "  10: 0302010A:C738 146433C6:0050 05 00000000:00000000 03:00001763 00000000     0        0 0 3"
                + " 0000000000000000\n");
        p.finish();

        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.timer()).isEqualTo(TimerKind.TIMEWAIT);
            assertThat(r.timerMs()).isEqualTo(59_870);
            assertThat(r.orphaned()).isTrue();
        });
    }

    @Test
    void bigEndianKernelsPrintAddressesInNetworkOrder() {
        TcpTableParser p = parser(4, ByteOrder.BIG_ENDIAN);
        feed(p, "   0: 7F000001:1F90 0A000002:8CA0 01 00000000:00000000 00:00000000 00000000     0        0 1 1\n");
        p.finish();

        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.key().localIp()).isEqualTo("127.0.0.1");
            assertThat(r.key().remoteIp()).isEqualTo("10.0.0.2");
        });
    }

    @Test
    void ipv4MappedAddressesStayIpv6() {
        TcpTableParser p = parser(6, ByteOrder.LITTLE_ENDIAN);
        feed(p, "   2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:CB20 01"
                + " 00000000:00000000 00:00000000 00000000  1000        0 19010 1 0000000000000000 20 4 30 10 -1\n");
        p.finish();

        SocketKey key = rows.get(0).key();
        assertThat(key.family()).isEqualTo(6);
        assertThat(key.localHi()).isZero();
        assertThat(key.localLo()).isEqualTo(0xffffL << 32 | 127L << 24 | 1);
        assertThat(key.localIp()).isEqualTo("::ffff:127.0.0.1");
    }

    @Test
    void uidsAboveTwoToThe31KeepTheirBits() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(p, FIN_WAIT2_LINE.replace("  1000 ", " 4294967294 ") + "\n");
        p.finish();

        assertThat(Integer.toUnsignedLong(rows.get(0).uid())).isEqualTo(4_294_967_294L);
    }

    @Test
    void headerIsRecognisedNotAssumed() {
        TcpTableParser withoutHeader = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(withoutHeader, FIN_WAIT2_LINE + "\n");
        withoutHeader.finish();
        assertThat(rows).hasSize(1);
        assertThat(errors).isEmpty();

        rows.clear();
        TcpTableParser headerOnSecondLine = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(headerOnSecondLine, FIN_WAIT2_LINE + "\n" + HEADER);
        headerOnSecondLine.finish();
        assertThat(rows).hasSize(1);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.lineNumber()).isEqualTo(2));
    }

    @Test
    void completeLastLineWithoutNewlineIsParsed() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(p, HEADER + FIN_WAIT2_LINE);
        assertThat(rows).isEmpty();
        p.finish();

        assertThat(rows).hasSize(1);
        assertThat(p.lines()).isEqualTo(2);
    }

    @Test
    void lastLineCutInsideTheInodeIsReported() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        String cut = FIN_WAIT2_LINE.substring(0, FIN_WAIT2_LINE.indexOf(" 5555") + 3);
        feed(p, HEADER + cut);
        p.finish();

        assertThat(rows).isEmpty();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.lineNumber()).isEqualTo(2);
            assertThat(e.reason()).contains("cut short");
        });
    }

    @Test
    void lastLineCutBeforeItsFieldsEndIsReportedAsCut() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(p, FIN_WAIT2_LINE.substring(0, FIN_WAIT2_LINE.indexOf(" 05 ") + 3));
        p.finish();

        assertThat(errors).singleElement().satisfies(e ->
                assertThat(e.reason()).startsWith("input cut short").contains("line ends before the tx_queue"));
    }

    @Test
    void overlongLineSpanningChunksIsReportedOnceAndTheNextLineSurvives() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        byte[] text = (FIN_WAIT2_LINE + " ".repeat(2000) + "\n" + FIN_WAIT2_LINE + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < text.length; i += 7) {
            p.feed(text, i, Math.min(7, text.length - i));
        }
        p.finish();

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.lineNumber()).isEqualTo(1);
            assertThat(e.reason()).isEqualTo("line is longer than 512 bytes");
        });
        assertThat(rows).hasSize(1);
        assertThat(p.lines()).isEqualTo(2);
    }

    @Test
    void nulByteAnywhereRejectsTheLine() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(p, FIN_WAIT2_LINE + "\0\n" + FIN_WAIT2_LINE.replace("0100007F:1F90", "0100\0007F:1F90") + "\n");
        p.finish();

        assertThat(rows).isEmpty();
        assertThat(errors).extracting(ParseError::reason)
                .containsExactly("NUL byte at column " + (FIN_WAIT2_LINE.length() + 1), "NUL byte at column 11");
    }

    @Test
    void malformedFieldsGetPreciseReasons() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(p, String.join("\n",
                FIN_WAIT2_LINE.replace(" 05 ", " 00 "),
                FIN_WAIT2_LINE.replace(":1F90 ", ":1F9 "),
                FIN_WAIT2_LINE.replace("  1000 ", " 10x0 "),
                FIN_WAIT2_LINE.replace(" 5555 ", " 99999999999999999999 "),
                FIN_WAIT2_LINE.replace(":8CA0 05 ", ":8CA0:05 "),
                "",
                "   0: 0100007F:1F90") + "\n");
        p.finish();

        assertThat(rows).isEmpty();
        assertThat(errors).extracting(ParseError::reason).containsExactly(
                "state 0x00 is not a TCP state",
                "the local port has 3 hex digits, expected 4",
                "'x' at column 79 is not a decimal digit in the uid",
                "the inode has 20 digits, more than 19",
                "expected a space before the state at column 34, found ':'",
                "too few fields: the line ends before the slot number",
                "too few fields: the line ends before the remote address");
        assertThat(errors).extracting(ParseError::lineNumber).containsExactly(1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void messageNamesSourceAndLine() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        feed(p, HEADER + FIN_WAIT2_LINE.replace(" 05 ", " 1F ") + "\n");
        p.finish();

        assertThat(errors.get(0).message()).isEqualTo("/proc/1234/net/tcp:2: state 0x1F is not a TCP state");
    }

    @Test
    void staticParseReadsAStreamToItsEnd() throws IOException {
        byte[] text = (HEADER + FIN_WAIT2_LINE + "\n" + FIN_WAIT2_LINE.replace(":8CA0", ":8CA1") + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        TcpTableParser p = TcpTableParser.parse(new ByteArrayInputStream(text), SRC, 77, 4, rows::add, errors::add);

        assertThat(p.rows()).isEqualTo(2);
        assertThat(rows).extracting(r -> r.key().remotePort()).containsExactly(36000, 36001);
    }

    @Test
    void feedAfterFinishIsAProgrammingError() {
        TcpTableParser p = parser(4, ByteOrder.LITTLE_ENDIAN);
        p.finish();
        p.finish();
        assertThatThrownBy(() -> feed(p, FIN_WAIT2_LINE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> parser(5, ByteOrder.LITTLE_ENDIAN)).isInstanceOf(IllegalArgumentException.class);
    }

    private TcpTableParser parser(int family, ByteOrder order) {
        return new TcpTableParser(SRC, 77, family, order, rows::add, errors::add);
    }

    private static void feed(TcpTableParser p, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        p.feed(b, 0, b.length);
    }
}
