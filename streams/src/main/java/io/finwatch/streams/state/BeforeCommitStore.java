package io.finwatch.streams.state;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A changelogged key-value store that runs its processor's hook right before Kafka Streams commits the task,
 * so a processor can keep what changes with every event in memory and write it once per commit, in the
 * transaction being committed, instead of through the record cache once per event.
 *
 * <p>Why that is enough under exactly-once: a crash loses what was not committed, and the task restarts from
 * its last committed input offsets with its stores restored to that same commit. Whatever a processor held in
 * memory for input after that commit is rebuilt by processing that input again; what it must have written is
 * its memory for the input the commit covers, and the hook runs after the last of that input is processed and
 * before the transaction commits.
 *
 * <p>The hook is Kafka Streams' cache flush: before committing a task (Kafka 4.3: {@code StreamTask.prepareCommit}
 * calling {@code ProcessorStateManager.flushCache}) it flushes every store implementing the internal
 * {@link CachedStateStore}, its own record caches included, and only then flushes the producer and commits. It
 * is not public API; if an upgrade stopped calling it, writes would reach the store late, and
 * {@code DedupMarksCommitTest}, {@code PendingEpisodesCommitTest} and {@code CrashRecoveryTest} (re-sends and
 * episodes across SIGKILL) would fail.
 *
 * <p>A hook writes to its own store only ({@link #store()}, which has no record cache): the other stores' caches
 * may already have been flushed for this commit, and a write into one of them would wait for the next.
 *
 * <p>A hook belongs to one active incarnation of the task's processor, which registers it at its init (after
 * any restore) with memory made anew; it is dropped whenever the store is initialised, closed or its cache
 * cleared (a dirty close: the transaction is aborted and the memory must not reach a later one).
 */
public final class BeforeCommitStore<K, V> implements StateStore, CachedStateStore<K, V> {

    private static final Runnable NONE = () -> {
    };

    private final KeyValueStore<K, V> store;
    private Runnable hook = NONE;

    BeforeCommitStore(KeyValueStore<K, V> store) {
        this.store = store;
    }

    /** The store itself (metered, changelogged, no record cache). */
    public KeyValueStore<K, V> store() {
        return store;
    }

    /** Runs {@code hook} on the stream thread right before every commit of the task, until the task closes. */
    public void beforeCommit(Runnable hook) {
        this.hook = hook;
    }

    @Override
    public void flushCache() {
        hook.run();
    }

    @Override
    public void clearCache() {
        hook = NONE;
    }

    /** Nothing is forwarded downstream from here. */
    @Override
    public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        hook = NONE;
        store.init(context, root);
    }

    @Override
    public void flush() {
        store.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        store.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return store.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return store.managesOffsets();
    }

    @Override
    public void close() {
        hook = NONE;
        store.close();
    }

    @Override
    public boolean persistent() {
        return store.persistent();
    }

    @Override
    public boolean isOpen() {
        return store.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return store.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return store.getPosition();
    }
}
