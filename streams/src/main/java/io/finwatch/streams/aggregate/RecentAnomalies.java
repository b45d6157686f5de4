package io.finwatch.streams.aggregate;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.state.StoreKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The last anomalies of every host, bounded by count per host and by age.
 *
 * <p>When a host is over its bound, the anomaly that goes is the oldest of the owner (pod, else process) that holds
 * the most of the host's entries. One process leaking thousands of sockets then pushes out only its own history:
 * the STUCK of a second, quieter leak on the same node stays readable, which is the one an on-call engineer has not
 * seen yet. Each host's counts by owner are learnt from one prefix scan the first time the task sees the host (so
 * they are right after a restore); the age bound is kept by a periodic sweep.
 */
public final class RecentAnomalies {

    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, byte[]> store;
    private final int perHost;
    private final long retentionMs;
    private final FinwatchSerde serde = FinwatchSerde.shared();
    /** Per host, how many of its stored anomalies each owner has. */
    private final Map<String, Map<String, Integer>> owners = new HashMap<>();

    public RecentAnomalies(KeyValueStore<String, byte[]> store, int perHost, long retentionMs) {
        this.store = store;
        this.perHost = perHost;
        this.retentionMs = retentionMs;
    }

    public void add(FinWait2Anomaly anomaly) {
        String host = anomaly.getHost();
        String key = StoreKeys.recentAnomaly(host, anomaly.getDetectedAt().toEpochMilli(), anomaly.getAnomalyId());
        Map<String, Integer> counts = owners.computeIfAbsent(host, this::load);
        if (store.get(key) == null) {
            counts.merge(ownerOf(anomaly), 1, Integer::sum);
        }
        store.put(key, serde.encode(anomaly));
        int size = counts.values().stream().mapToInt(Integer::intValue).sum();
        for (; size > perHost; size--) {
            evictOne(host, counts);
        }
    }

    /** Drops anomalies detected before {@code now - retention}. */
    public void expire(long now) {
        long cutoff = now - retentionMs;
        List<KeyValue<String, byte[]>> old = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> e = it.next();
                if (detectedAt(e.key) < cutoff) {
                    old.add(e);
                }
            }
        }
        for (KeyValue<String, byte[]> e : old) {
            store.delete(e.key);
            Map<String, Integer> counts = owners.get(hostOf(e.key));
            if (counts != null) {
                uncount(counts, ownerOf(serde.decode(e.value, FinWait2Anomaly.class)));
            }
        }
    }

    /**
     * Deletes the host's oldest anomaly among those of the owners with the most. The flooding owner's entries are
     * most of the oldest ones, so the scan is short where it runs most.
     */
    private void evictOne(String host, Map<String, Integer> counts) {
        int most = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> e = it.next();
                String owner = ownerOf(serde.decode(e.value, FinWait2Anomaly.class));
                if (counts.getOrDefault(owner, 0) == most) {
                    store.delete(e.key);
                    uncount(counts, owner);
                    return;
                }
            }
        }
    }

    private static void uncount(Map<String, Integer> counts, String owner) {
        counts.computeIfPresent(owner, (o, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Whose anomaly it is, within its host: the pod when known (its processes come and go), else the process, else
     * the orphans as one owner; a silent collector is its own.
     */
    static String ownerOf(FinWait2Anomaly a) {
        if (a.getKind() == AnomalyKind.COLLECTOR_SILENT) {
            return "collector";
        }
        if (a.getPod() != null && a.getPod().getPodUid() != null) {
            return "pod " + a.getPod().getPodUid();
        }
        if (a.getPid() != null) {
            return "pid " + a.getPid() + " " + a.getComm();
        }
        return "no process";
    }

    private Map<String, Integer> load(String host) {
        Map<String, Integer> counts = new HashMap<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                counts.merge(ownerOf(serde.decode(it.next().value, FinWait2Anomaly.class)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static String hostOf(String key) {
        return key.substring(0, key.indexOf(StoreKeys.SEP));
    }

    private static long detectedAt(String key) {
        int first = key.indexOf(StoreKeys.SEP);
        int second = key.indexOf(StoreKeys.SEP, first + 1);
        return Long.parseLong(key.substring(first + 1, second));
    }
}
