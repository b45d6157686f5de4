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

    public SocketRow withKey(SocketKey newKey) {
        return new SocketRow(newKey, state, timer, timerMs, retransmits, uid, inode, txQueue, rxQueue);
    }
}
