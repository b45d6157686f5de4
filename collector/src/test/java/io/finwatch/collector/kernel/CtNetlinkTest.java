package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.collector.socket.SocketKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The ctnetlink GET and its answers, byte for byte against the request captured in docs/research/both-ends. */
class CtNetlinkTest {
    /** A real IPv4 GET (FINDINGS.md 2.4): seq 7, 10.217.1.2:34108 -> 10.217.99.10:80, on a little-endian host. */
    private static final String CAPTURED = "48000000010101000700000000000000" + "0200000034000180140001800800010"
            + "00ad90102080002000ad9630a1c000280" + "05000100060000000600020085 3c0000".replace(" ", "")
            + "0600030000500000";

    @Test
    void theRequestIsTheOneTheKernelWasMeasuredToAnswer() {
        ByteBuffer b = ByteBuffer.allocate(CtNetlink.requestLength(4));
        CtNetlink.putRequest(b, 7, new CtNetlink.Tuple(new byte[] {10, (byte) 217, 1, 2}, 34108,
                new byte[] {10, (byte) 217, 99, 10}, 80));
        assertThat(b.position()).isEqualTo(72);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            assertThat(HexFormat.of().formatHex(b.array())).isEqualTo(CAPTURED);
        }
    }

    @Test
    void anIpv4MappedViewIsLookedUpAsIpv4() {
        // ::ffff:10.217.0.1:53996 -> ::ffff:10.217.99.10:80, as a Java client's socket is in tcp6.
        SocketKey key = new SocketKey(1, 6, 0, 0x0000ffff0ad90001L, 53996, 0, 0x0000ffff0ad9630aL, 80, 0);
        CtNetlink.Tuple t = ConntrackReader.view(key);
        assertThat(t.src()).containsExactly(10, 217 - 256, 0, 1);
        assertThat(t.dst()).containsExactly(10, 217 - 256, 99, 10);
        assertThat(t.srcPort()).isEqualTo(53996);
    }

    @Test
    void anEntryDecodesToBothTuplesItsNatBitsAndItsZone() {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
        int start = b.position();
        b.putInt(0).putShort((short) CtNetlink.IPCTNL_MSG_CT_NEW).putShort((short) 2).putInt(9).putInt(0);
        b.put((byte) 2).put((byte) 0).putShort((short) 0);
        tuple(b, 1, new byte[] {10, 0, 1, 2}, 51746, new byte[] {10, 0, 99, 10}, 80);
        tuple(b, 2, new byte[] {10, 0, 2, 2}, 8080, new byte[] {10, 0, 1, 2}, 51746);
        b.putShort((short) 8).putShort((short) 3).order(ByteOrder.BIG_ENDIAN).putInt(0x1ae).order(ByteOrder.nativeOrder());
        b.putShort((short) 6).putShort((short) 18).put((byte) 0).put((byte) 7).putShort((short) 0);
        b.putInt(start, b.position() - start);
        b.flip();

        CtNetlink.Answer a = CtNetlink.next(b);
        assertThat(a.seq()).isEqualTo(9);
        assertThat(a.entry().translated()).isTrue();
        assertThat(a.entry().zone()).isEqualTo(7);
        assertThat(ConntrackReader.text(a.entry().orig().dst())).isEqualTo("10.0.99.10");
        assertThat(a.entry().reply().srcPort()).isEqualTo(8080);
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void aMissIsEnoentAndARefusalEperm() {
        ByteBuffer b = ByteBuffer.allocate(72).order(ByteOrder.nativeOrder());
        b.putInt(36).putShort((short) CtNetlink.NLMSG_ERROR).putShort((short) 0).putInt(3).putInt(0).putInt(-2);
        b.put(new byte[16]);
        b.putInt(36).putShort((short) CtNetlink.NLMSG_ERROR).putShort((short) 0).putInt(4).putInt(0).putInt(-1);
        b.put(new byte[16]);
        b.flip();
        assertThat(CtNetlink.next(b)).isEqualTo(new CtNetlink.Answer(3, null, CtNetlink.ENOENT));
        assertThat(CtNetlink.next(b)).isEqualTo(new CtNetlink.Answer(4, null, CtNetlink.EPERM));
    }

    @Test
    void aMessageCutShortIsRefused() {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        b.putInt(212).putShort((short) CtNetlink.IPCTNL_MSG_CT_NEW).putShort((short) 2).putInt(1).putInt(0).putInt(0);
        b.flip();
        assertThatThrownBy(() -> CtNetlink.next(b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length 212");
    }

    private static void tuple(ByteBuffer b, int type, byte[] src, int sport, byte[] dst, int dport) {
        b.putShort((short) 52).putShort((short) (type | 0x8000));
        b.putShort((short) 20).putShort((short) (1 | 0x8000));
        b.putShort((short) 8).putShort((short) 1).put(src);
        b.putShort((short) 8).putShort((short) 2).put(dst);
        b.putShort((short) 28).putShort((short) (2 | 0x8000));
        b.putShort((short) 5).putShort((short) 1).put((byte) 6).put(new byte[3]);
        b.putShort((short) 6).putShort((short) 2).put((byte) (sport >>> 8)).put((byte) sport).putShort((short) 0);
        b.putShort((short) 6).putShort((short) 3).put((byte) (dport >>> 8)).put((byte) dport).putShort((short) 0);
    }
}
