package io.finwatch.collector.socket;

/**
 * The kernel's TCP states, with the codes /proc/net/tcp prints in its {@code st} column
 * (include/net/tcp_states.h). Names are the ones {@code ss} prints.
 */
public enum TcpState {
    ESTABLISHED(0x01),
    SYN_SENT(0x02),
    SYN_RECV(0x03),
    FIN_WAIT1(0x04),
    /** We sent FIN and the peer acknowledged it; we wait for the peer's FIN. Leaks when the owner never closes. */
    FIN_WAIT2(0x05),
    TIME_WAIT(0x06),
    CLOSE(0x07),
    CLOSE_WAIT(0x08),
    LAST_ACK(0x09),
    LISTEN(0x0A),
    CLOSING(0x0B),
    /** A request socket: the SYN arrived, the handshake is not complete. */
    NEW_SYN_RECV(0x0C);

    private static final TcpState[] BY_CODE = new TcpState[16];

    static {
        for (TcpState s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;

    TcpState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The state for a kernel code, or null when the code is not a TCP state. */
    public static TcpState ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
