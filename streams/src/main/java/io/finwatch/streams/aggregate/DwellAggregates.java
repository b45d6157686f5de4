package io.finwatch.streams.aggregate;

import io.finwatch.streams.topology.StoreNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The dwell of every ended FIN_WAIT2 episode, in the all-time, per-hour and per-minute histograms of its
 * host and of its process.
 *
 * <p>Re-encoding a compressed histogram costs tens of microseconds, and every episode touches six, so
 * episodes are not folded in one by one: an ended episode is first written to a pending store, and the
 * punctuator folds all pending episodes at once, so each histogram touched is decoded and encoded once per
 * punctuation however many episodes it took. Both stores are ordinary changelogged stores written by the
 * stream thread, so under exactly-once an episode is either still pending or already in the histograms
 * after any crash, never lost or counted twice. Queries see an episode up to one fold interval late.
 *
 * <p>The histograms written last are also kept decoded, which spares the decode for hot hosts and
 * processes: the stores stay the truth (every fold writes through), and the cache belongs to one task
 * instance, dropped on re-initialisation, when the stores may have been restored to something else.
 */
public final class DwellAggregates {

    private static final int CACHED = 4096;
    /** Most episodes one fold takes, so a backlog cannot stall the stream thread; the rest wait for the next fold. */
    private static final int FOLD_BATCH = 100_000;

    private final KeyValueStore<String, EndedEpisode> pending;
    private final KeyValueStore<String, byte[]> allTime;
    private final WindowStore<String, byte[]> perMinute;
    private final WindowStore<String, byte[]> perHour;
    private final DwellHistogramCodec.Encoder encoder = new DwellHistogramCodec.Encoder();
    private final Map<Slot, Histogram> decoded = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Slot, Histogram> eldest) {
            return size() > CACHED;
        }
    };

    /** Where one histogram lives: the all-time store (window -1) or a window store and window start. */
    private record Slot(String store, String key, long windowStart) {
    }

    public DwellAggregates(KeyValueStore<String, EndedEpisode> pending, KeyValueStore<String, byte[]> allTime,
                           WindowStore<String, byte[]> perMinute, WindowStore<String, byte[]> perHour) {
        this.pending = pending;
        this.allTime = allTime;
        this.perMinute = perMinute;
        this.perHour = perHour;
    }

    /** Queues an ended episode; {@code episodeKey} is unique per episode (its connection and entry time). */
    public void record(String episodeKey, String hostKey, String processKey, long dwellMs, long endedAt) {
        pending.put(episodeKey, new EndedEpisode(hostKey, processKey, Math.max(0, dwellMs), endedAt));
    }

    /** Folds the pending episodes (up to a batch) into the histograms. */
    public void fold() {
        List<KeyValue<String, EndedEpisode>> taken = new ArrayList<>();
        try (KeyValueIterator<String, EndedEpisode> it = pending.all()) {
            while (it.hasNext() && taken.size() < FOLD_BATCH) {
                taken.add(it.next());
            }
        }
        if (taken.isEmpty()) {
            return;
        }
        Map<Slot, List<Long>> bySlot = new LinkedHashMap<>();
        for (KeyValue<String, EndedEpisode> e : taken) {
            EndedEpisode ep = e.value;
            long minute = ep.endedAt() - Math.floorMod(ep.endedAt(), StoreNames.DWELL_1M_WINDOW_MS);
            long hour = ep.endedAt() - Math.floorMod(ep.endedAt(), StoreNames.DWELL_1H_WINDOW_MS);
            for (String key : new String[] {ep.hostKey(), ep.processKey()}) {
                bySlot.computeIfAbsent(new Slot(StoreNames.DWELL_ALL_TIME, key, -1), s -> new ArrayList<>()).add(ep.dwellMs());
                bySlot.computeIfAbsent(new Slot(StoreNames.DWELL_1M, key, minute), s -> new ArrayList<>()).add(ep.dwellMs());
                bySlot.computeIfAbsent(new Slot(StoreNames.DWELL_1H, key, hour), s -> new ArrayList<>()).add(ep.dwellMs());
            }
        }
        bySlot.forEach(this::add);
        for (KeyValue<String, EndedEpisode> e : taken) {
            pending.delete(e.key);
        }
    }

    private void add(Slot slot, List<Long> values) {
        Histogram h = decoded.get(slot);
        if (h == null) {
            byte[] stored = switch (slot.store()) {
                case StoreNames.DWELL_ALL_TIME -> allTime.get(slot.key());
                case StoreNames.DWELL_1M -> perMinute.fetch(slot.key(), slot.windowStart());
                default -> perHour.fetch(slot.key(), slot.windowStart());
            };
            h = stored == null ? DwellHistogramCodec.empty() : DwellHistogramCodec.decode(stored);
            decoded.put(slot, h);
        }
        values.forEach(h::recordValue);
        byte[] encoded = encoder.encode(h);
        switch (slot.store()) {
            case StoreNames.DWELL_ALL_TIME -> allTime.put(slot.key(), encoded);
            case StoreNames.DWELL_1M -> perMinute.put(slot.key(), encoded, slot.windowStart());
            default -> perHour.put(slot.key(), encoded, slot.windowStart());
        }
    }
}
