package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;

/**
 * When the kernel will reap an orphan, from its pending timer (docs/events.md, "Reap time"). Only two timers end an
 * orphan: the time-wait timer (TIME_WAIT, and FIN_WAIT2 orphans the kernel turned into minisockets, which happens
 * at once when tcp_fin_timeout is at most 60 s), and, when tcp_fin_timeout is longer, the first stage of a
 * FIN_WAIT2 orphan (timer 2, {@code fin - 60 s}) after which a minisocket waits {@code fin - 60 s} again. A
 * retransmission timer (FIN_WAIT1, LAST_ACK) is the next retransmission, not a reap. The kernel never reaps
 * before this time; its timer wheel may reap up to one bucket later (256 ms for a 3 s timeout at HZ 250).
 */
public final class ReapTime {
    private static final long TIMEWAIT_LEN_MS = 60_000;

    private ReapTime() {
    }

    /**
     * @param observedAtMs the poll's time, for rows whose source does not stamp them (/proc text)
     * @param finTimeoutS  the namespace's tcp_fin_timeout; 0 when unknown
     * @return epoch ms of the reap, or null when the row is not an orphan on a reap timer
     */
    public static Long reapAtMs(SocketRow row, long observedAtMs, int finTimeoutS) {
        if (!row.orphaned()) {
            return null;
        }
        long base = (row.readAtMs() != 0 ? row.readAtMs() : observedAtMs) + row.timerMs();
        if (row.timer() == TimerKind.TIMEWAIT) {
            return base;
        }
        if (row.timer() == TimerKind.KEEPALIVE && row.state() == TcpState.FIN_WAIT2
                && finTimeoutS * 1000L > TIMEWAIT_LEN_MS) {
            return base + finTimeoutS * 1000L - TIMEWAIT_LEN_MS;
        }
        return null;
    }
}
