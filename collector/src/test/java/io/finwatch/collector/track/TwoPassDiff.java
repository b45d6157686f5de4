package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;

import java.util.ArrayList;
import java.util.List;

/**
 * The changes between two whole socket tables, written as plainly as possible: the specification
 * {@link IncrementalDiff} is held to ({@code IncrementalDiffProperties}).
 *
 * <p>A key (netns, tuple, ordinal) is one connection for as long as its inode stays the same, or drops to 0
 * because the owner closed it (the socket lives on, orphaned). Any other inode change means the tuple was
 * reused by a new connection between polls: the old one is reported GONE and the new one FIRST_SEEN, so a
 * long-lived FIN_WAIT2 is never confused with a fresh one. Timer and queue movements are not changes.
 */
final class TwoPassDiff {
    private TwoPassDiff() {
    }

    /**
     * Every change from {@code prev} to {@code next}. For one key, GONE comes before FIRST_SEEN, so applying
     * the changes in list order to {@code prev} yields {@code next}. Equal inputs give equal lists.
     */
    static List<SocketChange> diff(SocketTable prev, SocketTable next) {
        List<SocketChange> changes = new ArrayList<>();
        for (SocketRow before : prev.rows()) {
            if (!next.contains(before.key())) {
                changes.add(SocketChange.gone(before));
            }
        }
        for (SocketRow after : next.rows()) {
            SocketRow before = prev.get(after.key());
            if (before == null) {
                changes.add(SocketChange.firstSeen(after));
            } else if (!sameConnection(before, after)) {
                changes.add(SocketChange.gone(before));
                changes.add(SocketChange.firstSeen(after));
            } else if (before.state() != after.state() || (!before.orphaned() && after.orphaned())) {
                changes.add(SocketChange.changed(before, after));
            }
        }
        return changes;
    }

    /** Rows with the same key: the same connection unless the inode shows the tuple was reused. */
    private static boolean sameConnection(SocketRow before, SocketRow after) {
        return before.inode() == after.inode() || (before.inode() != 0 && after.inode() == 0);
    }
}
