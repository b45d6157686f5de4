package io.finwatch.streams.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One element of {@code GET /api/hosts}. The heartbeat fields ({@code last_seen}, {@code namespaces},
 * {@code states}, {@code sockets_seen}, collector and poll fields) are null for a host whose sockets were
 * reported but whose first heartbeat has not arrived yet.
 */
public record HostView(String host, Instant lastSeen, long openFinWait2, long attached, long orphaned, List<NamespaceView> namespaces,
                       Map<String, Long> states, Long socketsSeen, String collectorId, String collectorVersion, Long pollIntervalMs,
                       boolean silent, Instant silentSince, boolean stale) implements Element {

    /** A network namespace of the host and the fin timeout it judges sockets by. */
    public record NamespaceView(long netns, int finTimeoutS, String finTimeoutSource, long sockets) {
    }
}
