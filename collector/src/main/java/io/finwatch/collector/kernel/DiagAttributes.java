package io.finwatch.collector.kernel;

import java.nio.ByteBuffer;

/**
 * Finds the attributes finwatch reads in one {@code inet_diag_msg}'s attribute list ({@code struct nlattr}: len u16
 * with the header, type u16 of which the low 14 bits count, payload padded to 4 bytes). Walked, never addressed:
 * which attributes come depends on the reader ({@code INET_DIAG_MARK} only for CAP_NET_ADMIN) and shifts the rest.
 *
 * <p>One instance per dump, reused for every message, so a row costs no allocation here.
 */
final class DiagAttributes {
    static final int INET_DIAG_INFO = 2;
    static final int INET_DIAG_SHUTDOWN = 8;
    private static final int NLA_HDRLEN = 4;
    private static final int NLA_TYPE_MASK = 0x3fff;

    /** Offset of the SHUTDOWN payload (one byte), or -1. */
    int shutdown;
    /** Offset of the INFO payload ({@code struct tcp_info}), or -1. */
    int info;
    /** Length of the INFO payload. */
    int infoLength;

    /**
     * Scans the attributes from {@code from} to {@code end}.
     *
     * @return null when the list is well formed, else why not (the caller rejects the message)
     */
    String scan(ByteBuffer b, int from, int end) {
        shutdown = -1;
        info = -1;
        infoLength = 0;
        int at = from;
        while (end - at >= NLA_HDRLEN) {
            int len = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & NLA_TYPE_MASK;
            if (len < NLA_HDRLEN || len > end - at) {
                return "attribute at byte " + (at - from) + " claims " + len + " bytes, " + (end - at) + " left";
            }
            if (type == INET_DIAG_SHUTDOWN && len > NLA_HDRLEN) {
                shutdown = at + NLA_HDRLEN;
            } else if (type == INET_DIAG_INFO) {
                info = at + NLA_HDRLEN;
                infoLength = len - NLA_HDRLEN;
            }
            at += (len + 3) & ~3;
        }
        return null;
    }
}
