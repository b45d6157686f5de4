package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import org.junit.jupiter.api.Test;

/** The rule of docs/events.md, on the ages the research's scenarios read from real sockets (research §1). */
class KernelStateSinceTest {
    private static final long T = 1_000_000L;

    @Test
    void quietFinWait2CountsFromTheAckOfItsFin() {
        // lastsnd 1304, lastrcv 1304, lastack 260: the client's FIN was acknowledged 260 ms ago.
        assertThat(KernelStateSince.of(TcpState.FIN_WAIT2, TimerKind.OFF, 9, 0, T, 1304, 1304, 260, 204))
                .isEqualTo(T - 260);
    }

    @Test
    void finWait2ThatReceivedDataSinceIsNotTheKernels() {
        // The peer's data moved last_ack_recv and last_data_recv together.
        assertThat(KernelStateSince.of(TcpState.FIN_WAIT2, TimerKind.OFF, 9, 0, T, 1900, 200, 200, 204)).isZero();
    }

    @Test
    void keepalivesOfAnAttachedFinWait2MoveItsAckButAnOrphansTimerDoesNot() {
        assertThat(KernelStateSince.of(TcpState.FIN_WAIT2, TimerKind.KEEPALIVE, 9, 500, T, 1304, 1304, 260, 204))
                .isZero();
        assertThat(KernelStateSince.of(TcpState.FIN_WAIT2, TimerKind.KEEPALIVE, 0, 5000, T, 1304, 1304, 260, 204))
                .isEqualTo(T - 260);
    }

    @Test
    void quietCloseWaitCountsFromThePeersFin() {
        assertThat(KernelStateSince.of(TcpState.CLOSE_WAIT, TimerKind.OFF, 9, 0, T, 1304, 1304, 304, 204))
                .isEqualTo(T - 304);
    }

    @Test
    void closeWaitThatSentDataOrHasATimerIsNotTheKernels() {
        // It answered after the FIN: the ACK of its answer moved last_ack_recv.
        assertThat(KernelStateSince.of(TcpState.CLOSE_WAIT, TimerKind.OFF, 9, 0, T, 316, 1400, 316, 204)).isZero();
        assertThat(KernelStateSince.of(TcpState.CLOSE_WAIT, TimerKind.KEEPALIVE, 9, 700, T, 1304, 1304, 304, 204))
                .isZero();
    }

    @Test
    void timeWaitCountsBackFromItsSixtySecondTimer() {
        assertThat(KernelStateSince.of(TcpState.TIME_WAIT, TimerKind.TIMEWAIT, 0, 48_524, T, -1, -1, -1, 0))
                .isEqualTo(T + 48_524 - 60_000);
    }

    @Test
    void finWait2MinisocketsAndStatesWithoutAMarkAreUnknown() {
        assertThat(KernelStateSince.of(TcpState.FIN_WAIT2, TimerKind.TIMEWAIT, 0, 2900, T, -1, -1, -1, 0)).isZero();
        assertThat(KernelStateSince.of(TcpState.FIN_WAIT1, TimerKind.ON, 0, 224, T, 960, 960, 964, 204)).isZero();
        assertThat(KernelStateSince.of(TcpState.LAST_ACK, TimerKind.ON, 0, 224, T, 960, 960, 964, 204)).isZero();
    }
}
