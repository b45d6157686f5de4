package io.finwatch.streams.query;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * This instance's stores of one partition (every store of a host lives in its partition's task).
 *
 * @param stale the partition is not active here: it is read from a standby and may lag the active copy; only
 *              then are standby stores allowed to answer
 */
public record PartitionStores(KafkaStreams streams, int partition, boolean stale) {

    public <V> ReadOnlyKeyValueStore<String, V> keyValue(String name) {
        return store(name, QueryableStoreTypes.keyValueStore());
    }

    public <V> ReadOnlyWindowStore<String, V> window(String name) {
        return store(name, QueryableStoreTypes.windowStore());
    }

    /**
     * @throws ApiException 503 when the store is not queryable here now (migrated, restoring, closing): the
     *                      caller retries once the assignment settles
     */
    private <T> T store(String name, QueryableStoreType<T> type) {
        StoreQueryParameters<T> params = StoreQueryParameters.fromNameAndType(name, type).withPartition(partition);
        try {
            return streams.store(stale ? params.enableStaleStores() : params);
        } catch (InvalidStateStoreException e) {
            throw ApiException.unavailable("store " + name + " of partition " + partition + " is not queryable on this instance now ("
                    + e.getMessage() + ")", 1);
        }
    }
}
