package io.finwatch.streams.detect;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds the anomaly records. Ids are name-based UUIDs of the anomaly's subject and kind, so the same
 * anomaly decided again (after a restart, on a replay) has the same id and consumers can deduplicate.
 */
public final class Anomalies {

    private Anomalies() {
    }

    /** Id of a socket anomaly: host|netns|family|local|remote|ordinal|entered_at|kind. */
    public static String socketAnomalyId(ConnectionKey key, long enteredAt, AnomalyKind kind) {
        return id(key.text() + '|' + enteredAt + '|' + kind);
    }

    /** Id of a silence: host|last_heard_at|kind, one per stretch of silence. */
    public static String silenceId(String host, long lastHeardAt) {
        return id(host + '|' + lastHeardAt + '|' + AnomalyKind.COLLECTOR_SILENT);
    }

    private static String id(String subject) {
        return UUID.nameUUIDFromBytes(subject.getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static FinWait2Anomaly stuck(ConnectionState c, long detectedAt) {
        AnomalyReason reason = c.orphaned() ? AnomalyReason.ORPHAN_NOT_REAPED : AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT;
        return socket(c, AnomalyKind.STUCK, reason, detectedAt, null).build();
    }

    public static FinWait2Anomaly resolved(ConnectionState c, long endedAt, TcpState toState) {
        AnomalyReason reason = toState == TcpState.GONE ? AnomalyReason.CONNECTION_GONE : AnomalyReason.LEFT_FIN_WAIT2;
        // UNKNOWN is what this build reads for a state a newer collector knows; it is never written on.
        TcpState known = toState == TcpState.UNKNOWN ? null : toState;
        return socket(c, AnomalyKind.RESOLVED, reason, endedAt, known).build();
    }

    public static FinWait2Anomaly silent(String host, String collectorId, long lastHeardAt, long detectedAt) {
        return FinWait2Anomaly.newBuilder()
                .setAnomalyId(silenceId(host, lastHeardAt))
                .setKind(AnomalyKind.COLLECTOR_SILENT)
                .setReason(AnomalyReason.HEARTBEATS_STOPPED)
                .setHost(host)
                .setCollectorId(collectorId)
                .setDetectedAt(Instant.ofEpochMilli(detectedAt))
                .setLastHeardAt(Instant.ofEpochMilli(lastHeardAt))
                .build();
    }

    private static FinWait2Anomaly.Builder socket(ConnectionState c, AnomalyKind kind, AnomalyReason reason, long detectedAt,
                                                  TcpState toState) {
        ConnectionKey k = c.key();
        return FinWait2Anomaly.newBuilder()
                .setAnomalyId(socketAnomalyId(k, c.enteredAt(), kind))
                .setKind(kind)
                .setReason(reason)
                .setHost(k.host())
                .setCollectorId(c.collectorId())
                .setDetectedAt(Instant.ofEpochMilli(detectedAt))
                .setNetns(k.netns())
                .setFamily(k.family())
                .setLocalIp(k.localIp())
                .setLocalPort(k.localPort())
                .setRemoteIp(k.remoteIp())
                .setRemotePort(k.remotePort())
                .setPid(c.pid())
                .setComm(c.comm())
                .setContainerId(c.containerId())
                .setOrphaned(c.orphaned())
                .setEnteredAt(Instant.ofEpochMilli(c.enteredAt()))
                .setDeadline(Instant.ofEpochMilli(c.fireAt()))
                .setDwellMs(Math.max(0, detectedAt - c.enteredAt()))
                .setFinTimeoutS(c.finTimeoutS())
                .setToState(toState)
                .setShutdown(c.shutdown())
                .setRecvQ(c.recvQ())
                .setSendQ(c.sendQ())
                .setPod(c.pod());
    }
}
