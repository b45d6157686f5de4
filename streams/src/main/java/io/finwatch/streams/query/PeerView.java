package io.finwatch.streams.query;

import io.finwatch.schemas.PeerEnd;
import java.time.Instant;

/**
 * The other end of a connection, as the pairing task found it and its collector last reported it: in anomalies,
 * open sockets and pairs. {@code dwell_ms} is how long it has been in {@code state}, measured to the answer's time.
 */
public record PeerView(String host, long netns, String localIp, int localPort, String remoteIp, int remotePort, String state,
                       Instant stateSince, Long dwellMs, String shutdown, Long recvQ, Integer pid, String comm, String containerId,
                       String pod, Boolean orphaned, Instant seenAt) {

    /** Null for no peer. */
    public static PeerView of(PeerEnd p, Instant now) {
        if (p == null) {
            return null;
        }
        Long since = p.getStateSinceMs();
        return new PeerView(p.getHost(), p.getNetns(), p.getLocalIp(), p.getLocalPort(), p.getRemoteIp(), p.getRemotePort(), p.getState().name(),
                since == null ? null : Instant.ofEpochMilli(since), since == null || now == null ? null : Math.max(0, now.toEpochMilli() - since),
                p.getShutdown() == null ? null : p.getShutdown().name(), p.getRecvQ(), p.getPid(), p.getComm(), p.getContainerId(),
                p.getPod() == null ? null : p.getPod().getPodName(), p.getOrphaned(), p.getSeenAt());
    }
}
