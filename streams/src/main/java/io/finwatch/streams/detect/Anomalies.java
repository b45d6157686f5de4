package io.finwatch.streams.detect;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.PeerEnd;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.streams.verdict.VerdictRules;
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

    /**
     * Id of an UPDATED: one per verdict and peer (host, namespace, address, state) of the episode, so the same update
     * decided again has the same id, and a later change a new one.
     */
    public static String updatedId(ConnectionKey key, long enteredAt, Verdict verdict, PeerEnd peer) {
        String p = peer == null ? "-" : peer.getHost() + '|' + peer.getNetns() + '|' + peer.getLocalIp() + '|' + peer.getLocalPort() + '|'
                + peer.getState();
        return id(key.text() + '|' + enteredAt + '|' + AnomalyKind.UPDATED + '|' + verdict + '|' + p);
    }

    public static FinWait2Anomaly stuck(ConnectionState c, long detectedAt) {
        return stuck(c, detectedAt, null);
    }

    /** A STUCK with its verdict (null: none judged). */
    public static FinWait2Anomaly stuck(ConnectionState c, long detectedAt, VerdictRules.Judgement j) {
        AnomalyReason reason = c.closeWait() ? AnomalyReason.CLOSE_WAIT_PAST_THRESHOLD
                : c.orphaned() ? AnomalyReason.ORPHAN_NOT_REAPED : AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT;
        return judged(socket(c, AnomalyKind.STUCK, reason, detectedAt, null), j).build();
    }

    /** The new verdict or peer of a STUCK episode: the STUCK's subject and reason with the new diagnosis. */
    public static FinWait2Anomaly updated(ConnectionState c, long detectedAt, VerdictRules.Judgement j) {
        AnomalyReason reason = c.closeWait() ? AnomalyReason.CLOSE_WAIT_PAST_THRESHOLD
                : c.orphaned() ? AnomalyReason.ORPHAN_NOT_REAPED : AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT;
        return judged(socket(c, AnomalyKind.UPDATED, reason, detectedAt, null), j)
                .setAnomalyId(updatedId(c.key(), c.enteredAt(), j.verdict(), j.peer()))
                .build();
    }

    private static FinWait2Anomaly.Builder judged(FinWait2Anomaly.Builder b, VerdictRules.Judgement j) {
        if (j == null) {
            return b;
        }
        return b.setVerdict(j.verdict()).setEvidence(j.evidence()).setPeer(j.peer());
    }

    public static FinWait2Anomaly resolved(ConnectionState c, long endedAt, TcpState toState) {
        AnomalyReason reason = toState == TcpState.GONE ? AnomalyReason.CONNECTION_GONE
                : c.closeWait() ? AnomalyReason.LEFT_CLOSE_WAIT : AnomalyReason.LEFT_FIN_WAIT2;
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
                .setPod(c.pod())
                .setState(c.state())
                .setConntrack(c.conntrack())
                .setEnteredAtSource(c.enteredAtSource())
                .setReapAt(c.reapAt() == null ? null : Instant.ofEpochMilli(c.reapAt()));
    }
}
