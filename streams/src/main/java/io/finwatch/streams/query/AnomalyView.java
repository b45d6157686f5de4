package io.finwatch.streams.query;

import java.time.Instant;

/**
 * One element of {@code GET /api/anomalies}. Socket fields are null for COLLECTOR_SILENT; {@code to_state} is
 * set for RESOLVED, {@code last_heard_at} for COLLECTOR_SILENT; {@code state} (FIN_WAIT2 or CLOSE_WAIT), {@code verdict},
 * {@code evidence} and {@code peer} for STUCK and UPDATED (peer null when unpaired).
 */
public record AnomalyView(String anomalyId, String kind, String reason, String host, String collectorId, Long netns, String family,
                          String localIp, Integer localPort, String remoteIp, Integer remotePort, Integer pid, String comm,
                          String containerId, Boolean orphaned, Instant enteredAt, Instant deadline, Instant detectedAt, Long dwellMs,
                          Integer finTimeoutS, String toState, Instant lastHeardAt, boolean stale,
                          String state, Long recvQ, String verdict, String evidence, PeerView peer) implements Element {
}
