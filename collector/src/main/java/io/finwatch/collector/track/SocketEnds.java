package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins the kernel's destroy notifications received before a poll to what the polls saw, by socket cookie (the
 * same in dumps, notifications and the minisocket a socket turns into; never the tuple, which an abort clears).
 *
 * <p>A notification ends a <em>full</em> socket. For each one, in this order:
 * <ul>
 *   <li>the poll found the socket gone: its GONE takes the notification's time as the exact end, if the socket
 *       was last read as a full socket before the notification came (a minisocket read later is the same
 *       connection living on after its full socket was freed: its end only a poll sees);</li>
 *   <li>the socket is in the new table under its cookie: the connection lives on as a time-wait or FIN_WAIT2
 *       minisocket, and the poll reports that; the notification adds nothing;</li>
 *   <li>a recent poll already found it gone: the notification came late (the kernel builds them on a workqueue);</li>
 *   <li>else no poll ever saw it: it lived and died between two polls, and is reported as seen only at
 *       destruction, unless its tuple is in either table (a reused tuple: its GONE would read as the end of
 *       the other connection), which is counted and left out.</li>
 * </ul>
 * A socket carried over by a narrowed read that the kernel has since destroyed is reported gone at once
 * ({@link #endedSinceRead}) rather than at the next whole read.
 *
 * <p>Not thread-safe: one poll loop owns it, inside {@link HostState}.
 */
public final class SocketEnds {
    /** How many polls' GONE cookies are kept for notifications that arrive after the poll found the socket gone. */
    private static final int REMEMBERED_POLLS = 3;

    private final ArrayDeque<Set<Long>> recentlyGone = new ArrayDeque<>();
    private long destroyed;
    private long seenOnly;
    private long ambiguous;

    /** This poll's notifications by cookie (the first of a cookie wins: a cookie is destroyed once). */
    static Map<Long, SocketEnd> byCookie(List<SocketEnd> ends) {
        Map<Long, SocketEnd> out = new HashMap<>(Math.max(16, ends.size() * 2));
        for (SocketEnd e : ends) {
            if (e.cookie() != 0) {
                out.putIfAbsent(e.cookie(), e);
            }
        }
        return out;
    }

    /** Whether the kernel destroyed {@code row}'s full socket after a poll last read it. */
    static boolean endedSinceRead(Map<Long, SocketEnd> ends, SocketRow row) {
        SocketEnd end = row.cookie() == 0 ? null : ends.get(row.cookie());
        return end != null && fullSocket(row) && end.endedAtMs() > row.readAtMs();
    }

    /**
     * The poll's changes with the notifications joined in: GONEs the kernel announced carry its time; sockets seen
     * only at destruction come first (they ended before the poll read anything). {@code ends} is consumed.
     */
    List<SocketChange> join(List<SocketChange> changes, Map<Long, SocketEnd> ends, SocketTable previous,
                            SocketTable next) {
        Set<Long> goneNow = new HashSet<>();
        List<SocketChange> out = changes;
        if (!ends.isEmpty()) {
            out = new ArrayList<>(changes.size() + ends.size());
            List<SocketChange> joined = new ArrayList<>(changes.size());
            for (SocketChange c : changes) {
                SocketRow row = c.after() != null ? c.after() : c.before();
                SocketEnd end = row.cookie() == 0 ? null : ends.remove(row.cookie());
                if (end != null && c.after() == null && endedSinceRead(Map.of(row.cookie(), end), c.before())) {
                    c = SocketChange.destroyed(c.before(), end.endedAtMs());
                    destroyed++;
                }
                joined.add(c);
            }
            for (SocketEnd end : ends.values()) {
                if (lives(next, end) || lives(previous, end) || wasGone(end.cookie())) {
                    continue;
                }
                if (next.contains(end.row().key()) || previous.contains(end.row().key())) {
                    ambiguous++;
                    continue;
                }
                out.add(SocketChange.seenOnlyAtDestruction(end.row(), end.endedAtMs()));
                seenOnly++;
            }
            out.addAll(joined);
        }
        for (SocketChange c : out) {
            if (c.after() == null && c.before().cookie() != 0) {
                goneNow.add(c.before().cookie());
            }
        }
        recentlyGone.addFirst(goneNow);
        while (recentlyGone.size() > REMEMBERED_POLLS) {
            recentlyGone.removeLast();
        }
        return out;
    }

    /** Forgets what recent polls found gone: after a resync every socket is reported afresh. */
    void clear() {
        recentlyGone.clear();
    }

    private static boolean lives(SocketTable table, SocketEnd end) {
        SocketRow row = table.get(end.row().key());
        return row != null && row.cookie() == end.cookie();
    }

    private boolean wasGone(long cookie) {
        for (Set<Long> poll : recentlyGone) {
            if (poll.contains(cookie)) {
                return true;
            }
        }
        return false;
    }

    /** A full socket, not a minisocket: sock_diag sends shutdown flags for every full socket, for no minisocket. */
    private static boolean fullSocket(SocketRow row) {
        return row.shutdown() != null;
    }

    /** Polled sockets whose end came from a destroy notification, so far. */
    public long destroyed() {
        return destroyed;
    }

    /** Sockets reported from their destroy notification alone, so far. */
    public long seenOnly() {
        return seenOnly;
    }

    /** Notifications of a socket no poll saw, left out because a polled socket has its tuple, so far. */
    public long ambiguous() {
        return ambiguous;
    }
}
