package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The owner each orphan had while attached: once its inode is 0, /proc no longer says who held it, so the
 * owner seen at the last poll that showed it attached is kept, with that poll's time, until the socket goes.
 *
 * <p>Not thread-safe: one poll loop owns it.
 */
final class LastOwners {
    private Map<SocketKey, LastOwner> byKey = new HashMap<>();
    private Instant previousObservedAt;

    /**
     * Takes one poll's changes, before the owner index forgets the inodes they orphaned or ended.
     *
     * @param ownersBefore the owners as of the previous poll (null when attribution is off)
     * @return the last owners of this poll's orphans, and of the sockets that went away in it, so that their
     *         GONE events can still name the process
     */
    Map<SocketKey, LastOwner> apply(List<SocketChange> changes, SocketTable table, LongFunction<Owner> ownersBefore,
                                    Instant observedAt) {
        Map<SocketKey, LastOwner> gone = new HashMap<>();
        Map<SocketKey, LastOwner> next = new HashMap<>(byKey.size() + 16);
        for (Map.Entry<SocketKey, LastOwner> e : byKey.entrySet()) {
            SocketRow row = table.get(e.getKey());
            if (row != null && row.inode() == 0) {
                next.put(e.getKey(), e.getValue());
            }
        }
        if (ownersBefore != null) {
            for (SocketChange c : changes) {
                SocketRow before = c.before();
                SocketRow after = c.after();
                if (before != null && before.inode() != 0 && (after == null || after.inode() == 0)) {
                    // The inode was live in the previous poll, so its owner (if any) was resolved then.
                    Owner o = ownersBefore.apply(before.inode());
                    if (o != null) {
                        (after == null ? gone : next).put(c.key(), new LastOwner(o, previousObservedAt));
                    }
                } else if (before != null && after == null && byKey.containsKey(c.key())) {
                    gone.put(c.key(), byKey.get(c.key()));
                }
            }
        }
        byKey = next;
        previousObservedAt = observedAt;
        gone.putAll(next);
        return gone;
    }
}
