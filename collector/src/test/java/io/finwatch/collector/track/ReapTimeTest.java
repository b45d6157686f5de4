package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import org.junit.jupiter.api.Test;

/** Which orphan timers are reaps (research §2.4, §2.6: measured on real sockets). */
class ReapTimeTest {
    private static final SocketKey KEY = new SocketKey(1, 4, 0, 0x0a0e0001L, 40000, 0, 0x0a0e0002L, 7500, 0);
    private static final long READ = 1_000_000L;
    private static final long POLL = 999_000L;

    @Test
    void aTimeWaitTimerIsTheReapCountedFromTheRead() {
        assertThat(ReapTime.reapAtMs(row(TcpState.FIN_WAIT2, TimerKind.TIMEWAIT, 2948, 0, READ), POLL, 3))
                .isEqualTo(READ + 2948);
        assertThat(ReapTime.reapAtMs(row(TcpState.TIME_WAIT, TimerKind.TIMEWAIT, 48_524, 0, READ), POLL, 60))
                .isEqualTo(READ + 48_524);
    }

    @Test
    void procfsRowsCountFromThePoll() {
        assertThat(ReapTime.reapAtMs(row(TcpState.TIME_WAIT, TimerKind.TIMEWAIT, 5_000, 0, 0), POLL, 60))
                .isEqualTo(POLL + 5_000);
    }

    @Test
    void aLongFinTimeoutsFirstStageAddsTheSecond() {
        // tcp_fin_timeout 65: a full socket for 5 s, then a minisocket for 5 s more.
        assertThat(ReapTime.reapAtMs(row(TcpState.FIN_WAIT2, TimerKind.KEEPALIVE, 5_000, 0, READ), POLL, 65))
                .isEqualTo(READ + 10_000);
    }

    @Test
    void retransmissionsAndAttachedSocketsAreNotReaps() {
        assertThat(ReapTime.reapAtMs(row(TcpState.FIN_WAIT1, TimerKind.ON, 224, 0, READ), POLL, 3)).isNull();
        assertThat(ReapTime.reapAtMs(row(TcpState.LAST_ACK, TimerKind.ON, 224, 0, READ), POLL, 3)).isNull();
        assertThat(ReapTime.reapAtMs(row(TcpState.FIN_WAIT2, TimerKind.KEEPALIVE, 700, 77, READ), POLL, 3)).isNull();
        assertThat(ReapTime.reapAtMs(row(TcpState.FIN_WAIT2, TimerKind.OFF, 0, 77, READ), POLL, 3)).isNull();
    }

    private static SocketRow row(TcpState state, TimerKind timer, long timerMs, long inode, long readAt) {
        return new SocketRow(KEY, state, timer, timerMs, 0, 0, inode, 0, 0, 1, null, readAt, 0, false);
    }
}
