package io.finwatch.streams.query;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.PodIdentity;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The recent-anomalies store of one partition, filtered, newest first. */
public final class AnomalyReader {

    private static final StringSerializer KEYS = new StringSerializer();

    /**
     * @param kinds kinds to keep
     * @param since earliest detected_at to keep, null for any
     * @param limit most elements returned
     */
    public record Filter(Set<AnomalyKind> kinds, Instant since, int limit, String k8sNamespace, String workload) {

        public Filter(Set<AnomalyKind> kinds, Instant since, int limit) {
            this(kinds, since, limit, null, null);
        }

        /**
         * Whether the anomaly's workload is the one asked for: {@code k8sNamespace} its pod's Kubernetes namespace,
         * {@code workload} its pod's workload name (or, outside a pod, its process's command name, as on the gauges).
         */
        boolean matchesWorkload(FinWait2Anomaly a) {
            if (k8sNamespace == null && workload == null) {
                return true;
            }
            PodIdentity pod = a.getPod();
            boolean named = pod != null && pod.getWorkloadName() != null;
            String ns = named ? pod.getK8sNamespace() : "";
            String name = named ? pod.getWorkloadName() : a.getComm();
            return (k8sNamespace == null || k8sNamespace.equals(ns)) && (workload == null || workload.equals(name));
        }
    }

    private AnomalyReader() {
    }

    public static List<AnomalyView> ofHost(PartitionStores s, String host, Filter f) {
        ReadOnlyKeyValueStore<String, byte[]> store = s.keyValue(StoreNames.RECENT_ANOMALIES);
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            return collect(it, f, s.stale());
        }
    }

    public static List<AnomalyView> all(PartitionStores s, Filter f) {
        ReadOnlyKeyValueStore<String, byte[]> store = s.keyValue(StoreNames.RECENT_ANOMALIES);
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            return collect(it, f, s.stale());
        }
    }

    private static List<AnomalyView> collect(KeyValueIterator<String, byte[]> it, Filter f, boolean stale) {
        List<AnomalyView> out = new ArrayList<>();
        long sinceMs = f.since() == null ? Long.MIN_VALUE : f.since().toEpochMilli();
        while (it.hasNext()) {
            KeyValue<String, byte[]> e = it.next();
            if (detectedAt(e.key) < sinceMs) {
                continue;
            }
            FinWait2Anomaly a = FinwatchSerde.shared().decode(e.value, FinWait2Anomaly.class);
            if (f.kinds().contains(a.getKind()) && f.matchesWorkload(a)) {
                out.add(view(a, stale));
            }
        }
        out.sort(Orderings.ANOMALIES);
        return out.size() > f.limit() ? new ArrayList<>(out.subList(0, f.limit())) : out;
    }

    /** The key's 13-digit epoch-ms field: filtering by it spares decoding what is too old. */
    private static long detectedAt(String key) {
        int first = key.indexOf(StoreKeys.SEP);
        return Long.parseLong(key.substring(first + 1, key.indexOf(StoreKeys.SEP, first + 1)));
    }

    private static AnomalyView view(FinWait2Anomaly a, boolean stale) {
        return new AnomalyView(a.getAnomalyId(), a.getKind().name(), a.getReason().name(), a.getHost(), a.getCollectorId(), a.getNetns(),
                Orderings.family(a.getFamily()), a.getLocalIp(), a.getLocalPort(), a.getRemoteIp(), a.getRemotePort(), a.getPid(), a.getComm(),
                a.getContainerId(), a.getOrphaned(), a.getEnteredAt(),
                a.getEnteredAtSource() == null ? null : a.getEnteredAtSource().name(), a.getDeadline(), a.getReapAt(), a.getDetectedAt(), a.getDwellMs(), a.getFinTimeoutS(),
                a.getToState() == null ? null : a.getToState().name(), a.getLastHeardAt(), stale,
                a.getShutdown() == null ? null : a.getShutdown().name(), a.getRecvQ(), a.getSendQ(), pod(a.getPod()),
                a.getState() == null ? null : a.getState().name(), a.getVerdict() == null ? null : a.getVerdict().name(),
                a.getEvidence(), PeerView.of(a.getPeer(), null));
    }

    private static AnomalyView.PodView pod(PodIdentity p) {
        return p == null ? null : new AnomalyView.PodView(p.getPodUid(), p.getPodName(), p.getK8sNamespace(), p.getContainerName(),
                p.getWorkloadKind(), p.getWorkloadName());
    }
}
