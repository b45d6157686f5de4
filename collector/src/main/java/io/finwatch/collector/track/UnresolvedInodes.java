package io.finwatch.collector.track;

import io.finwatch.collector.track.InodeGroup.Member;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live inodes nobody was found holding, per namespace, and when each namespace is due to be searched
 * again: {@code retry} after its last search, unless a scan of it for another reason comes first.
 *
 * <p>Not thread-safe: one poll loop owns it.
 */
final class UnresolvedInodes {
    private final Duration retry;
    /** Never holds an empty group. */
    private final Map<Long, InodeGroup> byNetns = new HashMap<>();
    /** Per namespace with unresolved inodes: when it was last searched. */
    private final Map<Long, Instant> searchedAt = new HashMap<>();

    UnresolvedInodes(Duration retry) {
        this.retry = retry;
    }

    /**
     * Puts inodes into their namespace's group. {@code searched}: the namespace was searched just now, which
     * restarts its retry interval; otherwise an interval already running is kept.
     */
    void park(long netns, List<Member> members, Instant now, boolean searched) {
        if (members.isEmpty()) {
            return;
        }
        InodeGroup g = byNetns.computeIfAbsent(netns, k -> new InodeGroup(k, null));
        for (Member m : members) {
            g.add(m, -1);
        }
        if (searched) {
            searchedAt.put(netns, now);
        } else {
            searchedAt.putIfAbsent(netns, now);
        }
    }

    /** Takes every unresolved inode of a namespace out, to be searched for; they are in no group after. */
    List<Member> take(long netns) {
        InodeGroup g = byNetns.remove(netns);
        searchedAt.remove(netns);
        return g == null ? List.of() : g.removeAll();
    }

    /** Called when a group of this index became empty. */
    void dropped(InodeGroup g) {
        byNetns.remove(g.netns);
        searchedAt.remove(g.netns);
    }

    /** The namespaces whose retry interval has run out. */
    List<Long> due(Instant now) {
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, Instant> e : searchedAt.entrySet()) {
            if (!now.isBefore(e.getValue().plus(retry))) {
                due.add(e.getKey());
            }
        }
        return due;
    }

    int size() {
        int n = 0;
        for (InodeGroup g : byNetns.values()) {
            n += g.size();
        }
        return n;
    }
}
