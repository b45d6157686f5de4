package io.finwatch.streams.aggregate;

import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The dwell of every ended FIN_WAIT2 episode, in the all-time, per-hour and per-minute histograms of its
 * host, of its process and of its workload on the host.
 *
 * <p>Re-encoding a histogram costs microseconds, and every episode touches six, so episodes are not folded in
 * one by one: ended episodes are pending until the punctuator folds all of them at once, so each histogram
 * touched is decoded and encoded once per punctuation however many episodes it took. Pending episodes are
 * held in memory and written right before each commit ({@link #save}, see {@code BeforeCommitStore}) as one
 * batch value per commit, so an episode costs no store write of its own. Under exactly-once an episode whose
 * end a commit covers is then either in that commit's pending batches or already in its histograms, never lost
 * or counted twice; one that ended after the last commit is ended again when its input is processed again.
 * Queries see an episode up to one fold interval late.
 *
 * <p>The histograms written last are also kept decoded, which spares the decode for hot hosts and
 * processes, and the bytes each slot was last written with are kept for many more slots, which spares the
 * store's read (a RocksDB get per slot and fold was a quarter of the fold): the fold is the only writer of
 * these stores, so the bytes it wrote last are what the store holds. The stores stay the truth (every fold
 * writes through), and both caches belong to one task instance, dropped on re-initialisation, when the stores
 * may have been restored to something else.
 */
public final class DwellAggregates {

    /**
     * Heap kept for decoded histograms, per instance. A histogram's counts take 10-20 KB at 1% resolution over dwells
     * of minutes to days, and each task has two instances (FIN_WAIT2 and CLOSE_WAIT): the 4,096 histograms each once
     * kept came to 0.5-1 GB of live heap on one JVM of six tasks, its collections then taking seconds; a fold that
     * touches more slots than fit gains nothing from them anyway. This is a few hundred.
     */
    static final long CACHED_BYTES = 4L << 20;
    /**
     * Heap kept for the bytes last written, per instance. Encoded, a histogram is tens of bytes to a few KB (runs of
     * empty buckets collapse), so this holds the current minute, hour and all-time slots of thousands of keys.
     */
    static final long WRITTEN_BYTES = 4L << 20;
    /** What a kept value costs besides its bytes: the slot, its key string, the map entry and the array header. */
    private static final int WRITTEN_OVERHEAD = 160;
    /** Most episodes one fold takes, so a backlog cannot stall the stream thread; the rest wait for the next fold. */
    private static final int FOLD_BATCH = 100_000;

    /**
     * Pending batches go under {@code "|" + 19-digit batch number}: no host starts with the key separator (the
     * decoder refuses such hosts), so no pending key of earlier versions, one episode under its connection key and
     * entry time ({@link EarlierPendingEpisode}), does; those are still folded.
     */
    private static final String BATCH_PREFIX = String.valueOf(StoreKeys.SEP);
    private static final EndedEpisodesSerde BATCHES = new EndedEpisodesSerde();

    private final KeyValueStore<String, byte[]> pending;
    /** Episodes ended since the last {@link #save}; made anew with this object at every processor init. */
    private final List<EndedEpisode> ended = new ArrayList<>();
    private long nextBatch;
    private final KeyValueStore<String, byte[]> allTime;
    private final WindowStore<String, byte[]> perMinute;
    private final WindowStore<String, byte[]> perHour;
    private final DwellHistogramCodec.Encoder encoder = new DwellHistogramCodec.Encoder();
    /** Least recently folded first; a histogram is taken out while it is changed, so its footprint here is the one counted. */
    private final Kept<Histogram> decoded = new Kept<>(CACHED_BYTES, Histogram::getEstimatedFootprintInBytes);
    /** The bytes each slot was last written with; least recently written first. */
    private final Kept<byte[]> written = new Kept<>(WRITTEN_BYTES, b -> b.length + WRITTEN_OVERHEAD);

    /** Values by slot, least recently put first, dropped from there while their sizes add up to more than a bound. */
    private static final class Kept<V> {
        private final LinkedHashMap<Slot, V> values = new LinkedHashMap<>();
        private final long maxBytes;
        private final ToLongFunction<V> size;
        private long bytes;

        Kept(long maxBytes, ToLongFunction<V> size) {
            this.maxBytes = maxBytes;
            this.size = size;
        }

        V get(Slot slot) {
            return values.get(slot);
        }

        V remove(Slot slot) {
            V v = values.remove(slot);
            if (v != null) {
                bytes -= size.applyAsLong(v);
            }
            return v;
        }

        void put(Slot slot, V v) {
            remove(slot);
            values.put(slot, v);
            bytes += size.applyAsLong(v);
            Iterator<V> eldest = values.values().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                bytes -= size.applyAsLong(eldest.next());
                eldest.remove();
            }
        }
    }

    /** Where one histogram lives: the all-time store (window -1) or a window store and window start. */
    private record Slot(String store, String key, long windowStart) {
    }

    public DwellAggregates(KeyValueStore<String, byte[]> pending, KeyValueStore<String, byte[]> allTime,
                           WindowStore<String, byte[]> perMinute, WindowStore<String, byte[]> perHour) {
        this.pending = pending;
        this.allTime = allTime;
        this.perMinute = perMinute;
        this.perHour = perHour;
        try (KeyValueIterator<String, byte[]> it = pending.reverseRange(BATCH_PREFIX, BATCH_PREFIX + Character.MAX_VALUE)) {
            this.nextBatch = it.hasNext() ? Long.parseLong(it.next().key.substring(BATCH_PREFIX.length())) + 1 : 0;
        }
    }

    /** Queues an ended episode. */
    public void record(String hostKey, String processKey, String workloadKey, long dwellMs, long endedAt) {
        ended.add(new EndedEpisode(hostKey, processKey, workloadKey, Math.max(0, dwellMs), endedAt));
    }

    /** Writes the episodes ended since the last save as one pending batch; runs right before each commit. */
    public void save() {
        if (ended.isEmpty()) {
            return;
        }
        pending.put(String.format("%s%019d", BATCH_PREFIX, nextBatch++), BATCHES.serializer().serialize(pending.name(),
                new EndedEpisodes(List.copyOf(ended))));
        ended.clear();
    }

    /** Folds the pending episodes (whole batches, up to about {@link #FOLD_BATCH}) into the histograms. */
    public void fold() {
        List<EndedEpisode> taken = new ArrayList<>(ended);
        ended.clear();
        List<String> folded = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            while (it.hasNext() && taken.size() < FOLD_BATCH) {
                KeyValue<String, byte[]> e = it.next();
                folded.add(e.key);
                if (e.key.startsWith(BATCH_PREFIX)) {
                    taken.addAll(BATCHES.deserializer().deserialize(pending.name(), e.value).episodes());
                } else {
                    taken.add(EarlierPendingEpisode.read(pending.name(), e.value));
                }
            }
        }
        if (taken.isEmpty()) {
            return;
        }
        Map<Slot, List<Long>> bySlot = new LinkedHashMap<>();
        for (EndedEpisode ep : taken) {
            long minute = ep.endedAt() - Math.floorMod(ep.endedAt(), StoreNames.DWELL_1M_WINDOW_MS);
            long hour = ep.endedAt() - Math.floorMod(ep.endedAt(), StoreNames.DWELL_1H_WINDOW_MS);
            for (String key : new String[] {ep.hostKey(), ep.processKey(), ep.workloadKey()}) {
                if (key == null) {
                    continue;
                }
                bySlot.computeIfAbsent(new Slot(StoreNames.DWELL_ALL_TIME, key, -1), s -> new ArrayList<>()).add(ep.dwellMs());
                bySlot.computeIfAbsent(new Slot(StoreNames.DWELL_1M, key, minute), s -> new ArrayList<>()).add(ep.dwellMs());
                bySlot.computeIfAbsent(new Slot(StoreNames.DWELL_1H, key, hour), s -> new ArrayList<>()).add(ep.dwellMs());
            }
        }
        bySlot.forEach(this::add);
        for (String key : folded) {
            pending.delete(key);
        }
    }

    private void add(Slot slot, List<Long> values) {
        Histogram h = decoded.remove(slot);
        if (h == null) {
            byte[] stored = written.get(slot);
            if (stored == null) {
                stored = switch (slot.store()) {
                    case StoreNames.DWELL_ALL_TIME -> allTime.get(slot.key());
                    case StoreNames.DWELL_1M -> perMinute.fetch(slot.key(), slot.windowStart());
                    default -> perHour.fetch(slot.key(), slot.windowStart());
                };
            }
            h = stored == null ? DwellHistogramCodec.empty() : DwellHistogramCodec.decode(stored);
        }
        values.forEach(h::recordValue);
        byte[] encoded = encoder.encode(h);
        switch (slot.store()) {
            case StoreNames.DWELL_ALL_TIME -> allTime.put(slot.key(), encoded);
            case StoreNames.DWELL_1M -> perMinute.put(slot.key(), encoded, slot.windowStart());
            default -> perHour.put(slot.key(), encoded, slot.windowStart());
        }
        decoded.put(slot, h);
        written.put(slot, encoded);
    }

    /** Bytes of decoded histograms kept; for tests. */
    long cachedBytes() {
        return decoded.bytes;
    }

    /** Bytes of written values kept, with their overhead; for tests. */
    long writtenBytes() {
        return written.bytes;
    }
}
