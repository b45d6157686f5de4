package io.finwatch.collector.socket;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One poll's sockets, by key: an immutable snapshot, safe to share between threads once built.
 *
 * <p>Two tables are alive at once (the previous poll and the current one), at up to ~200k sockets each, so
 * the table holds nothing but the rows: each row already carries its key.
 */
public final class SocketTable {
    private static final SocketTable EMPTY = new SocketTable(Map.of());

    private final Map<SocketKey, SocketRow> rows;

    private SocketTable(Map<SocketKey, SocketRow> rows) {
        this.rows = rows;
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
        return rows.get(key);
    }

    public boolean contains(SocketKey key) {
        return rows.containsKey(key);
    }

    public int size() {
        return rows.size();
    }

    /** Every row, in no particular order (but the same order for the same input). */
    public Collection<SocketRow> rows() {
        return rows.values();
    }

    public Set<SocketKey> keys() {
        return rows.keySet();
    }

    /** A read-only view. */
    public Map<SocketKey, SocketRow> asMap() {
        return rows;
    }

    @Override
    public String toString() {
        return "SocketTable[" + rows.size() + " sockets]";
    }

    /**
     * Collects rows in file order. Not thread-safe; {@link #add} works as a {@code Consumer<SocketRow>} for
     * {@code TcpTableParser}.
     */
    public static final class Builder {
        private Map<SocketKey, SocketRow> rows;
        /** Next ordinal per tuple seen more than once; created only when a duplicate shows up. */
        private Map<SocketKey, Integer> lastOrdinal;

        private Builder(int expectedRows) {
            if (expectedRows < 0) {
                throw new IllegalArgumentException("expectedRows < 0: " + expectedRows);
            }
            rows = new HashMap<>(capacityFor(expectedRows));
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
            if (rows.putIfAbsent(tuple, row) == null) {
                return row;
            }
            if (lastOrdinal == null) {
                lastOrdinal = new HashMap<>();
            }
            int ordinal = lastOrdinal.merge(tuple, 1, Integer::sum);
            SocketRow numbered = row.withKey(tuple.withOrdinal(ordinal));
            rows.put(numbered.key(), numbered);
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
            return rows.putIfAbsent(row.key(), row) == null;
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
            SocketTable table = rows.isEmpty() ? EMPTY : new SocketTable(Collections.unmodifiableMap(rows));
            rows = null;
            lastOrdinal = null;
            return table;
        }

        private static int capacityFor(int expectedRows) {
            return (int) Math.min(1 << 30, (long) expectedRows * 4 / 3 + 1);
        }
    }
}
