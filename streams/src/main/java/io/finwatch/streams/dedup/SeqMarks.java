package io.finwatch.streams.dedup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The dedup marks of one task, held in memory and written to their store once per collector per commit (by
 * {@link #save}, run right before each commit: see {@code BeforeCommitStore}) instead of once per event.
 *
 * <p>After a crash the task restarts from its last commit, and only re-sends of events that commit covered must
 * be dropped; re-sends of later events are re-reads of input whose processing was rolled back, and are
 * processed afresh. So each commit must hold, for every collector, the highest seq taken from the input it
 * covers, which is what {@link #save} writes.
 *
 * <p>Made anew by every processor init, after any restore: the store alone is then known to be committed.
 */
final class SeqMarks {

    private final KeyValueStore<String, SeqMark> store;
    /** The marks read or written since the processor started; two per collector run, kilobytes for a fleet. */
    private final Map<String, SeqMark> known = new HashMap<>();
    /** Keys of {@link #known} changed since the last {@link #save}. */
    private final Set<String> unsaved = new HashSet<>();

    SeqMarks(KeyValueStore<String, SeqMark> store) {
        this.store = store;
    }

    /** The highest mark taken for a key, or null if none. */
    SeqMark get(String key) {
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
    void put(String key, SeqMark mark) {
        known.put(key, mark);
        unsaved.add(key);
    }

    /** Writes the marks changed since the last save. */
    void save() {
        for (String key : unsaved) {
            store.put(key, known.get(key));
        }
        unsaved.clear();
    }

    /** Deletes the marks last seen before {@code cutoffMs}. */
    void sweep(long cutoffMs) {
        save();
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
}
