package io.finwatch.streams.query;

import io.finwatch.streams.detect.OpenCounts;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Workloads of one partition from the per-workload entries of the open-counts store
 * ({@code host|~open|...} and {@code host|~stuck|...}), one element per workload summed over the partition's hosts.
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
     */
    public static List<WorkloadView> of(PartitionStores s, String k8sNamespace) {
        Map<String, WorkloadView> byWorkload = new LinkedHashMap<>();
        try (KeyValueIterator<String, OpenCounts> it = s.<OpenCounts>keyValue(StoreNames.OPEN_FIN_WAIT2).all()) {
            while (it.hasNext()) {
                KeyValue<String, OpenCounts> e = it.next();
                if (!StoreKeys.isWorkload(e.key)) {
                    continue;
                }
                String[] f = e.key.split("\\|", -1);
                if (f.length != 5 || (k8sNamespace != null && !k8sNamespace.equals(f[2]))) {
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
        return new ArrayList<>(byWorkload.values());
    }

    /** The same workload from several partitions (its hosts' partitions) as one, ranked by {@link #ORDER}. */
    public static List<WorkloadView> combine(List<WorkloadView> parts, int limit) {
        Map<String, WorkloadView> byWorkload = new LinkedHashMap<>();
        for (WorkloadView v : parts) {
            byWorkload.merge(v.identity(), v, WorkloadView::plus);
        }
        List<WorkloadView> out = new ArrayList<>(byWorkload.values());
        out.sort(ORDER);
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }
}
