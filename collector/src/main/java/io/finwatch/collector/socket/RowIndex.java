package io.finwatch.collector.socket;

import java.util.AbstractCollection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The rows of a table built whole, found by key: an open-addressing table of the rows themselves (linear probing,
 * at most half full). Rows are only added, never removed; a table's later changes live in its delta.
 *
 * <p>A {@code HashMap<SocketKey, SocketRow>} costs a 32-byte node per socket besides its slot, and every whole
 * read built a new one: at 200k sockets 6.4 MB of nodes that outlived the young generation, were promoted, and
 * were garbage in the old one ten seconds later. This costs slots of 4 bytes (compressed references) at a load of
 * a quarter to a half, one array per table (docs/benchmarks.md, "Session 19").
 *
 * <p>Not thread-safe while rows are added; a table shares it read-only once built.
 */
final class RowIndex extends AbstractCollection<SocketRow> {
    private static final int MIN_CAPACITY = 16;

    private SocketRow[] slots;
    private int size;

    /** @param expectedRows rows that will be added without growing */
    RowIndex(int expectedRows) {
        long wanted = Math.max(MIN_CAPACITY, 2L * expectedRows);
        slots = new SocketRow[(int) Math.min(1 << 30, Long.highestOneBit(wanted - 1) << 1)];
    }

    SocketRow get(SocketKey key) {
        SocketRow[] s = slots;
        int mask = s.length - 1;
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            SocketRow r = s[i];
            if (r == null || r.key().equals(key)) {
                return r;
            }
        }
    }

    boolean containsKey(SocketKey key) {
        return get(key) != null;
    }

    /** Adds {@code row} unless a row of its key is there; returns that row, or null if {@code row} was added. */
    SocketRow putIfAbsent(SocketRow row) {
        return add(row, false);
    }

    /** Adds {@code row}, replacing the row of its key; returns that row, or null. */
    SocketRow put(SocketRow row) {
        return add(row, true);
    }

    private SocketRow add(SocketRow row, boolean replace) {
        if (2 * (size + 1) > slots.length) {
            resize(slots.length * 2);
        }
        SocketRow[] s = slots;
        int mask = s.length - 1;
        SocketKey key = row.key();
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            SocketRow r = s[i];
            if (r == null) {
                s[i] = row;
                size++;
                return null;
            }
            if (r.key().equals(key)) {
                if (replace) {
                    s[i] = row;
                }
                return r;
            }
        }
    }

    @Override
    public int size() {
        return size;
    }

    /** The rows in slot order: the same order for the same rows added in the same order. */
    @Override
    public Iterator<SocketRow> iterator() {
        SocketRow[] s = slots;
        return new Iterator<>() {
            private int next = advance(0);

            private int advance(int from) {
                int i = from;
                while (i < s.length && s[i] == null) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                return next < s.length;
            }

            @Override
            public SocketRow next() {
                if (next >= s.length) {
                    throw new NoSuchElementException();
                }
                SocketRow out = s[next];
                next = advance(next + 1);
                return out;
            }
        };
    }

    private void resize(int capacity) {
        SocketRow[] old = slots;
        slots = new SocketRow[capacity];
        size = 0;
        for (SocketRow r : old) {
            if (r != null) {
                putIfAbsent(r);
            }
        }
    }

    private static int index(SocketKey key, int mask) {
        // The key's hash mixes its fields already; spreading its high bits keeps neighbouring ports apart.
        int h = key.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
