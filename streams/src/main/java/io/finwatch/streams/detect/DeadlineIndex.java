package io.finwatch.streams.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Open episodes not yet STUCK, ordered by when they come due, so everything due by now is read from the front
 * however many sockets are open.
 *
 * <p>Held in memory only: it is the connections store's (fire time, key) of every entry that has not raised its
 * STUCK, so {@link ConnectionTracker} rebuilds it from that store whenever its task starts (after any restore),
 * and entries that came due while the detector was down fire after it restarts. A store of its own had cost a
 * changelog write at the commit after an episode began and another after it ended. One difference from such a
 * store: deadlines parked while their host was not heard are back in the index after a restart, and park again
 * at the first punctuation if the host is still not heard.
 */
final class DeadlineIndex {

    record Due(long fireAt, String connectionKey) {
    }

    private static final Comparator<Due> ORDER = Comparator.comparingLong(Due::fireAt).thenComparing(Due::connectionKey);

    private final TreeSet<Due> entries = new TreeSet<>(ORDER);

    void add(long fireAt, String connectionKey) {
        entries.add(new Due(slot(fireAt), connectionKey));
    }

    void remove(long fireAt, String connectionKey) {
        entries.remove(new Due(slot(fireAt), connectionKey));
    }

    /** When the earliest entry comes due, epoch ms; {@link Long#MAX_VALUE} when there is none. */
    long first() {
        return entries.isEmpty() ? Long.MAX_VALUE : entries.first().fireAt();
    }

    /** Up to {@code limit} entries due at or before {@code now}, earliest first. */
    List<Due> due(long now, int limit) {
        List<Due> out = new ArrayList<>();
        Iterator<Due> it = entries.iterator();
        while (it.hasNext() && out.size() < limit) {
            Due d = it.next();
            if (d.fireAt() > now) {
                break;
            }
            out.add(d);
        }
        return out;
    }

    /** Where an entry firing at {@code fireAt} sits: a time before 1970 (a collector clock gone wrong) sorts first, not last. */
    static long slot(long fireAt) {
        return Math.max(0, fireAt);
    }
}
