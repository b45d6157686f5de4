package io.finwatch.streams.query;

import io.finwatch.streams.aggregate.DwellHistogramCodec;
import io.finwatch.streams.aggregate.DwellStats;
import io.finwatch.streams.detect.OpenCounts;
import io.finwatch.streams.query.QueryParams.TopBy;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * Processes of one partition: open FIN_WAIT2 counts ({@code host|pid|comm} keys of the open-counts store) joined
 * with the dwell histograms of the window, merged over the tumbling windows it covers.
 */
public final class ProcessReader {

    private static final StringSerializer KEYS = new StringSerializer();
    /** Above every character of a host, pid or comm, so {@code host|} .. {@code host|\uffff} is one host's processes. */
    private static final String LAST = "\uffff";

    private ProcessReader() {
    }

    /** One host's processes, sorted by attached then p99. */
    public static List<ProcessView> ofHost(PartitionStores s, String host, DwellWindow window, Instant now) {
        String prefix = StoreKeys.hostPrefix(host);
        Map<String, OpenCounts> open = new HashMap<>();
        try (KeyValueIterator<String, OpenCounts> it = s.<OpenCounts>keyValue(StoreNames.OPEN_FIN_WAIT2).prefixScan(prefix, KEYS)) {
            it.forEachRemaining(e -> {
                if (isProcessKey(e.key)) {
                    open.put(e.key, e.value);
                }
            });
        }
        Map<String, Histogram> dwell = new HashMap<>();
        if (window.allTime()) {
            try (KeyValueIterator<String, byte[]> it = s.<byte[]>keyValue(StoreNames.DWELL_ALL_TIME).prefixScan(prefix, KEYS)) {
                it.forEachRemaining(e -> {
                    if (isProcessKey(e.key)) {
                        merge(dwell, e.key, e.value);
                    }
                });
            }
        } else {
            ReadOnlyWindowStore<String, byte[]> store = s.window(window.store());
            try (KeyValueIterator<Windowed<String>, byte[]> it = store.fetch(prefix, prefix + LAST, window.from(now), now)) {
                it.forEachRemaining(e -> {
                    if (isProcessKey(e.key.key())) {
                        merge(dwell, e.key.key(), e.value);
                    }
                });
            }
        }
        List<ProcessView> out = join(open, dwell, window, s.stale());
        out.sort(Orderings.BY_ATTACHED);
        return out;
    }

    /**
     * The partition's top {@code limit} processes by {@code by}. Ranked by attached, only the processes that can
     * make the cut (at least the limit-th's attached count) have their histograms read.
     */
    public static List<ProcessView> top(PartitionStores s, TopBy by, DwellWindow window, Instant now, int limit) {
        Map<String, OpenCounts> open = new HashMap<>();
        HostKeyScan.scan(s.<OpenCounts>keyValue(StoreNames.OPEN_FIN_WAIT2), EnumSet.of(HostKeyScan.Kind.PROCESS), open::put);
        Map<String, Histogram> dwell = new HashMap<>();
        long cut = by == TopBy.ATTACHED ? cutOff(open, limit) : 0;
        if (cut > 0) {
            int processes = open.size();
            open.values().removeIf(c -> c.attached() < cut);
            if (open.size() * 4 <= processes) {
                readEach(s, open.keySet(), window, now, dwell);
            } else {
                // Most processes tie at the cut (a fleet of equal replicas): one scan beats a fetch per process.
                readAll(s, window, now, dwell, open::containsKey);
            }
        } else {
            readAll(s, window, now, dwell, ProcessReader::isProcessKey);
        }
        List<ProcessView> out = join(open, dwell, window, s.stale());
        Comparator<ProcessView> order = by == TopBy.ATTACHED ? Orderings.BY_ATTACHED : Orderings.BY_P99;
        out.sort(order);
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    /** The attached count of the limit-th process (ties included), 0 when fewer processes have any. */
    private static long cutOff(Map<String, OpenCounts> open, int limit) {
        List<Long> attached = open.values().stream().map(OpenCounts::attached).filter(a -> a > 0).sorted(Comparator.reverseOrder()).toList();
        return attached.size() < limit ? 0 : attached.get(limit - 1);
    }

    /** The histograms of the given processes only, one read each. */
    private static void readEach(PartitionStores s, Set<String> keys, DwellWindow window, Instant now, Map<String, Histogram> dwell) {
        if (window.allTime()) {
            ReadOnlyKeyValueStore<String, byte[]> store = s.keyValue(StoreNames.DWELL_ALL_TIME);
            for (String key : keys) {
                byte[] v = store.get(key);
                if (v != null) {
                    merge(dwell, key, v);
                }
            }
            return;
        }
        ReadOnlyWindowStore<String, byte[]> store = s.window(window.store());
        Instant from = window.from(now);
        for (String key : keys) {
            try (var it = store.fetch(key, from, now)) {
                it.forEachRemaining(e -> merge(dwell, key, e.value));
            }
        }
    }

    /** The histograms of the processes that {@code wanted} accepts, in one scan of the window. */
    private static void readAll(PartitionStores s, DwellWindow window, Instant now, Map<String, Histogram> dwell, Predicate<String> wanted) {
        if (window.allTime()) {
            HostKeyScan.scan(s.<byte[]>keyValue(StoreNames.DWELL_ALL_TIME), EnumSet.of(HostKeyScan.Kind.PROCESS), (key, value) -> {
                if (wanted.test(key)) {
                    merge(dwell, key, value);
                }
            });
            return;
        }
        ReadOnlyWindowStore<String, byte[]> store = s.window(window.store());
        try (KeyValueIterator<Windowed<String>, byte[]> it = store.fetchAll(window.from(now), now)) {
            it.forEachRemaining(e -> {
                String key = e.key.key();
                if (isProcessKey(key) && wanted.test(key)) {
                    merge(dwell, key, e.value);
                }
            });
        }
    }

    /** Into an auto-resizing histogram: a decoded one only covers the values it was encoded with. */
    private static void merge(Map<String, Histogram> dwell, String key, byte[] stored) {
        dwell.computeIfAbsent(key, k -> DwellHistogramCodec.empty()).add(DwellStats.decode(stored));
    }

    private static List<ProcessView> join(Map<String, OpenCounts> open, Map<String, Histogram> dwell, DwellWindow window, boolean stale) {
        Map<String, Histogram> all = new HashMap<>(dwell);
        open.keySet().forEach(k -> all.putIfAbsent(k, null));
        List<ProcessView> out = new ArrayList<>(all.size());
        all.forEach((key, h) -> out.add(view(key, open.getOrDefault(key, OpenCounts.NONE), h, window, stale)));
        return out;
    }

    private static ProcessView view(String key, OpenCounts open, Histogram h, DwellWindow window, boolean stale) {
        int first = key.indexOf(StoreKeys.SEP);
        int second = key.indexOf(StoreKeys.SEP, first + 1);
        String host = key.substring(0, first);
        String pidText = key.substring(first + 1, second);
        String comm = key.substring(second + 1);
        Integer pid = pidText.equals("-") ? null : Integer.valueOf(pidText);
        // A process whose owner was never seen is keyed host|-| : no comm either.
        String shownComm = pid == null && comm.isEmpty() ? null : comm;
        DwellStats d = h == null || h.getTotalCount() == 0 ? null : DwellStats.of(h);
        return new ProcessView(host, pid, shownComm, open.attached(), open.orphaned(), window.text(), d == null ? 0 : d.count(),
                d == null ? null : d.p50(), d == null ? null : d.p90(), d == null ? null : d.p99(), d == null ? null : d.max(), stale);
    }

    private static boolean isProcessKey(String key) {
        return HostKeyScan.kind(key) == HostKeyScan.Kind.PROCESS;
    }
}
