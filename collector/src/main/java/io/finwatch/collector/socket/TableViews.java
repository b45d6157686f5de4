package io.finwatch.collector.socket;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Read-only views of a layered {@link SocketTable}, walking its layers instead of copying them into one map. */
final class TableViews {
    private TableViews() {
    }

    static Collection<SocketRow> rows(SocketTable table) {
        return new AbstractCollection<>() {
            @Override
            public Iterator<SocketRow> iterator() {
                return table.layeredRows();
            }

            @Override
            public int size() {
                return table.size();
            }
        };
    }

    static Set<SocketKey> keys(SocketTable table) {
        return new AbstractSet<>() {
            @Override
            public Iterator<SocketKey> iterator() {
                return mapped(table.layeredRows(), SocketRow::key);
            }

            @Override
            public boolean contains(Object o) {
                return o instanceof SocketKey k && table.contains(k);
            }

            @Override
            public int size() {
                return table.size();
            }
        };
    }

    static Map<SocketKey, SocketRow> map(SocketTable table) {
        return new AbstractMap<>() {
            @Override
            public Set<Entry<SocketKey, SocketRow>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Entry<SocketKey, SocketRow>> iterator() {
                        return mapped(table.layeredRows(), row -> Map.entry(row.key(), row));
                    }

                    @Override
                    public int size() {
                        return table.size();
                    }
                };
            }

            @Override
            public SocketRow get(Object key) {
                return key instanceof SocketKey k ? table.get(k) : null;
            }

            @Override
            public boolean containsKey(Object key) {
                return get(key) != null;
            }

            @Override
            public int size() {
                return table.size();
            }
        };
    }

    private static <T> Iterator<T> mapped(Iterator<SocketRow> rows, Function<SocketRow, T> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public T next() {
                return f.apply(rows.next());
            }
        };
    }
}
