package io.finwatch.streams.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.schemas.serde.FinwatchSerde;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class DwellHistogramCodecTest {

    static Histogram sample(long seed, int values) {
        Random random = new Random(seed);
        Histogram h = DwellHistogramCodec.empty();
        for (int i = 0; i < values; i++) {
            h.recordValue(50 + (long) (Math.abs(random.nextGaussian()) * 20_000));
        }
        return h;
    }

    @Test
    void roundTripKeepsEveryCount() {
        Histogram h = sample(1, 5000);
        Histogram back = DwellHistogramCodec.decode(new DwellHistogramCodec.Encoder().encode(h));
        assertThat(back).isEqualTo(h);
        assertThat(DwellStats.of(back)).isEqualTo(DwellStats.of(h));
    }

    @Test
    void valuesWrittenCompressedByEarlierVersionsStillRead() {
        Histogram h = sample(2, 3000);
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer, Deflater.BEST_SPEED);
        assertThat(DwellHistogramCodec.decode(Arrays.copyOf(buffer.array(), length))).isEqualTo(h);
    }

    @Test
    void valuesAreDwellHistogramRecordsAndBareEncodingsOfEarlierReleasesStillRead() {
        Histogram h = sample(5, 2000);
        assertThat(FinwatchSerde.shared().identifyOrThrow(new DwellHistogramCodec.Encoder().encode(h)).recordName()).isEqualTo("DwellHistogram");
        ByteBuffer bare = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoByteBuffer(bare);
        assertThat(DwellHistogramCodec.decode(Arrays.copyOf(bare.array(), length))).isEqualTo(h);
    }

    @Test
    void aDecodedHistogramStillTakesAnyDwell() {
        Histogram back = DwellHistogramCodec.decode(new DwellHistogramCodec.Encoder().encode(sample(3, 10)));
        back.recordValue(86_400_000L * 30);
        assertThat(back.getMaxValue()).isGreaterThanOrEqualTo(86_400_000L * 30 * 99 / 100);
    }

    @Test
    void oneEncoderServesHistogramsOfAnySize() {
        DwellHistogramCodec.Encoder encoder = new DwellHistogramCodec.Encoder();
        Histogram big = sample(4, 10_000);
        Histogram small = DwellHistogramCodec.empty();
        small.recordValue(7);
        assertThat(DwellHistogramCodec.decode(encoder.encode(big))).isEqualTo(big);
        assertThat(DwellHistogramCodec.decode(encoder.encode(small))).isEqualTo(small);
    }

    @Test
    void bytesThatAreNoHistogramAreAnErrorNamingTheStoreValue() {
        assertThatThrownBy(() -> DwellHistogramCodec.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dwell store value (8 bytes)");
        assertThatThrownBy(() -> DwellHistogramCodec.decode(new byte[] {1}))
                .isInstanceOf(IllegalStateException.class);
        byte[] cut = Arrays.copyOf(new DwellHistogramCodec.Encoder().encode(sample(6, 100)), 20);
        assertThatThrownBy(() -> DwellHistogramCodec.decode(cut))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dwell store value (20 bytes)");
    }
}
