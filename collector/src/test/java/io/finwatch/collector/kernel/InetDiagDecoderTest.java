package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder's handling of what a real dump rarely contains: unknown codes, broken framing, netlink errors.
 * Real dumps of real sockets are compared with ss in SnapshotAgreesWithSsTest.
 */
class InetDiagDecoderTest {
    private static final String SOURCE = "netlink sock_diag tcp of netns 7";
    private static final int SEQ = 42;

    private final List<SocketRow> rows = new ArrayList<>();
    private final List<ParseError> errors = new ArrayList<>();
    private final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());

    @Test
    void decodesAnAttachedFinWait2AndStopsAtDone() throws IOException {
        socket(InetDiagDecoder.AF_INET, 5, 0, 0x7f000001, 40000, 0x7f000001, 2000, 123456);
        done();

        assertThat(decode()).isTrue();
        assertThat(errors).isEmpty();
        SocketRow row = rows.get(0);
        assertThat(row.state()).isEqualTo(TcpState.FIN_WAIT2);
        assertThat(row.timer()).isEqualTo(TimerKind.OFF);
        assertThat(row.inode()).isEqualTo(123456);
        assertThat(row.key().localIp()).isEqualTo("127.0.0.1");
        assertThat(row.key().localPort()).isEqualTo(40000);
        assertThat(row.key().remotePort()).isEqualTo(2000);
        assertThat(row.key().netns()).isEqualTo(7);
    }

    @Test
    void anUnknownStateIsReportedWithTheSourceAndSkipped() throws IOException {
        socket(InetDiagDecoder.AF_INET, 0x1f, 0, 1, 1, 2, 2, 9);
        socket(InetDiagDecoder.AF_INET, 1, 0, 1, 1, 2, 3, 10);

        assertThat(decode()).isFalse();
        assertThat(rows).singleElement().extracting(SocketRow::inode).isEqualTo(10L);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo(SOURCE);
            assertThat(e.lineNumber()).isEqualTo(1);
            assertThat(e.reason()).isEqualTo("state 31 is not a TCP state");
        });
    }

    @Test
    void aNetlinkErrorEndsTheDump() {
        int at = header(InetDiagDecoder.NLMSG_ERROR, InetDiagDecoder.NLMSG_HDRLEN + 4);
        b.putInt(at + InetDiagDecoder.NLMSG_HDRLEN, -1); // EPERM
        b.position(at + InetDiagDecoder.NLMSG_HDRLEN + 4);

        assertThatThrownBy(this::decode).isInstanceOf(IOException.class).hasMessage(SOURCE + ": the kernel answered errno 1");
    }

    @Test
    void aMessageLongerThanTheDatagramEndsTheDump() {
        header(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, 500);
        b.position(InetDiagDecoder.NLMSG_HDRLEN + 8);

        assertThatThrownBy(this::decode).isInstanceOf(IOException.class)
                .hasMessage(SOURCE + ": message 1 claims 500 bytes, 24 left in the datagram");
    }

    @Test
    void aReplyToAnotherRequestEndsTheDump() {
        int at = header(InetDiagDecoder.NLMSG_DONE, InetDiagDecoder.NLMSG_HDRLEN + 4);
        b.putInt(at + 8, SEQ - 1);
        b.position(at + InetDiagDecoder.NLMSG_HDRLEN + 4);

        assertThatThrownBy(this::decode).isInstanceOf(IOException.class).hasMessageContaining("reply to request 41");
    }

    private boolean decode() throws IOException {
        b.flip();
        return new InetDiagDecoder(SOURCE, 7, SEQ).decode(b, 0, rows::add, errors::add);
    }

    private int header(int type, int len) {
        int at = b.position();
        b.putInt(at, len).putShort(at + 4, (short) type).putShort(at + 6, (short) 2).putInt(at + 8, SEQ).putInt(at + 12, 0);
        return at;
    }

    private void done() {
        int at = header(InetDiagDecoder.NLMSG_DONE, InetDiagDecoder.NLMSG_HDRLEN + 4);
        b.putInt(at + InetDiagDecoder.NLMSG_HDRLEN, 0);
        b.position(at + InetDiagDecoder.NLMSG_HDRLEN + 4);
    }

    /** One inet_diag_msg of an IPv4 socket, addresses and ports in network order as the kernel writes them. */
    private void socket(int family, int state, int timer, int src, int sport, int dst, int dport, int inode) {
        int at = header(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, InetDiagDecoder.NLMSG_HDRLEN + InetDiagDecoder.INET_DIAG_MSG_LEN);
        int o = at + InetDiagDecoder.NLMSG_HDRLEN;
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        b.put(o, (byte) family).put(o + 1, (byte) state).put(o + 2, (byte) timer).put(o + 3, (byte) 0);
        be.putShort(o + 4, (short) sport).putShort(o + 6, (short) dport).putInt(o + 8, src).putInt(o + 24, dst);
        b.putInt(o + 68, inode);
        b.position(o + InetDiagDecoder.INET_DIAG_MSG_LEN);
    }
}
