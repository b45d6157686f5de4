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
        return new Encoder().encode(h);
    }

    /**
     * Encodes through one scratch buffer kept between calls: a fold encodes thousands of histograms, and a fresh
     * buffer of the uncompressed size each time was a good part of the cost. Not thread-safe; one per user.
     */
    public static final class Encoder {
        private ByteBuffer scratch = ByteBuffer.allocate(0);

        public byte[] encode(Histogram h) {
            int needed = h.getNeededByteBufferCapacity();
            if (scratch.capacity() < needed) {
                scratch = ByteBuffer.allocate(needed);
            }
            scratch.clear();
            // Fastest deflate: these are rewritten at every fold that touches them and are small either way.
            int length = h.encodeIntoCompressedByteBuffer(scratch, Deflater.BEST_SPEED);
            return Arrays.copyOf(scratch.array(), length);
        }
    }

    public static Histogram decode(byte[] bytes) {
        return DwellStats.decodeBuffer(ByteBuffer.wrap(bytes));
    }
}
