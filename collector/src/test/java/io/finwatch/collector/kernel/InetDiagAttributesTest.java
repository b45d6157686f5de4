package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.Shutdown;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Attributes of a real captured reply (fixtures/sockdiag/README.md), and the same bytes rearranged or broken. */
class InetDiagAttributesTest {
    private static final int SEQ = 7;
    private static final long FILLED_AT = 1_796_324_873_894L;
    /** Where the captured message's attributes start (16 + 72) and its MARK attribute's 8 bytes. */
    private static final int ATTRS = 88;
    private static final int MARK_AT = 96;
    /** The INFO payload (struct tcp_info) in the captured message. */
    private static final int INFO = 128;

    private final List<SocketRow> rows = new ArrayList<>();
    private final List<ParseError> errors = new ArrayList<>();

    @Test
    void aRealAttachedFinWait2ReadsItsShutdownCookieQueuesAndKernelTime() throws IOException {
        byte[] msg = captured();

        decode(msg);

        assertThat(errors).isEmpty();
        SocketRow row = rows.get(0);
        assertThat(row.state()).isEqualTo(TcpState.FIN_WAIT2);
        assertThat(row.inode()).isEqualTo(427794);
        assertThat(row.cookie()).isEqualTo(le64(msg, 16 + 44));
        assertThat(row.shutdown()).isEqualTo(Shutdown.WR);
        assertThat(row.rxQueue()).isZero();
        assertThat(row.readAtMs()).isEqualTo(FILLED_AT);
        // last_data_recv (540) is older than last_ack_recv (536): nothing moved the ACK of the FIN.
        assertThat(row.sinceKernel()).isTrue();
        assertThat(row.stateSinceMs()).isEqualTo(FILLED_AT - le32(msg, INFO + 56));
    }

    @Test
    void attributesAreFoundWhereverTheyAreWithoutMark() throws IOException {
        byte[] full = captured();
        // An unprivileged reader gets no MARK: everything after it moves 8 bytes up.
        byte[] msg = new byte[full.length - 8];
        System.arraycopy(full, 0, msg, 0, MARK_AT);
        System.arraycopy(full, MARK_AT + 8, msg, MARK_AT, full.length - MARK_AT - 8);
        ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).putInt(0, msg.length);

        decode(msg);

        assertThat(errors).isEmpty();
        assertThat(rows.get(0).shutdown()).isEqualTo(Shutdown.WR);
        assertThat(rows.get(0).sinceKernel()).isTrue();
        assertThat(rows.get(0).stateSinceMs()).isEqualTo(FILLED_AT - le32(full, INFO + 56));
    }

    @Test
    void aMessageWithoutAttributesHasNoShutdownAndNoKernelTime() throws IOException {
        byte[] full = captured();
        byte[] msg = new byte[ATTRS];
        System.arraycopy(full, 0, msg, 0, ATTRS);
        ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).putInt(0, ATTRS);

        decode(msg);

        assertThat(rows.get(0).shutdown()).isNull();
        assertThat(rows.get(0).sinceKernel()).isFalse();
        assertThat(rows.get(0).stateSinceMs()).isZero();
    }

    @Test
    void anAttributeRunningPastItsMessageIsReportedAndTheRowSkipped() throws IOException {
        byte[] msg = captured();
        ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).putShort(MARK_AT, (short) 400);

        decode(msg);

        assertThat(rows).isEmpty();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("test dump");
            assertThat(e.reason()).isEqualTo("attribute at byte 8 claims 400 bytes, 312 left");
        });
    }

    @Test
    void aShortTcpInfoIsIgnoredRatherThanReadPastItsEnd() throws IOException {
        byte[] msg = captured();
        // The INFO attribute, last, cut to 100 bytes of payload: too short for last_ack_recv's neighbours.
        int infoAt = 124;
        byte[] cut = new byte[infoAt + 4 + 100];
        System.arraycopy(msg, 0, cut, 0, cut.length);
        ByteBuffer c = ByteBuffer.wrap(cut).order(ByteOrder.nativeOrder());
        c.putInt(0, cut.length).putShort(infoAt, (short) 104);

        decode(cut);

        assertThat(errors).isEmpty();
        assertThat(rows.get(0).shutdown()).isEqualTo(Shutdown.WR);
        assertThat(rows.get(0).sinceKernel()).isFalse();
    }

    private void decode(byte[] msg) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder());
        new InetDiagDecoder("test dump", 7, SEQ).decode(b, FILLED_AT, rows::add, errors::add);
    }

    private static long le32(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at) & 0xffff_ffffL;
    }

    private static long le64(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(at);
    }

    static byte[] captured() throws IOException {
        try (InputStream in = InetDiagAttributesTest.class.getResourceAsStream(
                "/fixtures/sockdiag/attached-fin-wait2.hex")) {
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        }
    }
}
