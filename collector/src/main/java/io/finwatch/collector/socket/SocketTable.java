package io.finwatch.collector.socket;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One poll's sockets, by key: an immutable snapshot, safe to share between threads once built.
 *
 * <p>At 200k sockets a poll between whole reads sees a few thousand rows and changes fewer; copying the other
 * rows into a new table at every poll was most of its cost and most of the collector's garbage. So a table is
 * layered: the rows of the last table built whole ({@code base}, shared by every table derived from it and never
 * copied again), and what changed since ({@code over}, {@code removed}), copied at each derivation, so it costs what
 * the narrowed reads delivered. A delta grown past a quarter of its base is folded into a new base.
 *
 * <p>Each table keeps its counts per state and per namespace, and which of its rows an unsettled read must show
 * while they live ({@link #forEachShownByUnsettled}), for the same reason.
 */
public final class SocketTable {
    private static final SocketTable EMPTY = new SocketTable(new RowIndex(0), List.of(), Map.of(), Set.of(), new RowTally());

    private final RowIndex base;
    /** The rows of {@link #base} outside the states an unsettled read may not show ({@link ReadScope}). */
    private final List<SocketRow> baseUnsettled;
    /** Rows added since the base was built, or replacing one of its rows. */
    private final Map<SocketKey, SocketRow> over;
    /** Keys of base rows no longer in the table; none is in {@link #over}. */
    private final Set<SocketKey> removed;
    private final RowTally tally;

    private SocketTable(RowIndex base, List<SocketRow> baseUnsettled, Map<SocketKey, SocketRow> over,
                        Set<SocketKey> removed, RowTally tally) {
        this.base = base;
        this.baseUnsettled = baseUnsettled;
        this.over = over;
        this.removed = removed;
        this.tally = tally;
    }

    public static SocketTable empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder(256);
    }

    /** @param expectedRows how many rows will be added, e.g. the previous poll's size; avoids rehashing */
    public static Builder builder(int expectedRows) {
        return new Builder(expectedRows);
    }

    /** The row for a key, or null. */
    public SocketRow get(SocketKey key) {
        if (!over.isEmpty()) {
            SocketRow r = over.get(key);
            if (r != null) {
                return r;
            }
        }
        if (!removed.isEmpty() && removed.contains(key)) {
            return null;
        }
        return base.get(key);
    }

    public boolean contains(SocketKey key) {
        return get(key) != null;
    }

    public int size() {
        return tally.total();
    }

    /** Every row, in no particular order (but the same order for the same input). */
    public Collection<SocketRow> rows() {
        return layered() ? TableViews.rows(this) : base;
    }

    public Set<SocketKey> keys() {
        return TableViews.keys(this);
    }

    /** A read-only view. */
    public Map<SocketKey, SocketRow> asMap() {
        return TableViews.map(this);
    }

    /** Sockets in {@code state}. */
    public int count(TcpState state) {
        return tally.of(state);
    }

    /** FIN_WAIT2 sockets without an inode (orphaned). */
    public int orphanedFinWait2() {
        return tally.finWait2Orphaned();
    }

    /** Sockets of one namespace (by inode). */
    public int countIn(long netns) {
        return tally.in(netns);
    }

    /** The namespaces (inodes) with a socket in the table. */
    public Set<Long> namespaces() {
        return tally.namespaces();
    }

    /** No key in the table has a higher ordinal (it may be higher than any has now). */
    public int maxOrdinal() {
        return tally.maxOrdinal();
    }

    /**
     * Every row an {@link ReadScope#UNSETTLED} read shows for as long as the socket lives (those not
     * {@linkplain ReadScope#mayBeHiddenFromUnsettled may be hidden}): what such a read must account for, without a
     * walk over the settled rows.
     */
    public void forEachShownByUnsettled(Consumer<SocketRow> action) {
        boolean layered = layered();
        for (SocketRow row : baseUnsettled) {
            if (!layered || (!over.containsKey(row.key()) && !removed.contains(row.key()))) {
                action.accept(row);
            }
        }
        for (SocketRow row : over.values()) {
            if (!ReadScope.mayBeHiddenFromUnsettled(row.state())) {
                action.accept(row);
            }
        }
    }

    @Override
    public String toString() {
        return "SocketTable[" + size() + " sockets]";
    }

    private boolean layered() {
        return !over.isEmpty() || !removed.isEmpty();
    }

    /** This table with {@code puts} added or replacing rows of the same key, and the rows of {@code gone} left out. */
    private SocketTable derive(Collection<SocketRow> puts, Collection<SocketKey> gone) {
        if (puts.isEmpty() && gone.isEmpty()) {
            // A poll that read nothing new (its namespaces quiet): the table stands, uncopied.
            return this;
        }
        Map<SocketKey, SocketRow> o = new HashMap<>(over);
        Set<SocketKey> r = new HashSet<>(removed);
        RowTally t = tally.copy();
        for (SocketRow row : puts) {
            SocketRow old = get(row.key());
            if (old != row) {
                if (old != null) {
                    t.remove(old);
                }
                t.add(row);
                o.put(row.key(), row);
                r.remove(row.key());
            }
        }
        // The diff never reports a key gone that it also put.
        for (SocketKey key : gone) {
            SocketRow old = get(key);
            if (old != null) {
                t.remove(old);
                o.remove(key);
                if (base.containsKey(key)) {
                    r.add(key);
                }
            }
        }
        if (o.size() + r.size() <= base.size() / 4) {
            return new SocketTable(base, baseUnsettled, o, r, t);
        }
        Builder flat = new Builder(t.total());
        SocketTable derived = new SocketTable(base, baseUnsettled, o, r, t);
        for (SocketRow row : derived.rows()) {
            flat.carry(row);
        }
        return flat.build();
    }

    /** The layered rows: the base's not replaced or removed, then the delta's. */
    Iterator<SocketRow> layeredRows() {
        if (!layered()) {
            return base.iterator();
        }
        return new Iterator<>() {
            private final Iterator<SocketRow> fromBase = base.iterator();
            private final Iterator<SocketRow> fromOver = over.values().iterator();
            private SocketRow next = advance();

            private SocketRow advance() {
                while (fromBase.hasNext()) {
                    SocketRow row = fromBase.next();
                    if (!over.containsKey(row.key()) && !removed.contains(row.key())) {
                        return row;
                    }
                }
                return fromOver.hasNext() ? fromOver.next() : null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public SocketRow next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                SocketRow out = next;
                next = advance();
                return out;
            }
        };
    }

    /**
     * Collects rows in file order. Not thread-safe; {@link #add} works as a {@code Consumer<SocketRow>} for
     * {@code TcpTableParser}.
     */
    public static final class Builder {
        private RowIndex rows;
        /** Next ordinal per tuple seen more than once; created only when a duplicate shows up. */
        private Map<SocketKey, Integer> lastOrdinal;
        private List<SocketRow> unsettled = new ArrayList<>();
        private RowTally tally = new RowTally();

        private Builder(int expectedRows) {
            if (expectedRows < 0) {
                throw new IllegalArgumentException("expectedRows < 0: " + expectedRows);
            }
            rows = new RowIndex(expectedRows);
        }

        /**
         * Adds a row. When its tuple (netns, family, both ends) is already in the table, as for the
         * SO_REUSEPORT listeners sharing one port, it gets the next free ordinal: 1, 2, ... in the order added.
         *
         * @return the row as stored, with its ordinal
         */
        public SocketRow add(SocketRow row) {
            if (rows == null) {
                throw new IllegalStateException("build() was already called");
            }
            SocketKey tuple = row.key();
            if (tuple.ordinal() != 0) {
                tuple = tuple.withOrdinal(0);
                row = row.withKey(tuple);
            }
            if (rows.putIfAbsent(row) == null) {
                counted(row);
                return row;
            }
            if (lastOrdinal == null) {
                lastOrdinal = new HashMap<>();
            }
            int ordinal = lastOrdinal.merge(tuple, 1, Integer::sum);
            SocketRow numbered = row.withKey(tuple.withOrdinal(ordinal));
            rows.put(numbered);
            counted(numbered);
            return numbered;
        }

        /**
         * Keeps a row of the previous table, as it is and under its key (ordinal included), unless a row with that
         * key was added: used for sockets a narrowed read could not see.
         *
         * @return whether it was kept
         */
        public boolean carry(SocketRow row) {
            if (rows == null) {
                throw new IllegalStateException("build() was already called");
            }
            if (rows.putIfAbsent(row) == null) {
                counted(row);
                return true;
            }
            return false;
        }

        private void counted(SocketRow row) {
            tally.add(row);
            if (!ReadScope.mayBeHiddenFromUnsettled(row.state())) {
                unsettled.add(row);
            }
        }

        /** Rows of one namespace (by inode) added so far. */
        public int countIn(long netns) {
            return tally.in(netns);
        }

        public boolean contains(SocketKey key) {
            return rows != null && rows.containsKey(key);
        }

        public int size() {
            return rows == null ? 0 : rows.size();
        }

        /** The finished table; the builder cannot be used afterwards. */
        public SocketTable build() {
            if (rows == null) {
                throw new IllegalStateException("build() was already called");
            }
            SocketTable table = rows.isEmpty() ? EMPTY
                    : new SocketTable(rows, unsettled, Map.of(), Set.of(), tally);
            done();
            return table;
        }

        /**
         * The finished table as {@code previous} with this builder's rows added to it (replacing those of the same
         * key) and the rows of {@code gone} removed: for a poll whose reads all left out the settled sockets, which
         * {@code previous} still holds. Shares {@code previous}'s rows instead of copying them; the builder cannot
         * be used afterwards.
         *
         * @param gone keys of {@code previous} to leave out, none of them added here
         */
        public SocketTable buildOver(SocketTable previous, Collection<SocketKey> gone) {
            if (rows == null) {
                throw new IllegalStateException("build() was already called");
            }
            SocketTable table = previous.derive(rows, gone);
            done();
            return table.size() == 0 ? EMPTY : table;
        }

        private void done() {
            rows = null;
            lastOrdinal = null;
            unsettled = null;
            tally = null;
        }
    }
}
