package io.finwatch.streams.dedup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** One key's mark as this task has it now; {@code unsaved} while it differs from the store. */
    private static final class Mark {
        final String key;
        boolean present;
        long seq;
        long seenAtMs;
        boolean unsaved;

        Mark(String key, SeqMark stored) {
            this.key = key;
            this.present = stored != null;
            this.seq = present ? stored.seq() : 0;
            this.seenAtMs = present ? stored.seenAtMs() : 0;
        }
    }

    private final KeyValueStore<String, SeqMark> store;
    /** The marks read or taken since the processor started; two per collector run, kilobytes for a fleet. */
    private final Map<String, Mark> known = new HashMap<>();
    private final List<Mark> unsaved = new ArrayList<>();

    SeqMarks(KeyValueStore<String, SeqMark> store) {
        this.store = store;
    }

    /**
     * Takes {@code seq} as the key's new mark if it is above the current one.
     *
     * @return false for an event at or below the mark: already taken
     */
    boolean advance(String key, long seq, long nowMs) {
        Mark mark = lookup(key);
        if (mark.present && seq <= mark.seq) {
            return false;
        }
        mark.present = true;
        mark.seq = seq;
        mark.seenAtMs = nowMs;
        if (!mark.unsaved) {
            mark.unsaved = true;
            unsaved.add(mark);
        }
        return true;
    }

    /** The key's mark, or -1 when it has none. */
    long mark(String key) {
        Mark mark = lookup(key);
        return mark.present ? mark.seq : -1;
    }

    /** The key's mark as this task has it, read from the store the first time. */
    private Mark lookup(String key) {
        return known.computeIfAbsent(key, k -> new Mark(k, store.get(k)));
    }

    /** Writes the marks changed since the last save. */
    void save() {
        for (Mark mark : unsaved) {
            store.put(mark.key, new SeqMark(mark.seq, mark.seenAtMs));
            mark.unsaved = false;
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
