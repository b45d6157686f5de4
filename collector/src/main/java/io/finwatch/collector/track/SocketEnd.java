package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketRow;

/**
 * One destroy notification of the kernel: a full TCP socket was freed.
 *
 * @param row       what the notification said: the socket's key (its addresses are cleared for a socket ended by
 *                  {@code tcp_disconnect}: an abort or a failed connect), state CLOSE, its queues and its cookie,
 *                  the one reliable way to join it to a polled socket
 * @param endedAtMs epoch ms at which the notification was received: the kernel stamps none, and sends it within
 *                  a millisecond of the socket's end (up to about a second under a burst of thousands)
 */
public record SocketEnd(SocketRow row, long endedAtMs) {
    public long cookie() {
        return row.cookie();
    }
}
