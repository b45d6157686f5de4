package io.finwatch.streams.detect;

import io.finwatch.streams.serde.CompactSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HostSummary in the compact store form: written at every heartbeat of every host, where JSON had been a few
 * percent of the stream thread. State counts are read back into a map sorted by state name, as the detector
 * builds them.
 */
public final class HostSummarySerde extends CompactSerde<HostSummary> {

    public HostSummarySerde() {
        super(HostSummary.class);
    }

    @Override
    protected void write(HostSummary h, Out out) {
        out.putString(h.host());
        out.putString(h.collectorId());
        out.putString(h.collectorVersion());
        out.putLong(h.startedAt());
        out.putLong(h.lastHeardAt());
        out.putLong(h.intervalMs());
        out.putInt(h.stateCounts().size());
        for (Map.Entry<String, Long> e : h.stateCounts().entrySet()) {
            out.putString(e.getKey());
            out.putLong(e.getValue());
        }
        out.putInt(h.namespaces().size());
        for (HostSummary.NamespaceSummary ns : h.namespaces()) {
            out.putLong(ns.netns());
            out.putInt(ns.finTimeoutS());
            out.putString(ns.finTimeoutSource());
            out.putLong(ns.sockets());
        }
        out.putLong(h.finWait2Attached());
        out.putLong(h.finWait2Orphaned());
        out.putLong(h.socketsSeen());
        out.putLong(h.parseErrors());
        out.putLong(h.readErrors());
        out.putLong(h.shedEvents());
        out.putBoolean(h.silent());
        out.putNullableLong(h.silentSince());
        out.putBoolean(h.parked());
        out.putLong(h.lastSeq());
        out.putNullableLong(h.sweepBelowSeq());
    }

    @Override
    protected HostSummary read(In in) {
        String host = in.getString();
        String collectorId = in.getString();
        String version = in.getString();
        long startedAt = in.getLong();
        long lastHeardAt = in.getLong();
        long intervalMs = in.getLong();
        Map<String, Long> states = new TreeMap<>();
        for (int i = count(in); i > 0; i--) {
            states.put(in.getString(), in.getLong());
        }
        int n = count(in);
        List<HostSummary.NamespaceSummary> namespaces = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            namespaces.add(new HostSummary.NamespaceSummary(in.getLong(), in.getInt(), in.getString(), in.getLong()));
        }
        return new HostSummary(host, collectorId, version, startedAt, lastHeardAt, intervalMs, states, namespaces, in.getLong(),
                in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getBoolean(), in.getNullableLong(), in.getBoolean(),
                in.getLong(), in.getNullableLong());
    }

    private static int count(In in) {
        int n = in.getInt();
        if (n < 0) {
            throw new IllegalArgumentException("negative count " + n);
        }
        return n;
    }
}
