package io.finwatch.streams.aggregate;

import io.finwatch.streams.topology.StoreNames;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Records the dwell of every ended FIN_WAIT2 episode into the all-time, per-hour and per-minute
 * histograms of its host and of its process.
 *
 * <p>Decoding a compressed histogram costs about as much as encoding it, so the task keeps the decoded
 * histograms it wrote last: the stores stay the truth (every update is written through), the cache only
 * spares the decode. It is per task instance and dropped on re-initialisation, when the stores may have
 * been restored to something else.
 */
public final class DwellAggregates {

    private static final int CACHED = 4096;

    private final KeyValueStore<String, byte[]> allTime;
    private final WindowStore<String, byte[]> perMinute;
    private final WindowStore<String, byte[]> perHour;
    private final Map<String, Histogram> decoded = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Histogram> eldest) {
            return size() > CACHED;
        }
    };

    public DwellAggregates(KeyValueStore<String, byte[]> allTime, WindowStore<String, byte[]> perMinute,
                           WindowStore<String, byte[]> perHour) {
        this.allTime = allTime;
        this.perMinute = perMinute;
        this.perHour = perHour;
    }

    public void record(String hostKey, String processKey, long dwellMs, long endedAt) {
        long value = Math.max(0, dwellMs);
        for (String key : new String[] {hostKey, processKey}) {
            recordAllTime(key, value);
            recordWindow(perMinute, "m", key, endedAt - Math.floorMod(endedAt, StoreNames.DWELL_1M_WINDOW_MS), value);
            recordWindow(perHour, "h", key, endedAt - Math.floorMod(endedAt, StoreNames.DWELL_1H_WINDOW_MS), value);
        }
    }

    private void recordAllTime(String key, long value) {
        String cacheKey = "a|" + key;
        Histogram h = decoded.get(cacheKey);
        if (h == null) {
            byte[] stored = allTime.get(key);
            h = stored == null ? DwellHistogramCodec.empty() : DwellHistogramCodec.decode(stored);
            decoded.put(cacheKey, h);
        }
        h.recordValue(value);
        allTime.put(key, DwellHistogramCodec.encode(h));
    }

    private void recordWindow(WindowStore<String, byte[]> store, String tag, String key, long windowStart, long value) {
        String cacheKey = tag + windowStart + '|' + key;
        Histogram h = decoded.get(cacheKey);
        if (h == null) {
            byte[] stored = store.fetch(key, windowStart);
            h = stored == null ? DwellHistogramCodec.empty() : DwellHistogramCodec.decode(stored);
            decoded.put(cacheKey, h);
        }
        h.recordValue(value);
        store.put(key, DwellHistogramCodec.encode(h), windowStart);
    }
}
