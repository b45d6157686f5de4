package io.finwatch.streams.aggregate;

import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.serde.FinwatchSerdeException;
import io.finwatch.schemas.state.DwellHistogram;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Dwell histograms to and from the dwell stores' values: a DwellHistogram record holding HdrHistogram's plain V2
 * encoding (counts as zig-zag varints with runs of empty buckets collapsed). That encoding is already compact for
 * dwell histograms, and a fold rewrites thousands of them; the library's compressed form sets up a
 * {@code Deflater} for every encode, which had made it most of the fold's cost.
 *
 * <p>Releases before the Avro store records stored the bare HdrHistogram encoding, plain or (before 2026-11)
 * compressed; both still read, told apart from the record by its single-object marker and from each other by
 * HdrHistogram's cookie.
 */
public final class DwellHistogramCodec {

    /** 1% resolution: plenty for "how long do sockets sit in FIN_WAIT2", and small encodings. */
    public static final int SIGNIFICANT_DIGITS = 2;

    /**
     * HdrHistogram's cookie of a compressed V2 encoding, its first four bytes once the word-size nibble
     * (bits 4-7) is masked; the plain encoding's cookie differs in the low bits.
     */
    private static final int COMPRESSED_V2_COOKIE = 0x1c849304;
    private static final int WORD_SIZE_BITS = 0xf0;

    private DwellHistogramCodec() {
    }

    /** An empty histogram that grows to any dwell. */
    public static Histogram empty() {
        return new Histogram(SIGNIFICANT_DIGITS);
    }

    /**
     * Encodes through one scratch buffer kept between calls: a fold encodes thousands of histograms, and a fresh
     * buffer of the uncompressed size each time was a good part of the cost. Not thread-safe; one per user.
     */
    public static final class Encoder {
        private final FinwatchSerde serde = FinwatchSerde.shared();
        private final DwellHistogram record = new DwellHistogram();
        private ByteBuffer scratch = ByteBuffer.allocate(0);

        public byte[] encode(Histogram h) {
            int needed = h.getNeededByteBufferCapacity();
            if (scratch.capacity() < needed) {
                scratch = ByteBuffer.allocate(needed);
            }
            scratch.clear();
            int length = h.encodeIntoByteBuffer(scratch);
            record.setHdrHistogram(ByteBuffer.wrap(scratch.array(), 0, length));
            return serde.encode(record);
        }
    }

    /** A store value back into a histogram; a value that is none is a bug or a foreign writer, not bad input. */
    public static Histogram decode(byte[] bytes) {
        try {
            if (FinwatchSerde.hasMarker(bytes)) {
                return decodeHdr(FinwatchSerde.shared().decode(bytes, DwellHistogram.class).getHdrHistogram());
            }
            return decodeHdr(ByteBuffer.wrap(bytes));
        } catch (FinwatchSerdeException | DataFormatException | IllegalArgumentException | IndexOutOfBoundsException
                 | BufferUnderflowException e) {
            throw new IllegalStateException("dwell store value (" + bytes.length + " bytes) is not an HdrHistogram encoding", e);
        }
    }

    private static Histogram decodeHdr(ByteBuffer hdr) throws DataFormatException {
        if (hdr.remaining() >= Integer.BYTES && (hdr.getInt(hdr.position()) & ~WORD_SIZE_BITS) == COMPRESSED_V2_COOKIE) {
            return Histogram.decodeFromCompressedByteBuffer(hdr, 0);
        }
        return Histogram.decodeFromByteBuffer(hdr, 0);
    }
}
