package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;

/**
 * Sockets per state in one poll's table, counted as the table is built: the heartbeat reports them at every
 * poll, and a second walk over every socket only to count would cost about as much as building the table.
 */
public final class StateCounts {
    private final long[] perState = new long[TcpState.values().length];
    private long finWait2Attached;
    private long finWait2Orphaned;

    void add(SocketRow row) {
        perState[row.state().ordinal()]++;
        if (row.state() == TcpState.FIN_WAIT2) {
            if (row.orphaned()) {
                finWait2Orphaned++;
            } else {
                finWait2Attached++;
            }
        }
    }

    /** The counts a table kept as it was built. */
    static StateCounts of(SocketTable table) {
        StateCounts c = new StateCounts();
        for (TcpState state : TcpState.values()) {
            c.perState[state.ordinal()] = table.count(state);
        }
        c.finWait2Orphaned = table.orphanedFinWait2();
        c.finWait2Attached = table.count(TcpState.FIN_WAIT2) - c.finWait2Orphaned;
        return c;
    }

    /** Counts rows in any order: what the counts built with a table must equal (tests). */
    static StateCounts of(Iterable<SocketRow> rows) {
        StateCounts c = new StateCounts();
        rows.forEach(c::add);
        return c;
    }

    public long of(TcpState state) {
        return perState[state.ordinal()];
    }

    /** FIN_WAIT2 sockets whose process still holds them: the kernel never reaps these. */
    public long finWait2Attached() {
        return finWait2Attached;
    }

    /** FIN_WAIT2 sockets the process closed (inode 0): the kernel reaps these after tcp_fin_timeout. */
    public long finWait2Orphaned() {
        return finWait2Orphaned;
    }
}
