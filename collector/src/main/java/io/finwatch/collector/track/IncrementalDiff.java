package io.finwatch.collector.track;

import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * The changes between two polls of the socket tables, computed while the new table is being built, on the thread
 * that reads it.
 *
 * <p>A key (netns, tuple, ordinal) is one connection for as long as its inode stays the same, or drops to 0
 * because the owner closed it (the socket lives on, orphaned). Any other inode change means the tuple was
 * reused by a new connection between polls: the old one is reported GONE and the new one FIRST_SEEN, so a
 * long-lived FIN_WAIT2 is never confused with a fresh one. Timer and queue movements are not changes, and a row whose
 * timer only counted down since the last read keeps the last read's row (and so its expiry).
 *
 * <p>Most sockets are the same from one poll to the next. Each row is looked up once in the previous table as it
 * arrives: an unchanged row is stored as the previous poll's object (so the fresh copy dies young) and needs no
 * further work; only new or changed rows are kept for {@link #finish}. Sockets that went away are searched for
 * only when the count of previous rows seen falls short of the previous table's size. Every GONE comes before
 * every FIRST_SEEN, so applying the changes in order to the previous table yields the new one. (The tests hold it
 * to a plain two-pass diff of the two tables.)
 *
 * <p>A namespace read with {@link ReadScope#UNSETTLED} shows only its sockets outside ESTABLISHED and LISTEN: its
 * previous rows that such a read could not have seen are carried into the new table unchanged instead of being
 * reported gone; the next whole read settles them. When every namespace of the previous table was read that way,
 * the new table is built over the previous one ({@link SocketTable.Builder#buildOver}) and only the previous rows
 * such a read must show are walked: between whole reads a poll costs what the kernel delivered, not the size of
 * the table (at 200k sockets, copying the carried rows into a new map was most of a poll).
 *
 * <p>Each row leaves with its time in state decided ({@link SocketRow#stateSinceMs}): for as long as a connection
 * stays in one state it keeps the first value it had, except that a time the kernel gave replaces one the
 * collector observed (the kernel's later readings only drift later, by later ACKs, or jitter by a jiffy); a
 * socket new to the table or in a new state takes the time the kernel announced it entering the state
 * ({@link StateEntries}), else the kernel's time if the read had one, else this poll's.
 *
 * <p>One instance per poll; {@link #add} runs on one thread, {@link #finish} after it, on any thread.
 */
public final class IncrementalDiff {
    /**
     * How far two reads of one timer's expiry may differ and still be one timer counting down: the kernel gives the
     * time left in whole ms of its ticks (4 ms at HZ 250), and a row's stamp is its datagram's, taken within a few ms
     * of the kernel filling it. A re-armed retransmission timer moves by at least its RTO (200 ms).
     */
    public static final long TIMER_SLACK_MS = 50;

    private final SocketTable previous;
    private final SocketTable.Builder builder;
    private final List<SocketRow> candidates = new ArrayList<>();
    private final long observedAtMs;
    private int previousSeen;
    private StateEntries entries = StateEntries.NONE;

    /**
     * @param builder      empty; the new table is built in it
     * @param observedAtMs the poll's time: when the kernel cannot tell, a socket new in its state entered it then
     */
    public IncrementalDiff(SocketTable previous, SocketTable.Builder builder, long observedAtMs) {
        this.previous = previous;
        this.builder = builder;
        this.observedAtMs = observedAtMs;
    }

    /** A diff whose rows without a kernel time count from epoch 0 (for tests of what changed, not when). */
    public IncrementalDiff(SocketTable previous, SocketTable.Builder builder) {
        this(previous, builder, 0);
    }

    /** Adds a parsed row (ordinal 0, as the parser makes them) to the table being built. */
    public void add(SocketRow row) {
        SocketRow before = previous.get(row.key());
        if ((row.equals(before) || row.sameButCountedDown(before, TIMER_SLACK_MS))
                && (before.sinceKernel() || !row.sinceKernel())) {
            // Same key, state, inode and timers (or a timer that only counted down: the previous row has the same
            // expiry, and storing the fresh one would put every time-wait row of a busy namespace in the table's
            // delta at every poll): nothing to report, and the time in state stays the first one.
            // A second socket sharing the tuple (SO_REUSEPORT) differs in its inode, so it never takes this path.
            SocketRow stored = builder.add(before);
            if (stored == before) {
                previousSeen++;
                return;
            }
            candidates.add(stored);
            return;
        }
        candidates.add(builder.add(since(row, before)));
    }

    /** The row with its time in state decided (see the class comment); allocates only when that changes it. */
    private SocketRow since(SocketRow row, SocketRow before) {
        if (before != null && before.state() == row.state() && before.stateSinceMs() != 0
                && sameConnection(before, row) && (before.sinceKernel() || !row.sinceKernel())) {
            return before.stateSinceMs() == row.stateSinceMs() && before.sinceKernel() == row.sinceKernel() ? row
                    : row.withStateSince(before.stateSinceMs(), before.sinceKernel());
        }
        long announced = entries.enteredMs(row);
        if (announced != 0) {
            return row.withStateSince(announced, true);
        }
        return row.stateSinceMs() != 0 || observedAtMs == 0 ? row : row.withStateSince(observedAtMs, false);
    }

    /**
     * The times at which the kernel announced sockets entering their states since the previous poll: a row new in
     * its state takes its time from there before any other. Set before the first row is added.
     */
    void entries(StateEntries entries) {
        this.entries = entries;
    }

    /** Rows in the table being built so far. */
    int size() {
        return builder.size();
    }

    /** The finished table and the changes from the previous one, when every namespace was read whole. */
    public Result finish() {
        return finish(Set.of());
    }

    /** The finished table and the changes from the previous one; {@code unsettledOnly} as below. */
    public Result finish(Set<Long> unsettledOnly) {
        return finish(unsettledOnly, Set.<SocketKey>of());
    }

    /**
     * The finished table and the changes from the previous one.
     *
     * @param unsettledOnly the namespaces (inodes) whose read was {@link ReadScope#UNSETTLED}
     * @param ends          what the kernel announced destroyed, by cookie: rows an unsettled read could not see that
     *                      ended since they were read are reported gone instead of being carried over; found through
     *                      the notifications' tuples, not by a walk over every previous row
     */
    public Result finish(Set<Long> unsettledOnly, Map<Long, SocketEnd> ends) {
        return finish(unsettledOnly, Set.of(), ends);
    }

    /**
     * As above, with {@code unread} the namespaces not read at all ({@link ReadScope#NONE}): their rows are carried
     * as they are, except those the kernel announced destroyed.
     */
    public Result finish(Set<Long> unsettledOnly, Set<Long> unread, Map<Long, SocketEnd> ends) {
        if (ends.isEmpty()) {
            return finish(unsettledOnly, unread, Set.<SocketKey>of());
        }
        Set<SocketKey> endedKeys = new HashSet<>();
        for (SocketEnd end : ends.values()) {
            SocketKey tuple = end.row().key().withOrdinal(0);
            for (int ordinal = 0; ordinal <= previous.maxOrdinal(); ordinal++) {
                SocketRow before = previous.get(ordinal == 0 ? tuple : tuple.withOrdinal(ordinal));
                if (before != null && SocketEnds.endedSinceRead(ends, before)) {
                    endedKeys.add(before.key());
                }
            }
        }
        return finish(unsettledOnly, unread, endedKeys);
    }

    /** As above, with the keys of the previous rows that ended already found (tests find them by a walk). */
    Result finish(Set<Long> unsettledOnly, Set<SocketKey> ended) {
        return finish(unsettledOnly, Set.of(), ended);
    }

    Result finish(Set<Long> unsettledOnly, Set<Long> unread, Set<SocketKey> ended) {
        List<SocketChange> changes = new ArrayList<>();
        List<SocketChange> replaced = new ArrayList<>();
        for (SocketRow after : candidates) {
            SocketRow before = previous.get(after.key());
            if (before == null) {
                changes.add(SocketChange.firstSeen(after));
                continue;
            }
            previousSeen++;
            if (!sameConnection(before, after)) {
                replaced.add(SocketChange.gone(before));
                changes.add(SocketChange.firstSeen(after));
            } else if (before.state() != after.state() || (!before.orphaned() && after.orphaned())) {
                changes.add(SocketChange.changed(before, after));
            }
        }
        List<SocketChange> ordered = new ArrayList<>(changes.size() + replaced.size() + 16);
        // Few namespaces, many rows: the narrowed and unread ones by index, so the per-row lookup boxes nothing.
        long[] narrowed = LongStream.concat(unsettledOnly.stream().mapToLong(Long::longValue),
                unread.stream().mapToLong(Long::longValue)).sorted().distinct().toArray();
        long[] notRead = unread.stream().mapToLong(Long::longValue).sorted().toArray();
        int[] carried = new int[narrowed.length];
        SocketTable next;
        if (narrowed.length > 0 && previous.namespaces().stream().allMatch(n -> Arrays.binarySearch(narrowed, n) >= 0)) {
            next = narrowedOnly(narrowed, notRead, carried, ended, ordered);
        } else {
            if (previousSeen < previous.size()) {
                for (SocketRow before : previous.rows()) {
                    long netns = before.key().netns();
                    int ns = narrowed.length == 0 ? -1 : Arrays.binarySearch(narrowed, netns);
                    if (ns >= 0 && !ended.contains(before.key()) && (ReadScope.mayBeHiddenFromUnsettled(before.state())
                            || (notRead.length > 0 && Arrays.binarySearch(notRead, netns) >= 0))) {
                        if (builder.carry(before)) {
                            carried[ns]++;
                        }
                    } else if (!builder.contains(before.key())) {
                        ordered.add(SocketChange.gone(before));
                    }
                }
            }
            next = builder.build();
        }
        // Every GONE before any FIRST_SEEN: a reused key's old connection leaves before its new one arrives.
        ordered.addAll(replaced);
        ordered.addAll(changes);
        Map<Long, Integer> carriedCounts = new HashMap<>();
        for (int i = 0; i < narrowed.length; i++) {
            carriedCounts.put(narrowed[i], carried[i]);
        }
        return new Result(next, ordered, carriedCounts, StateCounts.of(next));
    }

    /**
     * The new table when no namespace of the previous one was read whole: the previous table with what was read put
     * over it, and without the rows that must have shown and did not (or that the kernel announced ended). Only
     * those are walked; the settled rows stay where they are.
     */
    private SocketTable narrowedOnly(long[] narrowed, long[] notRead, int[] carried, Set<SocketKey> ended,
                                     List<SocketChange> gone) {
        List<SocketKey> goneKeys = new ArrayList<>();
        previous.forEachShownByUnsettled(before -> {
            if (!builder.contains(before.key())
                    && (notRead.length == 0 || Arrays.binarySearch(notRead, before.key().netns()) < 0)) {
                gone.add(SocketChange.gone(before));
                goneKeys.add(before.key());
            }
        });
        for (SocketKey key : ended) {
            SocketRow before = previous.get(key);
            boolean hidden = before != null && (ReadScope.mayBeHiddenFromUnsettled(before.state())
                    || Arrays.binarySearch(notRead, key.netns()) >= 0);
            if (hidden && !builder.contains(key)) {
                gone.add(SocketChange.gone(before));
                goneKeys.add(key);
            }
        }
        int[] read = new int[narrowed.length];
        for (int i = 0; i < narrowed.length; i++) {
            read[i] = builder.countIn(narrowed[i]);
        }
        SocketTable next = builder.buildOver(previous, goneKeys);
        for (int i = 0; i < narrowed.length; i++) {
            carried[i] = next.countIn(narrowed[i]) - read[i];
        }
        return next;
    }

    /**
     * @param carried per namespace, how many rows an unsettled read could not see were carried over
     * @param counts  the new table's sockets per state
     */
    public record Result(SocketTable table, List<SocketChange> changes, Map<Long, Integer> carried,
                         StateCounts counts) {
    }

    /** Rows with the same key: the same connection unless the inode shows the tuple was reused. */
    private static boolean sameConnection(SocketRow before, SocketRow after) {
        return before.inode() == after.inode() || (before.inode() != 0 && after.inode() == 0);
    }
}
