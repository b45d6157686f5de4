package io.finwatch.streams.aggregate;

import org.HdrHistogram.Histogram;

/**
 * Summary of a dwell histogram from the dwell stores, in milliseconds. Percentiles carry HdrHistogram's
 * precision ({@link DwellHistogramCodec#SIGNIFICANT_DIGITS} significant digits).
 */
public record DwellStats(long count, long p50, long p90, long p99, long max) {

    public static DwellStats of(Histogram h) {
        return new DwellStats(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getMaxValue());
    }

    /** Summary of a store value. */
    public static DwellStats of(byte[] storeValue) {
        return of(decode(storeValue));
    }

    /** A store value back into a histogram, e.g. to merge several windows with {@code Histogram.add}. */
    public static Histogram decode(byte[] storeValue) {
        return DwellHistogramCodec.decode(storeValue);
    }
}
