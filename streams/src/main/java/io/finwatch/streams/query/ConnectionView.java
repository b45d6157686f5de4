package io.finwatch.streams.query;

import java.time.Instant;

/**
 * One element of {@code GET /api/hosts/{host}/finwait2} and {@code /closewait}: an open FIN_WAIT2 or CLOSE_WAIT episode,
 * with the verdict of its STUCK (null before) and its peer when paired. {@code shutdown}, {@code recv_q} and
 * {@code send_q} are the kernel's facts about the socket as its collector last read them, null where it could not tell.
 * {@code entered_at_source} says where {@code entered_at} came from: {@code KERNEL} (the socket's own time in the
 * state, exact) or {@code OBSERVED} (the first poll that saw it); {@code reap_at} is an orphan's reap time from the
 * kernel's timer (null when attached: the kernel never reaps an attached socket).
 */
public record ConnectionView(String host, long netns, String family, String localIp, int localPort, String remoteIp, int remotePort,
                             Integer pid, String comm, String containerId, boolean orphaned, boolean stuck, Instant enteredAt,
                             String enteredAtSource, long dwellMs,
                             Instant deadline, Instant reapAt, int finTimeoutS, boolean stale,
                             String shutdown, Long recvQ, Long sendQ, String state, String verdict, PeerView peer) implements Element {
}
