package io.finwatch.streams.detect;

import io.finwatch.schemas.state.HostNamespace;
import io.finwatch.schemas.state.HostStatus;
import io.finwatch.streams.state.EarlierForms;
import io.finwatch.streams.state.StoreValueSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HostSummary as a HostStatus record: written at every heartbeat of every host. State counts are read back into a
 * map sorted by state name, as the detector builds them.
 */
public final class HostSummarySerde extends StoreValueSerde<HostSummary, HostStatus> {

    public HostSummarySerde() {
        super(HostSummary.class, HostStatus.class);
    }

    @Override
    protected HostStatus toRecord(HostSummary h) {
        HostStatus r = new HostStatus();
        r.setHost(h.host());
        r.setCollectorId(h.collectorId());
        r.setCollectorVersion(h.collectorVersion());
        r.setStartedAt(h.startedAt());
        r.setLastHeardAt(h.lastHeardAt());
        r.setIntervalMs(h.intervalMs());
        r.setStateCounts(h.stateCounts() == null ? Map.of() : h.stateCounts());
        List<HostNamespace> namespaces = new ArrayList<>(h.namespaces() == null ? 0 : h.namespaces().size());
        if (h.namespaces() != null) {
            for (HostSummary.NamespaceSummary ns : h.namespaces()) {
                HostNamespace n = new HostNamespace();
                n.setNetns(ns.netns());
                n.setFinTimeoutS(ns.finTimeoutS());
                n.setFinTimeoutSource(ns.finTimeoutSource());
                n.setSockets(ns.sockets());
                namespaces.add(n);
            }
        }
        r.setNamespaces(namespaces);
        r.setFinWait2Attached(h.finWait2Attached());
        r.setFinWait2Orphaned(h.finWait2Orphaned());
        r.setSocketsSeen(h.socketsSeen());
        r.setParseErrors(h.parseErrors());
        r.setReadErrors(h.readErrors());
        r.setShedEvents(h.shedEvents());
        r.setSilent(h.silent());
        r.setSilentSince(h.silentSince());
        r.setParked(h.parked());
        r.setLastSeq(h.lastSeq());
        r.setSweepBelowSeq(h.sweepBelowSeq());
        return r;
    }

    @Override
    protected HostSummary fromRecord(HostStatus r) {
        List<HostSummary.NamespaceSummary> namespaces = new ArrayList<>(r.getNamespaces().size());
        for (HostNamespace n : r.getNamespaces()) {
            namespaces.add(new HostSummary.NamespaceSummary(n.getNetns(), n.getFinTimeoutS(), n.getFinTimeoutSource(), n.getSockets()));
        }
        return new HostSummary(r.getHost(), r.getCollectorId(), r.getCollectorVersion(), r.getStartedAt(), r.getLastHeardAt(),
                r.getIntervalMs(), new TreeMap<>(r.getStateCounts()), namespaces, r.getFinWait2Attached(), r.getFinWait2Orphaned(),
                r.getSocketsSeen(), r.getParseErrors(), r.getReadErrors(), r.getShedEvents(), r.getSilent(), r.getSilentSince(),
                r.getParked(), r.getLastSeq(), r.getSweepBelowSeq());
    }

    @Override
    protected HostSummary readEarlierForm(byte[] bytes) {
        return EarlierForms.read(bytes, HostSummary.class, in -> {
            String host = in.getString();
            String collectorId = in.getString();
            String version = in.getString();
            long startedAt = in.getLong();
            long lastHeardAt = in.getLong();
            long intervalMs = in.getLong();
            Map<String, Long> states = new TreeMap<>();
            for (int i = in.getCount(); i > 0; i--) {
                states.put(in.getString(), in.getLong());
            }
            int n = in.getCount();
            List<HostSummary.NamespaceSummary> namespaces = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                namespaces.add(new HostSummary.NamespaceSummary(in.getLong(), in.getInt(), in.getString(), in.getLong()));
            }
            return new HostSummary(host, collectorId, version, startedAt, lastHeardAt, intervalMs, states, namespaces, in.getLong(),
                    in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getBoolean(), in.getNullableLong(),
                    in.getBoolean(), in.getLong(), in.getNullableLong());
        });
    }
}
