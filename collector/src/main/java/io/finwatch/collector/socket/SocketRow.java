package io.finwatch.collector.socket;

/**
 * One line of /proc/net/tcp or tcp6, placed in its network namespace.
 *
 * @param key        the connection's identity
 * @param state      kernel TCP state
 * @param timer      the pending timer ({@code tr} column)
 * @param timerMs    time left on that timer, in ms (the kernel prints clock ticks of 1/USER_HZ s)
 * @param retransmits the {@code retrnsmt} column
 * @param uid        owning user id; 0 for timewait sockets, which keep no owner
 * @param inode      socket inode; 0 once the socket is orphaned (its process closed it) or in TIME_WAIT
 * @param txQueue    bytes in the send queue
 * @param rxQueue    bytes in the receive queue (for LISTEN: the accept backlog); in CLOSE_WAIT it counts 1 for the
 *                   peer's FIN until the application reads EOF
 * @param cookie     the kernel's socket cookie (sock_diag only; 0 from /proc text): the same in dumps, destroy
 *                   events and the minisocket a socket turns into
 * @param shutdown   this end's shutdown flags; null where the source cannot tell (/proc text, minisockets)
 * @param readAtMs   epoch ms at which the kernel filled the row (the datagram's stamp), 0 when unknown; the
 *                   timer's {@code timerMs} counts from it
 * @param stateSinceMs epoch ms at which the socket entered its state, 0 while unknown: from the kernel when
 *                   {@code sinceKernel}, else the first poll that saw the state (set by the tracker)
 * @param sinceKernel whether {@code stateSinceMs} came from the kernel
 *
 * <p>{@code readAtMs}, {@code stateSinceMs} and {@code sinceKernel} are not part of equality: they are derived
 * from ages that move at every poll (and jitter by a jiffy), which is not a change of the socket.
 */
public record SocketRow(SocketKey key, TcpState state, TimerKind timer, long timerMs, int retransmits,
                        int uid, long inode, long txQueue, long rxQueue, long cookie, Shutdown shutdown,
                        long readAtMs, long stateSinceMs, boolean sinceKernel) {

    /** A row from a source that knows neither cookie, shutdown flags nor time in state (/proc text). */
    public SocketRow(SocketKey key, TcpState state, TimerKind timer, long timerMs, int retransmits, int uid,
                     long inode, long txQueue, long rxQueue) {
        this(key, state, timer, timerMs, retransmits, uid, inode, txQueue, rxQueue, 0, null, 0, 0, false);
    }

    /** Orphaned: no file refers to the socket any more, so the kernel's timers decide when it goes. */
    public boolean orphaned() {
        return inode == 0;
    }

    /**
     * Every component, as the record's own equals would compare them. Written out because the generated one
     * goes through method handles, which the collector's C1-only JVM does not inline, and the diff compares
     * every row it reads.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof SocketRow r && inode == r.inode && state == r.state && timer == r.timer
                && timerMs == r.timerMs && retransmits == r.retransmits && uid == r.uid && txQueue == r.txQueue
                && rxQueue == r.rxQueue && cookie == r.cookie && shutdown == r.shutdown && key.equals(r.key);
    }

    /**
     * The same row but for a timer that only counted down between two reads: the same pending timer with the same
     * expiry ({@code readAtMs + timerMs}, within {@code slackMs}), both rows stamped. A time-wait minisocket's row
     * reads like this at every poll until it ends; a re-armed timer (a retransmission, a keepalive) moves its expiry
     * by far more than the slack.
     */
    public boolean sameButCountedDown(SocketRow r, long slackMs) {
        return r != null && timer != TimerKind.OFF && timerMs != r.timerMs && readAtMs != 0 && r.readAtMs != 0
                && Math.abs(readAtMs + timerMs - r.readAtMs - r.timerMs) <= slackMs
                && inode == r.inode && state == r.state && timer == r.timer && retransmits == r.retransmits
                && uid == r.uid && txQueue == r.txQueue && rxQueue == r.rxQueue && cookie == r.cookie
                && shutdown == r.shutdown && key.equals(r.key);
    }

    @Override
    public int hashCode() {
        int h = key.hashCode();
        h = 31 * h + state.hashCode();
        h = 31 * h + timer.hashCode();
        h = 31 * h + Long.hashCode(timerMs);
        h = 31 * h + retransmits;
        h = 31 * h + uid;
        h = 31 * h + Long.hashCode(inode);
        h = 31 * h + Long.hashCode(txQueue);
        h = 31 * h + Long.hashCode(rxQueue);
        return 31 * h + Long.hashCode(cookie);
    }

    public SocketRow withKey(SocketKey newKey) {
        return new SocketRow(newKey, state, timer, timerMs, retransmits, uid, inode, txQueue, rxQueue, cookie,
                shutdown, readAtMs, stateSinceMs, sinceKernel);
    }

    /** The same row with its time in state decided. */
    public SocketRow withStateSince(long sinceMs, boolean kernel) {
        return new SocketRow(key, state, timer, timerMs, retransmits, uid, inode, txQueue, rxQueue, cookie,
                shutdown, readAtMs, sinceMs, kernel);
    }
}
