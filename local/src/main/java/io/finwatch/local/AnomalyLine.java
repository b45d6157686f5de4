package io.finwatch.local;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.PodIdentity;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** One line a person reads as an anomaly happens, e.g. on the terminal of {@code ./finwatch local}. */
final class AnomalyLine {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private AnomalyLine() {
    }

    static String format(FinWait2Anomaly a, ZoneId zone) {
        StringBuilder b = new StringBuilder();
        b.append(TIME.format(a.getDetectedAt().atZone(zone))).append(' ').append(a.getKind()).append(' ').append(a.getHost());
        if (a.getKind() == AnomalyKind.COLLECTOR_SILENT) {
            b.append(" collector silent");
            if (a.getLastHeardAt() != null) {
                b.append(", last heartbeat ").append(TIME.format(a.getLastHeardAt().atZone(zone)));
            }
            return b.append(" (its sockets are not being watched)").toString();
        }
        b.append(' ').append(owner(a)).append(' ').append(socket(a));
        String state = a.getState() == null ? "FIN_WAIT2" : a.getState().toString();
        if (a.getKind() == AnomalyKind.STUCK || a.getKind() == AnomalyKind.UPDATED) {
            b.append(" in ").append(state).append(' ').append(seconds(a.getDwellMs()));
            if (a.getReason() == AnomalyReason.CLOSE_WAIT_PAST_THRESHOLD) {
                b.append(" (its process never closed it");
                if (a.getRecvQ() != null && a.getRecvQ() > 1) {
                    b.append(", ").append(a.getRecvQ() - 1).append(" bytes unread");
                }
                b.append(')');
            } else if (a.getReason() == AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT) {
                b.append(" > fin_timeout ").append(a.getFinTimeoutS()).append("s (attached: shutdown() without close())");
            } else if (a.getReason() == AnomalyReason.ORPHAN_NOT_REAPED) {
                b.append(" past its reap deadline (orphaned, yet not reaped; fin_timeout ").append(a.getFinTimeoutS()).append("s)");
            } else {
                b.append(" (").append(a.getReason()).append(')');
            }
            verdict(b, a);
        } else if (a.getKind() == AnomalyKind.RESOLVED) {
            b.append(" left ").append(state).append(" after ").append(seconds(a.getDwellMs()));
            b.append(a.getReason() == AnomalyReason.CONNECTION_GONE || a.getToState() == null
                    ? " (gone)" : " (now " + a.getToState() + ")");
        } else {
            b.append(" (").append(a.getReason()).append(')');
        }
        return b.toString();
    }

    /** The verdict and the peer, when the detector judged one. */
    private static void verdict(StringBuilder b, FinWait2Anomaly a) {
        if (a.getVerdict() == null) {
            return;
        }
        b.append("; ").append(a.getVerdict());
        if (a.getPeer() != null) {
            b.append(", peer ").append(a.getPeer().getPid() == null ? "pid ?" : "pid " + a.getPeer().getPid())
                    .append(a.getPeer().getComm() == null ? "" : " (" + a.getPeer().getComm() + ")")
                    .append(" on ").append(a.getPeer().getHost()).append(" in ").append(a.getPeer().getState());
        }
    }

    /**
     * Who the anomaly belongs to, as the terminal's summary of lines not shown names it: the process (and its pod), a
     * host's orphaned sockets (no process owns them any more), or a host's collector.
     */
    static String ownerOf(FinWait2Anomaly a) {
        String who;
        if (a.getKind() == AnomalyKind.COLLECTOR_SILENT) {
            who = "the collector";
        } else if (a.getPid() == null && Boolean.TRUE.equals(a.getOrphaned())) {
            who = "orphaned sockets";
        } else {
            who = owner(a);
        }
        return who + " on " + a.getHost();
    }

    private static String owner(FinWait2Anomaly a) {
        String process = a.getPid() == null ? "pid ?" : "pid " + a.getPid() + (a.getComm() == null ? "" : " (" + a.getComm() + ")");
        return process + pod(a.getPod());
    }

    /** {@code  pod ns/name (Kind workload)} with the API's names, {@code  pod <uid>} with the cgroup's alone. */
    static String pod(PodIdentity p) {
        if (p == null) {
            return "";
        }
        if (p.getPodName() == null) {
            return " pod " + p.getPodUid();
        }
        String workload = p.getWorkloadKind() == null || p.getWorkloadKind().equals("Pod") ? ""
                : " (" + p.getWorkloadKind() + " " + p.getWorkloadName() + ")";
        return " pod " + p.getK8sNamespace() + "/" + p.getPodName() + workload;
    }

    private static String socket(FinWait2Anomaly a) {
        boolean v6 = a.getFamily() != null && a.getFamily() == 6;
        return endpoint(v6, a.getLocalIp(), a.getLocalPort()) + " -> " + endpoint(v6, a.getRemoteIp(), a.getRemotePort());
    }

    private static String endpoint(boolean v6, String ip, Integer port) {
        return (v6 ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static String seconds(Long ms) {
        return ms == null ? "?" : (ms / 1000) + "s";
    }
}
