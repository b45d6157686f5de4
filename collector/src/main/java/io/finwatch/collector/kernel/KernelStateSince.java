package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;

/**
 * When a socket entered its current state, from what the kernel reports about it, or 0 when the kernel cannot
 * tell (the tracker then uses the first poll that saw the state). Measured on real sockets (docs/events.md):
 *
 * <ul>
 *   <li>FIN_WAIT2 begins when this end's FIN is acknowledged, and that ACK sets {@code last_ack_recv}. Later data
 *   from the peer moves it (then {@code last_data_recv <= last_ack_recv}), and so do answered keepalive probes of
 *   an attached socket (timer KEEPALIVE; an orphan's timer 2 is its FIN_WAIT2 timer, which sends nothing).</li>
 *   <li>CLOSE_WAIT begins when the peer's FIN arrives; the FIN carries an ACK. Trusted only with no timer pending
 *   and no data sent within one RTO of that ACK (whose own ACK would have moved it).</li>
 *   <li>A TIME_WAIT minisocket's timer is always armed for 60 s (TCP_TIMEWAIT_LEN) when it is made.</li>
 *   <li>No field marks FIN_WAIT1, CLOSING, LAST_ACK, SYN_*; a FIN_WAIT2 minisocket only tells when it was
 *   orphaned, not when it entered the state.</li>
 * </ul>
 */
final class KernelStateSince {
    static final long TIMEWAIT_LEN_MS = 60_000;

    private KernelStateSince() {
    }

    /**
     * @param readAtMs  epoch ms at which the kernel filled the datagram
     * @param expiresMs the pending timer's remaining ms
     * @param lastDataSentMs ages from tcp_info, or -1 each when the message had none (minisockets)
     */
    static long of(TcpState state, TimerKind timer, long inode, long expiresMs, long readAtMs,
                   long lastDataSentMs, long lastDataRecvMs, long lastAckRecvMs, long rtoMs) {
        if (state == TcpState.TIME_WAIT) {
            return timer == TimerKind.TIMEWAIT ? readAtMs + expiresMs - TIMEWAIT_LEN_MS : 0;
        }
        if (lastAckRecvMs < 0) {
            return 0;
        }
        if (state == TcpState.FIN_WAIT2) {
            boolean movedByKeepalive = timer == TimerKind.KEEPALIVE && inode != 0;
            boolean movedByData = lastDataRecvMs <= lastAckRecvMs;
            return movedByKeepalive || movedByData ? 0 : readAtMs - lastAckRecvMs;
        }
        if (state == TcpState.CLOSE_WAIT) {
            return timer == TimerKind.OFF && lastDataSentMs - lastAckRecvMs > rtoMs ? readAtMs - lastAckRecvMs : 0;
        }
        return 0;
    }
}
