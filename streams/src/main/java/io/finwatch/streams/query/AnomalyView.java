package io.finwatch.streams.query;

import java.time.Instant;

/**
 * One element of {@code GET /api/anomalies}. Socket fields are null for COLLECTOR_SILENT; {@code to_state} is
 * set for RESOLVED, {@code last_heard_at} for COLLECTOR_SILENT; {@code pod} when the socket's process is in a pod.
 * {@code shutdown}, {@code recv_q} and {@code send_q} are the kernel's facts about the socket (FinWait2Anomaly), null
 * where its collector could not tell. {@code entered_at_source}: {@code KERNEL} when {@code entered_at} is the socket's own
 * time in its state (exact), {@code OBSERVED} when it is the first poll that saw it; {@code reap_at}: an orphan's reap
 * time from the kernel's timer.
 * {@code state} (FIN_WAIT2 or CLOSE_WAIT), {@code verdict}, {@code evidence} and {@code peer} for STUCK and UPDATED
 * (peer null when unpaired).
 */
public record AnomalyView(String anomalyId, String kind, String reason, String host, String collectorId, Long netns, String family,
                          String localIp, Integer localPort, String remoteIp, Integer remotePort, Integer pid, String comm,
                          String containerId, Boolean orphaned, Instant enteredAt, String enteredAtSource, Instant deadline, Instant reapAt, Instant detectedAt, Long dwellMs,
                          Integer finTimeoutS, String toState, Instant lastHeardAt, boolean stale,
                          String shutdown, Long recvQ, Long sendQ, PodView pod,
                          String state, String verdict, String evidence, PeerView peer) implements Element {

    /**
     * The pod of the anomaly's process (FinWait2Anomaly.pod): the UID from its cgroup, the names from its collector's
     * view of the Kubernetes API (null when it had none).
     */
    public record PodView(String podUid, String podName, String k8sNamespace, String containerName, String workloadKind,
                          String workloadName) {
    }
}
