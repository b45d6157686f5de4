package io.finwatch.collector.socket;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A table's rows counted per state and per namespace, kept up to date as rows come and go: a poll between whole
 * reads must know them without walking the rows it did not read.
 */
final class RowTally {
    private final int[] perState;
    private final Map<Long, int[]> perNetns;
    private int finWait2Orphaned;
    private int total;
    /** Highest ordinal any row has had: an upper bound, not lowered when that row goes. */
    private int maxOrdinal;
    /** Rows arrive one namespace at a time: the last one's counter, so most rows look nothing up. */
    private long lastNetns;
    private int[] lastCount;

    RowTally() {
        perState = new int[TcpState.values().length];
        perNetns = new HashMap<>();
    }

    private RowTally(RowTally from) {
        perState = from.perState.clone();
        perNetns = new HashMap<>(from.perNetns.size() * 2);
        from.perNetns.forEach((netns, n) -> perNetns.put(netns, n.clone()));
        finWait2Orphaned = from.finWait2Orphaned;
        total = from.total;
        maxOrdinal = from.maxOrdinal;
    }

    RowTally copy() {
        return new RowTally(this);
    }

    void add(SocketRow row) {
        count(row, 1);
        maxOrdinal = Math.max(maxOrdinal, row.key().ordinal());
    }

    void remove(SocketRow row) {
        count(row, -1);
    }

    private void count(SocketRow row, int by) {
        perState[row.state().ordinal()] += by;
        if (row.state() == TcpState.FIN_WAIT2 && row.orphaned()) {
            finWait2Orphaned += by;
        }
        total += by;
        long netns = row.key().netns();
        if (lastCount == null || lastNetns != netns) {
            lastCount = perNetns.computeIfAbsent(netns, n -> new int[1]);
            lastNetns = netns;
        }
        lastCount[0] += by;
    }

    int total() {
        return total;
    }

    int of(TcpState state) {
        return perState[state.ordinal()];
    }

    int finWait2Orphaned() {
        return finWait2Orphaned;
    }

    int in(long netns) {
        int[] n = perNetns.get(netns);
        return n == null ? 0 : n[0];
    }

    int maxOrdinal() {
        return maxOrdinal;
    }

    Set<Long> namespaces() {
        Set<Long> out = new HashSet<>();
        perNetns.forEach((netns, n) -> {
            if (n[0] > 0) {
                out.add(netns);
            }
        });
        return out;
    }
}
