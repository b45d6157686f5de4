package io.finwatch.streams.query;

import io.finwatch.streams.aggregate.DwellHistogramCodec;
import io.finwatch.streams.aggregate.DwellStats;
import io.finwatch.streams.detect.OpenCounts;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * Workloads of one partition from the per-workload entries of the open-counts store
 * ({@code host|~open|...} and {@code host|~stuck|...}) and of the dwell stores ({@code host|~dwell|...}), one element
 * per workload summed over the partition's hosts.
 * A workload that runs on hosts of several partitions comes from each; {@link #combine} sums them.
 */
public final class WorkloadReader {

    /** Most stuck first, then most open, then by namespace, kind and name. */
    public static final Comparator<WorkloadView> ORDER = Comparator.comparingLong(WorkloadView::stuck).reversed()
            .thenComparing(Comparator.comparingLong(WorkloadView::open).reversed())
            .thenComparing(WorkloadView::k8sNamespace).thenComparing(WorkloadView::kind).thenComparing(WorkloadView::name);

    private WorkloadReader() {
    }

    /**
     * @param k8sNamespace only this Kubernetes namespace ("" for workloads outside Kubernetes), or null for all
     * @param window       how far back ended episodes count in the dwell
     */
    public static List<WorkloadView> of(PartitionStores s, String k8sNamespace, DwellWindow window, Instant now) {
        Map<String, WorkloadView> byWorkload = new LinkedHashMap<>();
        try (KeyValueIterator<String, OpenCounts> it = s.<OpenCounts>keyValue(StoreNames.OPEN_FIN_WAIT2_WORKLOADS).all()) {
            while (it.hasNext()) {
                KeyValue<String, OpenCounts> e = it.next();
                String[] f = fields(e.key, k8sNamespace);
                if (f == null || f[1].equals(StoreKeys.WORKLOAD_DWELL)) {
                    continue;
                }
                boolean stuck = f[1].equals(StoreKeys.WORKLOAD_STUCK);
                OpenCounts c = e.value;
                WorkloadView v = stuck
                        ? new WorkloadView(f[2], f[3], f[4], 0, 0, c.attached() + c.orphaned(), c.attached(), 0, s.stale())
                        : new WorkloadView(f[2], f[3], f[4], c.attached(), c.orphaned(), 0, 0, 1, s.stale());
                byWorkload.merge(v.identity(), v, WorkloadView::plus);
            }
        }
        Map<String, Histogram> dwell = dwell(s, k8sNamespace, window, now);
        for (Map.Entry<String, Histogram> e : dwell.entrySet()) {
            String[] f = e.getKey().split("\\|", -1);
            byWorkload.putIfAbsent(e.getKey(), new WorkloadView(f[0], f[1], f[2], 0, 0, 0, 0, 0, s.stale()));
        }
        List<WorkloadView> out = new ArrayList<>(byWorkload.size());
        // Every element carries its histogram: the asked instance merges each workload's partitions with combine.
        byWorkload.forEach((id, v) -> out.add(v.withDwell(window.text(), dwell.get(id), true)));
        return out;
    }

    /** The partition's dwell histograms of each workload over the window, merged over its hosts, by identity. */
    private static Map<String, Histogram> dwell(PartitionStores s, String k8sNamespace, DwellWindow window, Instant now) {
        Map<String, Histogram> dwell = new HashMap<>();
        if (window.allTime()) {
            try (KeyValueIterator<String, byte[]> it = s.<byte[]>keyValue(StoreNames.DWELL_ALL_TIME).all()) {
                it.forEachRemaining(e -> mergeDwell(dwell, e.key, e.value, k8sNamespace));
            }
        } else {
            ReadOnlyWindowStore<String, byte[]> store = s.window(window.store());
            try (KeyValueIterator<Windowed<String>, byte[]> it = store.fetchAll(window.from(now), now)) {
                it.forEachRemaining(e -> mergeDwell(dwell, e.key.key(), e.value, k8sNamespace));
            }
        }
        return dwell;
    }

    private static void mergeDwell(Map<String, Histogram> dwell, String key, byte[] value, String k8sNamespace) {
        String[] f = fields(key, k8sNamespace);
        if (f != null && f[1].equals(StoreKeys.WORKLOAD_DWELL)) {
            // Into an auto-resizing histogram: a decoded one only covers the values it was encoded with.
            dwell.computeIfAbsent(f[2] + StoreKeys.SEP + f[3] + StoreKeys.SEP + f[4], k -> DwellHistogramCodec.empty())
                    .add(DwellStats.decode(value));
        }
    }

    /** A workload key's five fields ({@code host|field|namespace|kind|name}), or null for other keys and other namespaces. */
    private static String[] fields(String key, String k8sNamespace) {
        if (!StoreKeys.isWorkload(key)) {
            return null;
        }
        String[] f = key.split("\\|", -1);
        return f.length != 5 || (k8sNamespace != null && !k8sNamespace.equals(f[2])) ? null : f;
    }

    /**
     * The same workload from several partitions (its hosts' partitions) as one, ranked by {@link #ORDER}: counts
     * summed, dwell histograms merged, and the histograms left out of the answer.
     */
    public static List<WorkloadView> combine(List<WorkloadView> parts, int limit) {
        Map<String, WorkloadView> byWorkload = new LinkedHashMap<>();
        Map<String, Histogram> dwell = new HashMap<>();
        for (WorkloadView v : parts) {
            byWorkload.merge(v.identity(), v, WorkloadView::plus);
            Histogram h = v.histogram();
            if (h != null) {
                dwell.computeIfAbsent(v.identity(), k -> DwellHistogramCodec.empty()).add(h);
            }
        }
        List<WorkloadView> out = new ArrayList<>(byWorkload.size());
        byWorkload.forEach((id, v) -> out.add(v.withDwell(v.window(), dwell.get(id), false)));
        out.sort(ORDER);
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }
}
