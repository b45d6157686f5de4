package io.finwatch.local;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
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

    private static String owner(FinWait2Anomaly a) {
        if (a.getPid() == null) {
            return "pid ?";
        }
        return "pid " + a.getPid() + (a.getComm() == null ? "" : " (" + a.getComm() + ")");
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
