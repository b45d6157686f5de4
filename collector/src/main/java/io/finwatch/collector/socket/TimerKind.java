package io.finwatch.collector.socket;

/**
 * The {@code tr} column of /proc/net/tcp: which kernel timer is pending on the socket.
 * Names follow {@code ss -o}.
 */
public enum TimerKind {
    OFF(0),
    /** Retransmit, loss probe or reordering timer. */
    ON(1),
    /**
     * The socket's sk_timer: keepalive, or the FIN_WAIT2 timer of an orphan whose tcp_fin_timeout is
     * longer than 60 s (the kernel keeps it a full socket for the excess).
     */
    KEEPALIVE(2),
    /** A timewait socket's timer; an orphan FIN_WAIT2 with tcp_fin_timeout ≤ 60 s lives here. */
    TIMEWAIT(3),
    /** Zero-window probe timer. */
    PERSIST(4);

    private static final TimerKind[] BY_CODE = values();

    private final int code;

    TimerKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The timer for a kernel code, or null when the code is unknown. */
    public static TimerKind ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
