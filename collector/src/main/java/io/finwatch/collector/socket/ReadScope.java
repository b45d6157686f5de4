package io.finwatch.collector.socket;


/**
 * How much of a namespace's table one read asks for.
 *
 * <p>Most of a busy host's sockets sit for minutes or hours in ESTABLISHED (or LISTEN), and reading them again at
 * every poll is most of what a poll costs, in the kernel and here. Every state that leads to or through
 * FIN_WAIT2 is short-lived and is what the detector needs at poll resolution, so between whole-table reads the
 * collector asks the kernel for those states only ({@link #UNSETTLED}); the kernel still walks its hash but fills
 * and copies nothing for the settled sockets.
 */
public enum ReadScope {
    /** Every socket. */
    WHOLE,
    /** Sockets in any state but ESTABLISHED and LISTEN. */
    UNSETTLED,
    /**
     * Nothing: since the namespace was last read, the kernel announced no state change an unsettled read would show
     * there, and none of its sockets' timers ran out ({@code track/QuietNamespaces}). Its rows stand as they were.
     * No source is asked to read in this scope.
     */
    NONE;

    /** The states an {@link #UNSETTLED} read leaves out. */
    public static boolean settled(TcpState state) {
        return state == TcpState.ESTABLISHED || state == TcpState.LISTEN;
    }

    /**
     * Whether a socket seen in {@code state} at the previous read, and missing from an {@link #UNSETTLED} read, may
     * still exist: it is settled, so that read could not see it, or it was opening and may have become
     * ESTABLISHED since. Any other state only moves on towards closing, which an unsettled read would show, so
     * a socket last seen in one of those and now missing is gone.
     */
    public static boolean mayBeHiddenFromUnsettled(TcpState state) {
        return settled(state) || state == TcpState.SYN_SENT || state == TcpState.SYN_RECV
                || state == TcpState.NEW_SYN_RECV;
    }
}
