package io.finwatch.streams.detect;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.streams.config.StreamsSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-host heartbeat summary and collector liveness.
 *
 * <p>Clock assumption: a heartbeat's observed_at is the collector's wall clock and is compared with this
 * instance's wall clock. Hosts are expected to be NTP-synchronised; a host whose clock runs behind by more
 * than silence-after looks silent, one running ahead looks alive a little longer.
 *
 * <p>A host is <em>fresh</em> while its newest heartbeat is younger than its silence-after. STUCK is raised
 * only for fresh hosts (or hosts never heard from at all): while the collector is not heard, nobody checks
 * its sockets, and a deadline passing means nothing. COLLECTOR_SILENT itself needs more care, because a
 * detector that was down sees every host as quiet until it has read the backlog: it is only raised once
 * this task is caught up, meaning it has processed a fresh heartbeat from any host, or it has run for a whole
 * silence-after.
 */
final class HostTracker {

    private final KeyValueStore<String, HostSummary> store;
    private final StreamsSettings settings;
    private final Map<String, HostSummary> hosts = new HashMap<>();
    /**
     * Per host, the collector's time (observed_at) up to which this task has read its transitions: that of the
     * heartbeat before the newest. A poll's transitions and its heartbeat are on two topics; once a later heartbeat is
     * read, that poll's transitions surely are too. In memory only: after a restart it is known again two heartbeats on.
     */
    private final Map<String, Long> readThrough = new HashMap<>();
    private final long startedAt;
    private boolean caughtUp;

    HostTracker(KeyValueStore<String, HostSummary> store, StreamsSettings settings, long now) {
        this.store = store;
        this.settings = settings;
        this.startedAt = now;
        try (KeyValueIterator<String, HostSummary> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, HostSummary> e = it.next();
                hosts.put(e.key, e.value);
            }
        }
    }

    /** The host's poll interval from its newest heartbeat, or the default before any. */
    long intervalMs(String host) {
        HostSummary h = hosts.get(host);
        return h == null ? settings.defaultInterval().toMillis() : h.intervalMs();
    }

    /**
     * Takes a heartbeat.
     *
     * @return whether the host came back from a stretch in which some of its deadlines were parked (the caller
     *         re-arms them), and whether episodes a restarted collector did not re-report are to be ended
     */
    HeartbeatOutcome onHeartbeat(CollectorHeartbeat hb, long now) {
        String host = hb.getHost();
        long observed = hb.getObservedAt().toEpochMilli();
        HostSummary prev = hosts.get(host);
        HostSummary next;
        Long sweepBelow = null;
        if (prev == null || observed > prev.lastHeardAt()) {
            next = summary(hb, prev);
            if (prev != null) {
                readThrough.put(host, prev.lastHeardAt());
            }
            if (prev != null && prev.sweepBelowSeq() != null) {
                // Marked at an earlier heartbeat; by now the transitions it waited for have surely been processed.
                sweepBelow = prev.sweepBelowSeq();
                next = next.withSweep(null);
            }
            if (hb.getFullTableFromSeq() != null) {
                // The poll behind this heartbeat reported every socket it saw, from that seq on (a collector start, or
                // its re-send after shedding): whatever the host had open and that poll left out is gone. Judge it at
                // the next heartbeat, by when that poll's transitions (another topic) have surely been processed.
                next = next.withSweep(hb.getFullTableFromSeq() - 1);
            } else if (prev != null && hb.getStartedAt().toEpochMilli() != prev.startedAt()) {
                // A new run of a collector older than the marker (schema v1). Its first poll reported every socket
                // as first seen, one event each, just before this heartbeat: every event of the old run has a seq
                // below seq - sockets_seen.
                next = next.withSweep(hb.getSeq() - hb.getSocketsSeen() - 1);
            }
        } else {
            // Older than what we have (a late re-send): the newest heartbeat stays the summary and the clock.
            next = prev;
        }
        boolean fresh = now - observed <= settings.silenceAfterMs(hb.getIntervalMs());
        boolean resumed = false;
        if (fresh) {
            caughtUp = true;
            resumed = next.parked();
            if (next.silent() || next.parked()) {
                next = next.withLiveness(false, null, false);
            }
        }
        if (next != prev) {
            hosts.put(host, next);
            store.put(host, next);
        }
        return new HeartbeatOutcome(resumed, sweepBelow);
    }

    /**
     * @param resumed        the host is heard again after deadlines were parked
     * @param sweepBelowSeq  when not null: end the host's episodes last reported at or below this seq
     */
    record HeartbeatOutcome(boolean resumed, Long sweepBelowSeq) {
    }

    /**
     * Whether this task has read what the host's collector saw up to {@code at} (its clock), so that a socket it has
     * not been told of as gone was still there then. True for a host never heard from, which only the wall clock
     * judges, as {@link #isFresh} does.
     */
    boolean hasReadThrough(String host, long at) {
        return !hosts.containsKey(host) || readThrough.getOrDefault(host, Long.MIN_VALUE) >= at;
    }

    /** Whether a STUCK may be raised for the host now. */
    boolean isFresh(String host, long now) {
        HostSummary h = hosts.get(host);
        return h == null || now - h.lastHeardAt() <= settings.silenceAfterMs(h.intervalMs());
    }

    /** Remembers that a deadline of the host came due while it was not heard. */
    void park(String host) {
        HostSummary h = hosts.get(host);
        if (h != null && !h.parked()) {
            HostSummary next = h.withLiveness(h.silent(), h.silentSince(), true);
            hosts.put(host, next);
            store.put(host, next);
        }
    }

    /** Raises COLLECTOR_SILENT once for every host that went quiet. */
    void checkSilence(long now, AnomalyOutput out) {
        if (!caughtUp && now - startedAt < settings.silenceAfterMs(settings.defaultInterval().toMillis())) {
            return;
        }
        caughtUp = true;
        List<HostSummary> quiet = new ArrayList<>();
        for (HostSummary h : hosts.values()) {
            if (!h.silent() && now - h.lastHeardAt() > settings.silenceAfterMs(h.intervalMs())) {
                quiet.add(h);
            }
        }
        for (HostSummary h : quiet) {
            HostSummary next = h.withLiveness(true, now, h.parked());
            hosts.put(h.host(), next);
            store.put(h.host(), next);
            out.emit(Anomalies.silent(h.host(), h.collectorId(), h.lastHeardAt(), now));
        }
    }

    /**
     * When {@link #checkSilence} next has a host to declare silent if nothing is heard before (epoch ms), or
     * {@link Long#MAX_VALUE} when no host is being heard.
     */
    long nextSilenceAt() {
        long next = caughtUp ? Long.MAX_VALUE : startedAt + settings.silenceAfterMs(settings.defaultInterval().toMillis());
        for (HostSummary h : hosts.values()) {
            if (!h.silent()) {
                next = Math.min(next, h.lastHeardAt() + settings.silenceAfterMs(h.intervalMs()) + 1);
            }
        }
        return next;
    }

    /** The hosts held silent now, each with when it was last heard (epoch ms). */
    Map<String, Long> silentLastHeard() {
        Map<String, Long> out = null;
        for (HostSummary h : hosts.values()) {
            if (h.silent()) {
                if (out == null) {
                    out = new HashMap<>();
                }
                out.put(h.host(), h.lastHeardAt());
            }
        }
        return out == null ? Map.of() : out;
    }

    private static HostSummary summary(CollectorHeartbeat hb, HostSummary prev) {
        Map<String, Long> states = new TreeMap<>();
        hb.getStateCounts().forEach((k, v) -> states.put(k, v));
        List<HostSummary.NamespaceSummary> namespaces = new ArrayList<>(hb.getNamespaces().size());
        for (NamespaceInfo ns : hb.getNamespaces()) {
            namespaces.add(new HostSummary.NamespaceSummary(ns.getNetns(), ns.getFinTimeoutS(), String.valueOf(ns.getFinTimeoutSource()),
                    ns.getSockets()));
        }
        return new HostSummary(hb.getHost(), hb.getCollectorId(), hb.getCollectorVersion(), hb.getStartedAt().toEpochMilli(),
                hb.getObservedAt().toEpochMilli(), hb.getIntervalMs(), states, namespaces, hb.getFinWait2Attached(),
                hb.getFinWait2Orphaned(), hb.getSocketsSeen(), hb.getParseErrors(), hb.getReadErrors(), hb.getShedEvents(),
                prev != null && prev.silent(), prev == null ? null : prev.silentSince(), prev != null && prev.parked(),
                hb.getSeq(), prev == null ? null : prev.sweepBelowSeq());
    }
}
