package io.finwatch.collector.track;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One poll's conntrack results: the entries each of its changes carries, and the lookups' counters so far.
 * A change of a socket outside a closing episode, or one whose lookups no table answered, carries null.
 */
public final class ConntrackView {
    /** Lookups off. */
    public static final ConntrackView NONE = new ConntrackView(new IdentityHashMap<>(), ConntrackStats.NONE);

    private final Map<SocketChange, List<ConntrackEntry>> byChange;
    private final ConntrackStats stats;

    ConntrackView(Map<SocketChange, List<ConntrackEntry>> byChange, ConntrackStats stats) {
        this.byChange = byChange;
        this.stats = stats;
    }

    /** The entries for this change's socket: empty when looked up and none found; null when not looked up. */
    public List<ConntrackEntry> entriesOf(SocketChange change) {
        return byChange.get(change);
    }

    public ConntrackStats stats() {
        return stats;
    }
}
