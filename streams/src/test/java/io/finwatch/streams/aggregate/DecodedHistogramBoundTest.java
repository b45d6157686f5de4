package io.finwatch.streams.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.streams.state.StoreNames;
import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * The decoded histograms and written bytes a fold keeps are bounded by their bytes, and a histogram dropped from both is
 * read back from its store whole.
 */
class DecodedHistogramBoundTest {

    private static final long T0 = 1_780_000_000_000L;
    private static final long DAY_MS = 86_400_000L;

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

    @Test
    void aFoldOverMoreSlotsThanFitKeepsItsBoundAndAnEvictedHistogramIsReadBackWhole() {
        DwellAggregates agg = new DwellAggregates(init(kv("pending")), init(kv(StoreNames.DWELL_ALL_TIME)),
                init(window(StoreNames.DWELL_1M, StoreNames.DWELL_1M_WINDOW_MS, StoreNames.DWELL_1M_RETENTION_MS)),
                init(window(StoreNames.DWELL_1H, StoreNames.DWELL_1H_WINDOW_MS, StoreNames.DWELL_1H_RETENTION_MS)));
        KeyValueStore<String, byte[]> allTime = context.getStateStore(StoreNames.DWELL_ALL_TIME);
        // Day-long dwells: each histogram's counts span every bucket up to a day, ~20 KB.
        // Enough slots that their written bytes overflow that cache too, so the first ones are dropped from both.
        int processes = 12_000;
        for (int i = 0; i < processes; i++) {
            agg.record("h1", "h1|p" + i, null, DAY_MS + i, T0);
        }
        agg.fold();

        Histogram one = DwellHistogramCodec.decode(allTime.get("h1|p0"));
        assertThat(one.getTotalCount()).isEqualTo(1);
        long slotsKept = agg.cachedBytes() / one.getEstimatedFootprintInBytes();
        assertThat(agg.cachedBytes()).isPositive().isLessThanOrEqualTo(DwellAggregates.CACHED_BYTES);
        assertThat(slotsKept).as("histograms kept of the %d folded", processes * 3 + 3).isLessThan(processes);
        assertThat(agg.writtenBytes()).isGreaterThan(DwellAggregates.WRITTEN_BYTES / 2).isLessThanOrEqualTo(DwellAggregates.WRITTEN_BYTES);

        // p0 was folded first, so neither cache keeps it: its next value goes onto the stored histogram, not a new one.
        agg.record("h1", "h1|p0", null, 2 * DAY_MS, T0 + 1);
        agg.fold();
        Histogram again = DwellHistogramCodec.decode(allTime.get("h1|p0"));
        assertThat(again.getTotalCount()).isEqualTo(2);
        assertThat(again.getMaxValue()).isEqualTo(again.highestEquivalentValue(2 * DAY_MS));
        assertThat(DwellHistogramCodec.decode(allTime.get("h1")).getTotalCount()).isEqualTo(processes + 1);
        assertThat(agg.cachedBytes()).isLessThanOrEqualTo(DwellAggregates.CACHED_BYTES);
        assertThat(agg.writtenBytes()).isLessThanOrEqualTo(DwellAggregates.WRITTEN_BYTES);
    }

    private KeyValueStore<String, byte[]> kv(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
    }

    private WindowStore<String, byte[]> window(String name, long size, long retention) {
        return Stores.windowStoreBuilder(Stores.inMemoryWindowStore(name, Duration.ofMillis(retention), Duration.ofMillis(size), false),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
    }

    private <S extends StateStore> S init(S store) {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }
}
