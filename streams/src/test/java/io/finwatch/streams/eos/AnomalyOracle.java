package io.finwatch.streams.eos;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What the detector must publish for a crash-test script, worked out from the script alone with the rules
 * as the issue states them, not with the topology's code: a deadline-passing socket is STUCK once, a STUCK
 * socket that leaves is RESOLVED once with its dwell, a collector that stopped is silent once. Ids follow
 * the documented subject format.
 */
final class AnomalyOracle {

    /** The fields of an anomaly that do not depend on when the detector ran (not detected_at, not a STUCK's dwell). */
    record Expected(String anomalyId, String kind, String reason, String host, Integer port, Instant enteredAt, Instant deadline,
                    Boolean orphaned, Integer pid, String toState, Long resolvedDwellMs, Instant lastHeardAt) {
    }

    private AnomalyOracle() {
    }

    /**
     * The STUCK, RESOLVED and COLLECTOR_SILENT anomalies. UPDATED ones are left out: whether a STUCK was first judged
     * before its peer was paired depends on timing; {@link #lastDiagnosis} checks where they end.
     */
    static Set<Expected> expected(List<Episode> episodes, List<PairedEnds> paired, long graceMs, String quietHost, Instant quietLastHeard,
                                  String netnsFamilyAndIps) {
        Set<Expected> out = new HashSet<>();
        for (Episode e : episodes) {
            Instant deadline = e.orphan() ? e.reapAt().plusMillis(graceMs) : e.enteredAt().plusSeconds(e.finTimeoutS());
            String stuckReason = e.orphan() ? "ORPHAN_NOT_REAPED" : "ATTACHED_PAST_FIN_TIMEOUT";
            String subject = e.host() + "|" + netnsFamilyAndIps.replace("{port}", Integer.toString(e.port())) + "|"
                    + e.enteredAt().toEpochMilli();
            switch (e.shape()) {
                case ATTACHED_STUCK, ORPHAN_STUCK -> out.add(stuck(e, subject, stuckReason, deadline));
                case ATTACHED_LATE_EXIT, ORPHAN_LATE_GONE -> {
                    out.add(stuck(e, subject, stuckReason, deadline));
                    out.add(new Expected(id(subject + "|RESOLVED"), "RESOLVED", "CONNECTION_GONE", e.host(), e.port(), e.enteredAt(), deadline,
                            e.orphan(), e.pid(), "GONE", e.exitAt().toEpochMilli() - e.enteredAt().toEpochMilli(), null));
                }
                case ATTACHED_ON_TIME, ORPHAN_ON_TIME -> {
                }
                default -> throw new IllegalArgumentException(e.shape().toString());
            }
        }
        for (PairedEnds p : paired) {
            out.add(new Expected(id(p.subject() + "|STUCK"), "STUCK", p.closeWait() ? "CLOSE_WAIT_PAST_THRESHOLD" : "ATTACHED_PAST_FIN_TIMEOUT",
                    p.host(), p.port(), p.enteredAt(), p.deadline(), false, p.pid(), null, null, null));
        }
        out.add(new Expected(id(quietHost + "|" + quietLastHeard.toEpochMilli() + "|COLLECTOR_SILENT"), "COLLECTOR_SILENT",
                "HEARTBEATS_STOPPED", quietHost, null, null, null, null, null, null, null, quietLastHeard));
        return out;
    }

    /** The subject's id for STUCK: UPDATED anomalies of the same episode share its subject but not its id. */
    static String stuckId(PairedEnds p) {
        return id(p.subject() + "|STUCK");
    }

    private static Expected stuck(Episode e, String subject, String reason, Instant deadline) {
        return new Expected(id(subject + "|STUCK"), "STUCK", reason, e.host(), e.port(), e.enteredAt(), deadline, e.orphan(), e.pid(), null,
                null, null);
    }

    private static String id(String subject) {
        return UUID.nameUUIDFromBytes(subject.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
