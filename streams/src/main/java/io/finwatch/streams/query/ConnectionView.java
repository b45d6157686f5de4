package io.finwatch.streams.query;

import java.time.Instant;

/**
 * One element of {@code GET /api/hosts/{host}/finwait2} and {@code /closewait}: an open FIN_WAIT2 or CLOSE_WAIT episode,
 * with the verdict of its STUCK (null before) and its peer when paired.
 */
public record ConnectionView(String host, long netns, String family, String localIp, int localPort, String remoteIp, int remotePort,
                             Integer pid, String comm, String containerId, boolean orphaned, boolean stuck, Instant enteredAt, long dwellMs,
                             Instant deadline, int finTimeoutS, boolean stale,
                             String state, Long recvQ, String verdict, PeerView peer) implements Element {
}
