package io.finwatch.streams.query;

import io.finwatch.streams.state.StoreKeys;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads the entries of some kinds out of a store keyed by host ({@code host}, {@code host|pid|comm},
 * {@code host|~...}), in one pass over the store.
 *
 * <p>One pass, not a seek past each host's other entries: every iterator of a cached store copies the keys of its
 * whole range out of the record cache (Kafka Streams' {@code NamedCache.keyRange} builds a new sorted set), so a
 * seek to {@code host} with an open end costs as much as the rest of the store, and 170 of them per partition
 * were slower than reading every entry. Where one kind is read often, it has a store of its own instead (the hosts'
 * and workloads' open counts). Reading below the cache through interactive queries v2 hung the API
 * in Kafka Streams 4.3.1 (a range query held the store's position and waited for the RocksDB store's monitor).
 */
final class HostKeyScan {

    enum Kind { HOST, PROCESS, WORKLOAD }

    private HostKeyScan() {
    }

    static <V> void scan(ReadOnlyKeyValueStore<String, V> store, Set<Kind> wanted, BiConsumer<String, V> visit) {
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                var e = it.next();
                if (wanted.contains(kind(e.key))) {
                    visit.accept(e.key, e.value);
                }
            }
        }
    }

    static Kind kind(String key) {
        if (StoreKeys.isHost(key)) {
            return Kind.HOST;
        }
        return StoreKeys.isWorkload(key) ? Kind.WORKLOAD : Kind.PROCESS;
    }
}
