package io.finwatch.streams.query;

import java.time.Instant;

/**
 * One element of {@code GET /api/hosts/{host}/finwait2} and {@code /closewait}: an open FIN_WAIT2 or CLOSE_WAIT episode,
 * with the verdict of its STUCK (null before) and its peer when paired. {@code shutdown}, {@code recv_q} and
 * {@code send_q} are the kernel's facts about the socket as its collector last read them, null where it could not tell.
 */
public record ConnectionView(String host, long netns, String family, String localIp, int localPort, String remoteIp, int remotePort,
                             Integer pid, String comm, String containerId, boolean orphaned, boolean stuck, Instant enteredAt, long dwellMs,
                             Instant deadline, int finTimeoutS, boolean stale,
                             String shutdown, Long recvQ, Long sendQ, String state, String verdict, PeerView peer) implements Element {
}
