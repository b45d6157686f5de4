package io.finwatch.streams.dedup;

import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds {@link SeqMarks} over a persistent, changelogged key-value store without Kafka Streams' record cache:
 * the marks are their own cache. Same store name, key and value bytes and changelog as before, so a state
 * directory or a changelog written by earlier versions carries over.
 */
public final class SeqMarksBuilder implements StoreBuilder<SeqMarks> {

    private final StoreBuilder<KeyValueStore<String, SeqMark>> store;

    public SeqMarksBuilder(String name) {
        this.store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), new SeqMarkSerde())
                .withCachingDisabled();
    }

    @Override
    public SeqMarks build() {
        return new SeqMarks(store.build());
    }

    @Override
    public StoreBuilder<SeqMarks> withCachingEnabled() {
        throw new UnsupportedOperationException("the dedup marks are always held in memory between commits");
    }

    @Override
    public StoreBuilder<SeqMarks> withCachingDisabled() {
        throw new UnsupportedOperationException("the dedup marks are always held in memory between commits");
    }

    @Override
    public StoreBuilder<SeqMarks> withLoggingEnabled(Map<String, String> config) {
        store.withLoggingEnabled(config);
        return this;
    }

    @Override
    public StoreBuilder<SeqMarks> withLoggingDisabled() {
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
