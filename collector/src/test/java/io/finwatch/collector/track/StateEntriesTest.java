package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows matched to the kernel's announcements of their state entries. */
class StateEntriesTest {
    private static final long T = 1_800_000_000_123_456_789L;
    /** 10.0.0.1:40000 to 10.0.0.2:80 as a tcp socket, and as a dual-stack tcp6 one (::ffff:10.0.0.1). */
    private static final SocketKey V4 = new SocketKey(1, 4, 0, 0x0a000001L, 40000, 0, 0x0a000002L, 80, 0);
    private static final SocketKey MAPPED = new SocketKey(1, 6, 0, 0xffff_0a000001L, 40000, 0, 0xffff_0a000002L, 80, 0);
    private static final SocketKey V6 = new SocketKey(1, 6, 0xfd00_0000_0000_0000L, 1, 40000, 0xfd00_0000_0000_0000L, 2,
            80, 0);

    @Test
    void aRowTakesTheTimeItsTupleEnteredItsState() {
        StateEntries e = StateEntries.of(List.of(change("10.0.0.1", "10.0.0.2", TcpState.ESTABLISHED, TcpState.FIN_WAIT1, T),
                change("fd00::1", "fd00::2", TcpState.LAST_ACK, TcpState.CLOSE, T + 5_000_000)));
        assertThat(e.enteredMs(row(V4, TcpState.FIN_WAIT1))).isEqualTo(T / 1_000_000);
        assertThat(e.enteredMs(row(MAPPED, TcpState.FIN_WAIT1))).isEqualTo(T / 1_000_000);
        assertThat(e.enteredMs(row(V4, TcpState.FIN_WAIT2))).as("another state").isZero();
        assertThat(e.enteredMs(row(V6, TcpState.CLOSE))).isEqualTo(T / 1_000_000 + 5);
        assertThat(e.enteredMs(row(V6, TcpState.LAST_ACK))).isZero();
    }

    @Test
    void aStateSetAgainIsNoEntryAndTwoClaimsOfOneEntryAreLeftAlone() {
        StateEntries again = StateEntries.of(List.of(change("10.0.0.1", "10.0.0.2", TcpState.FIN_WAIT2,
                TcpState.FIN_WAIT2, T)));
        assertThat(again.enteredMs(row(V4, TcpState.FIN_WAIT2))).isZero();
        // The same endpoints in two namespaces (the tracepoint names none), or a tuple reused between two polls.
        StateEntries twice = StateEntries.of(List.of(
                change("10.0.0.1", "10.0.0.2", TcpState.ESTABLISHED, TcpState.FIN_WAIT1, T),
                change("10.0.0.1", "10.0.0.2", TcpState.ESTABLISHED, TcpState.FIN_WAIT1, T + 9_000_000)));
        assertThat(twice.enteredMs(row(V4, TcpState.FIN_WAIT1))).isZero();
        assertThat(StateEntries.NONE.enteredMs(row(V4, TcpState.FIN_WAIT1))).isZero();
    }

    private static StateChange change(String local, String remote, TcpState from, TcpState to, long atNanos) {
        return new StateChange(local, 40000, remote, 80, from, to, atNanos);
    }

    private static SocketRow row(SocketKey key, TcpState state) {
        return new SocketRow(key, state, TimerKind.OFF, 0, 0, 0, 1234, 0, 0);
    }
}
