package io.finwatch.streams.query;

import io.finwatch.common.http.Quote;
import io.finwatch.streams.detect.HostSummary;
import io.finwatch.streams.detect.OpenCounts;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/** Host summaries of one partition: the newest heartbeat joined with the detector's open FIN_WAIT2 counts. */
public final class HostReader {

    private HostReader() {
    }

    /** Every host of the partition that sent a heartbeat or has an open FIN_WAIT2 episode. */
    public static List<HostView> all(PartitionStores s) {
        Map<String, HostSummary> summaries = new TreeMap<>();
        try (KeyValueIterator<String, HostSummary> it = s.<HostSummary>keyValue(StoreNames.HOSTS).all()) {
            while (it.hasNext()) {
                KeyValue<String, HostSummary> e = it.next();
                summaries.put(e.key, e.value);
            }
        }
        Map<String, OpenCounts> counts = new HashMap<>();
        try (KeyValueIterator<String, OpenCounts> it = s.<OpenCounts>keyValue(StoreNames.OPEN_FIN_WAIT2_HOSTS).all()) {
            while (it.hasNext()) {
                KeyValue<String, OpenCounts> e = it.next();
                counts.put(e.key, e.value);
                summaries.putIfAbsent(e.key, null);
            }
        }
        List<HostView> out = new ArrayList<>(summaries.size());
        summaries.forEach((host, summary) -> out.add(view(host, summary, counts.getOrDefault(host, OpenCounts.NONE), s.stale())));
        return out;
    }

    /** True when the detector knows the host: a heartbeat, an open episode or an ended one. */
    public static boolean known(PartitionStores s, String host) {
        return s.<HostSummary>keyValue(StoreNames.HOSTS).get(StoreKeys.host(host)) != null
                || s.<OpenCounts>keyValue(StoreNames.OPEN_FIN_WAIT2_HOSTS).get(StoreKeys.host(host)) != null
                || s.<byte[]>keyValue(StoreNames.DWELL_ALL_TIME).get(StoreKeys.host(host)) != null;
    }

    /** @throws ApiException 404 when the host is unknown */
    public static void requireKnown(PartitionStores s, String host) {
        if (!known(s, host)) {
            throw ApiException.notFound("host '" + Quote.prefix(host) + "' is unknown: no heartbeat and no FIN_WAIT2 episode of it was seen");
        }
    }

    private static HostView view(String host, HostSummary h, OpenCounts open, boolean stale) {
        if (h == null) {
            return new HostView(host, null, open.total(), open.attached(), open.orphaned(), null, null, null, null, null, null, false, null,
                    stale);
        }
        List<HostView.NamespaceView> ns = h.namespaces() == null ? List.of() : h.namespaces().stream()
                .map(n -> new HostView.NamespaceView(n.netns(), n.finTimeoutS(), n.finTimeoutSource(), n.sockets())).toList();
        return new HostView(host, Instant.ofEpochMilli(h.lastHeardAt()), open.total(), open.attached(), open.orphaned(), ns,
                h.stateCounts() == null ? Map.of() : new TreeMap<>(h.stateCounts()), h.socketsSeen(), h.collectorId(),
                h.collectorVersion(), h.intervalMs(), h.silent(), h.silentSince() == null ? null : Instant.ofEpochMilli(h.silentSince()),
                stale);
    }
}
