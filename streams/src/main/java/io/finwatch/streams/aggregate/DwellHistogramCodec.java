package io.finwatch.streams.aggregate;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.HdrHistogram.Histogram;

/** Dwell histograms to and from store bytes, with HdrHistogram's own compressed encoding. */
public final class DwellHistogramCodec {

    /** 1% resolution: plenty for "how long do sockets sit in FIN_WAIT2", and small encodings. */
    public static final int SIGNIFICANT_DIGITS = 2;

    private DwellHistogramCodec() {
    }

    /** An empty histogram that grows to any dwell. */
    public static Histogram empty() {
        return new Histogram(SIGNIFICANT_DIGITS);
    }

    public static byte[] encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        // Fastest deflate: these are rewritten on every ended episode and are small either way.
        int length = h.encodeIntoCompressedByteBuffer(buffer, Deflater.BEST_SPEED);
        return Arrays.copyOf(buffer.array(), length);
    }

    public static Histogram decode(byte[] bytes) {
        return DwellStats.decodeBuffer(ByteBuffer.wrap(bytes));
    }
}
