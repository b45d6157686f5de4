package io.finwatch.collector.socket;

/**
 * Which directions of a socket its own end has shut, as the kernel's {@code sk_shutdown} bits say
 * ({@code INET_DIAG_SHUTDOWN}): RD, bit 1, it will receive nothing more (its peer's FIN arrived, or
 * {@code shutdown(SHUT_RD)}); WR, bit 2, it sends nothing more ({@code shutdown(SHUT_WR)} or {@code close()}).
 * An attached FIN_WAIT2 socket with WR is the proof of {@code shutdown()} without {@code close()}.
 */
public enum Shutdown {
    NONE, RD, WR, RDWR;

    private static final Shutdown[] BY_BITS = values();

    /** The flags for the kernel's byte; bits above the two defined ones are ignored. */
    public static Shutdown ofBits(int bits) {
        return BY_BITS[bits & 3];
    }

    /** This end sends nothing more. */
    public boolean sendShut() {
        return this == WR || this == RDWR;
    }
}
