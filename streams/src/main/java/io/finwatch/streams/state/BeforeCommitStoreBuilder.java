package io.finwatch.streams.state;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds a {@link BeforeCommitStore} over a persistent, changelogged key-value store without Kafka Streams'
 * record cache (its processor holds its own memory). The store name, bytes and changelog are those of a plain
 * persistent store of the same serdes, so a state directory or changelog of one carries over to the other.
 */
public final class BeforeCommitStoreBuilder<K, V> implements StoreBuilder<BeforeCommitStore<K, V>> {

    private final StoreBuilder<KeyValueStore<K, V>> store;

    public BeforeCommitStoreBuilder(String name, Serde<K> keys, Serde<V> values) {
        this.store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values).withCachingDisabled();
    }

    @Override
    public BeforeCommitStore<K, V> build() {
        return new BeforeCommitStore<>(store.build());
    }

    @Override
    public StoreBuilder<BeforeCommitStore<K, V>> withCachingEnabled() {
        throw new UnsupportedOperationException("a before-commit store's processor keeps its own memory; there is no record cache");
    }

    @Override
    public StoreBuilder<BeforeCommitStore<K, V>> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<BeforeCommitStore<K, V>> withLoggingEnabled(Map<String, String> config) {
        store.withLoggingEnabled(config);
        return this;
    }

    @Override
    public StoreBuilder<BeforeCommitStore<K, V>> withLoggingDisabled() {
        store.withLoggingDisabled();
        return this;
    }

    @Override
    public Map<String, String> logConfig() {
        return store.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
        return store.loggingEnabled();
    }

    @Override
    public String name() {
        return store.name();
    }
}
