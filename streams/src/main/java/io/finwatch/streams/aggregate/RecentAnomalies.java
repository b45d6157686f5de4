package io.finwatch.streams.aggregate;

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
 * <p>The count bound is kept on insert with a per-host count the task learns from one prefix scan the first
 * time it sees the host (so it is right after a restore), the age bound by a periodic sweep.
 */
public final class RecentAnomalies {

    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, byte[]> store;
    private final int perHost;
    private final long retentionMs;
    private final FinwatchSerde serde = FinwatchSerde.shared();
    private final Map<String, Integer> counts = new HashMap<>();

    public RecentAnomalies(KeyValueStore<String, byte[]> store, int perHost, long retentionMs) {
        this.store = store;
        this.perHost = perHost;
        this.retentionMs = retentionMs;
    }

    public void add(FinWait2Anomaly anomaly) {
        String host = anomaly.getHost();
        String key = StoreKeys.recentAnomaly(host, anomaly.getDetectedAt().toEpochMilli(), anomaly.getAnomalyId());
        int count = counts.computeIfAbsent(host, this::countStored);
        if (store.get(key) == null) {
            count++;
        }
        store.put(key, serde.encode(anomaly));
        while (count > perHost) {
            String oldest = firstKey(host);
            if (oldest == null) {
                break;
            }
            store.delete(oldest);
            count--;
        }
        counts.put(host, count);
    }

    /** Drops anomalies detected before {@code now - retention}. */
    public void expire(long now) {
        long cutoff = now - retentionMs;
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> e = it.next();
                if (detectedAt(e.key) < cutoff) {
                    old.add(e.key);
                }
            }
        }
        for (String key : old) {
            store.delete(key);
            counts.computeIfPresent(hostOf(key), (h, c) -> c - 1);
        }
    }

    private int countStored(String host) {
        int n = 0;
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private String firstKey(String host) {
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            return it.hasNext() ? it.next().key : null;
        }
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
