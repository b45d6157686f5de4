package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TimerKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The namespaces a poll between whole reads may leave unread ({@link io.finwatch.collector.socket.ReadScope#NONE}):
 * those where an unsettled read could not differ from the last one. Every such difference starts with a state
 * change the kernel announces (a socket entering or leaving a closing state, and a close() that orphans one, which
 * sets its state again), except the end of a time-wait minisocket, which only its timer decides.
 *
 * <p>So a namespace is read when:
 * <ul>
 *   <li>the kernel announced a change of a socket whose local address is one of its interface addresses, or an
 *       address no namespace is known to own (loopback and link-local addresses are every namespace's, and a
 *       namespace whose addresses could not be read owns any);</li>
 *   <li>the kernel announced a socket of it destroyed ({@link SocketEnd});</li>
 *   <li>one of its time-wait minisockets is due to end by now;</li>
 *   <li>or the feed lost changes, or reported none this poll: then every namespace is.</li>
 * </ul>
 * A change the feed delivers late (the tracepoint fires just before the state is stored) makes its namespace read
 * at the next poll, so nothing is missed for longer than a poll. Whole reads ({@link WholeReads}) go on as before.
 */
final class QuietNamespaces {
    /** Every namespace is read: no feed, or it lost changes. */
    static final QuietNamespaces NONE = new QuietNamespaces(Set.of(), true);

    private final Set<Long> read;
    private final boolean readAll;

    private QuietNamespaces(Set<Long> read, boolean readAll) {
        this.read = read;
        this.readAll = readAll;
    }

    /**
     * @param changes   what the kernel announced since the previous poll's drain
     * @param ends      the destroy notifications received since the previous poll
     * @param addresses each namespace's interface addresses as last read (absent where unknown)
     * @param live      the namespaces this poll found
     * @param previous  the previous table, whose time-wait minisockets' timers are due or not
     * @param nowMs     this poll's time
     */
    static QuietNamespaces of(List<StateChange> changes, List<SocketEnd> ends, Map<Long, List<String>> addresses,
                              Collection<Long> live, SocketTable previous, long nowMs) {
        Set<Long> read = new HashSet<>();
        if (!changes.isEmpty()) {
            Map<String, List<Long>> owners = owners(addresses);
            List<Long> unaddressed = new ArrayList<>();
            for (long netns : live) {
                if (!addresses.containsKey(netns)) {
                    unaddressed.add(netns);
                }
            }
            for (StateChange c : changes) {
                List<Long> own = owners.get(c.localAddress());
                if (own == null) {
                    return NONE;
                }
                read.addAll(own);
            }
            read.addAll(unaddressed);
        }
        for (SocketEnd end : ends) {
            read.add(end.row().key().netns());
        }
        previous.forEachShownByUnsettled(row -> {
            if (row.timer() == TimerKind.TIMEWAIT && endsBy(row, nowMs)) {
                read.add(row.key().netns());
            }
        });
        return new QuietNamespaces(read, false);
    }

    /** Whether the namespace need not be read this poll. */
    boolean quiet(long netns) {
        return !readAll && !read.contains(netns);
    }

    /** A minisocket's timer, counted from when the kernel filled its row; unstamped rows are always due. */
    private static boolean endsBy(SocketRow row, long nowMs) {
        return row.readAtMs() == 0 || row.readAtMs() + row.timerMs() <= nowMs;
    }

    private static Map<String, List<Long>> owners(Map<Long, List<String>> addresses) {
        Map<String, List<Long>> owners = new HashMap<>();
        addresses.forEach((netns, list) -> {
            for (String a : list) {
                owners.computeIfAbsent(a, k -> new ArrayList<>(1)).add(netns);
            }
        });
        return owners;
    }
}
