package io.finwatch.streams.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.finwatch.streams.aggregate.DwellHistogramCodec;
import io.finwatch.streams.aggregate.DwellStats;
import java.util.Base64;
import org.HdrHistogram.Histogram;

/**
 * One element of {@code GET /api/workloads}: a workload's sockets open in FIN_WAIT2 and, of those, the ones declared
 * STUCK, summed over the hosts it runs on, and the dwell of its FIN_WAIT2 episodes that ended within {@code window}
 * (percentiles null when {@code count} is 0). Outside Kubernetes a workload is a program (its command name), with
 * {@code k8s_namespace} and {@code kind} empty.
 *
 * @param hosts          how many hosts hold its open sockets
 * @param dwellHistogram the window's dwell histogram (a dwell store value, base64), only in the answers instances give
 *                       each other, so that the asked one merges a workload's partitions exactly; absent from answers
 *                       to clients
 */
public record WorkloadView(String k8sNamespace, String kind, String name, long attached, long orphaned, long stuck,
                           long stuckAttached, int hosts, String window, long count, Long p50Ms, Long p90Ms, Long p99Ms, Long maxMs,
                           boolean stale, @JsonInclude(JsonInclude.Include.NON_NULL) String dwellHistogram) implements Element {

    /** Counts alone, without dwell. */
    public WorkloadView(String k8sNamespace, String kind, String name, long attached, long orphaned, long stuck, long stuckAttached,
                        int hosts, boolean stale) {
        this(k8sNamespace, kind, name, attached, orphaned, stuck, stuckAttached, hosts, null, 0, null, null, null, null, stale, null);
    }

    /** Open FIN_WAIT2 sockets, attached and orphaned. */
    public long open() {
        return attached + orphaned;
    }

    /** The same counts with the dwell of {@code h} over {@code windowText}; {@code forPeer} keeps the histogram itself. */
    WorkloadView withDwell(String windowText, Histogram h, boolean forPeer) {
        DwellStats d = h == null || h.getTotalCount() == 0 ? null : DwellStats.of(h);
        String encoded = forPeer && d != null ? Base64.getEncoder().encodeToString(new DwellHistogramCodec.Encoder().encode(h)) : null;
        return new WorkloadView(k8sNamespace, kind, name, attached, orphaned, stuck, stuckAttached, hosts, windowText,
                d == null ? 0 : d.count(), d == null ? null : d.p50(), d == null ? null : d.p90(), d == null ? null : d.p99(),
                d == null ? null : d.max(), stale, encoded);
    }

    /** The histogram another instance sent, or null. */
    Histogram histogram() {
        return dwellHistogram == null ? null : DwellStats.decode(Base64.getDecoder().decode(dwellHistogram));
    }

    WorkloadView plus(WorkloadView o) {
        return new WorkloadView(k8sNamespace, kind, name, attached + o.attached, orphaned + o.orphaned, stuck + o.stuck,
                stuckAttached + o.stuckAttached, hosts + o.hosts, window != null ? window : o.window, 0, null, null, null, null,
                stale || o.stale, null);
    }

    String identity() {
        return k8sNamespace + '|' + kind + '|' + name;
    }
}
