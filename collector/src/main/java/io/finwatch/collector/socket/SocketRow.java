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
 * @param rxQueue    bytes in the receive queue (for LISTEN: the accept backlog)
 */
public record SocketRow(SocketKey key, TcpState state, TimerKind timer, long timerMs, int retransmits,
                        int uid, long inode, long txQueue, long rxQueue) {

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
                && rxQueue == r.rxQueue && key.equals(r.key);
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
        return 31 * h + Long.hashCode(rxQueue);
    }

    public SocketRow withKey(SocketKey newKey) {
        return new SocketRow(newKey, state, timer, timerMs, retransmits, uid, inode, txQueue, rxQueue);
    }
}
