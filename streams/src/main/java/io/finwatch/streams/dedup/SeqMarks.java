package io.finwatch.streams.dedup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The dedup marks, held in memory and written to their changelogged store once per collector per commit
 * instead of once per event.
 *
 * <p>Why that is still exactly-once: a crash loses what was not committed, and the task restarts from its last
 * committed input offsets with the stores restored to that same commit. A mark is needed after a crash only for
 * events processed before that commit: a re-send of anything later is a re-read of input that was rolled back,
 * processed afresh. So the store must hold, in every commit, each collector's highest seq taken from the input that
 * commit covers, and nothing more is asked of it. Kafka Streams flushes every {@link CachedStateStore} in a task
 * before it flushes the task's producer and commits its transaction (its own record cache is flushed by the same
 * call), and the marks that changed since the last commit are written to the store at that point, in the
 * transaction being committed. Marks are never written later than the commit whose input advanced them.
 *
 * <p>{@code CachedStateStore} is an internal Kafka Streams interface; it is the only call made on a task's stores
 * before its commit (Kafka 4.3: {@code StreamTask.prepareCommit}, {@code ProcessorStateManager.flushCache}). If
 * that stopped being so after an upgrade, marks would reach the store only through {@link #sweep} and at close,
 * and {@code CrashRecoveryTest} (re-sends across SIGKILL) and {@code DedupMarksCommitTest} would fail.
 *
 * <p>Everything held in memory belongs to one active incarnation of the task: {@link #forgetUnsaved} is called
 * when its processor starts (after any restore), and the memory is dropped whenever the store is initialised,
 * closed or its cache cleared (a dirty close, whose transaction is aborted).
 */
public final class SeqMarks implements StateStore, CachedStateStore<String, SeqMark> {

    private final KeyValueStore<String, SeqMark> store;
    /** The marks read or written since the processor started; two per collector run, kilobytes for a fleet. */
    private final Map<String, SeqMark> known = new HashMap<>();
    /** Keys of {@link #known} changed since the last commit. */
    private final Set<String> unsaved = new HashSet<>();

    SeqMarks(KeyValueStore<String, SeqMark> store) {
        this.store = store;
    }

    /** The highest mark taken for a key, or null if none. */
    public SeqMark get(String key) {
        SeqMark mark = known.get(key);
        if (mark == null) {
            mark = store.get(key);
            if (mark != null) {
                known.put(key, mark);
            }
        }
        return mark;
    }

    /** Takes a new mark; it reaches the store by the next commit. */
    public void put(String key, SeqMark mark) {
        known.put(key, mark);
        unsaved.add(key);
    }

    /** Deletes the marks last seen before {@code cutoffMs}. */
    public void sweep(long cutoffMs) {
        flushCache();
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, SeqMark> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, SeqMark> e = it.next();
                if (e.value.seenAtMs() < cutoffMs) {
                    old.add(e.key);
                }
            }
        }
        for (String key : old) {
            store.delete(key);
            known.remove(key);
        }
    }

    /** Drops what memory holds, saved or not: the store alone is the truth again. */
    public void forgetUnsaved() {
        known.clear();
        unsaved.clear();
    }

    /** Writes the marks changed since the last commit; Kafka Streams calls this right before it commits the task. */
    @Override
    public void flushCache() {
        for (String key : unsaved) {
            store.put(key, known.get(key));
        }
        unsaved.clear();
    }

    @Override
    public void clearCache() {
        forgetUnsaved();
    }

    /** Nothing is forwarded downstream from here. */
    @Override
    public boolean setFlushListener(CacheFlushListener<String, SeqMark> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        forgetUnsaved();
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
        forgetUnsaved();
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
