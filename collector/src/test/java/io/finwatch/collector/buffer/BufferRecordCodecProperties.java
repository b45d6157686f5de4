package io.finwatch.collector.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class BufferRecordCodecProperties {
    private final BufferRecordCodec codec = new BufferRecordCodec();

    private static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.limit()];
        b.get(0, out);
        return out;
    }

    @Property
    void decodesWhatItEncoded(@ForAll EventKind kind, @ForAll long seq, @ForAll @StringLength(max = 64) String key,
                              @ForAll @Size(max = 600) byte[] payload, @ForAll long epoch, @ForAll long at,
                              @ForAll long ordinal, @ForAll long offset) throws CorruptRecordException {
        BufferedEvent e = new BufferedEvent(kind, seq, key, payload);
        byte[] bytes = copy(codec.encode(e, BufferRecordCodec.keyBytes(e), epoch, at, ordinal, offset));
        StoredEvent d = codec.decode(42, bytes, bytes.length);
        assertThat(d.index()).isEqualTo(42);
        assertThat(d.epoch()).isEqualTo(epoch);
        assertThat(d.event().kind()).isEqualTo(kind);
        assertThat(d.event().seq()).isEqualTo(seq);
        assertThat(d.event().key()).isEqualTo(new String(BufferRecordCodec.keyBytes(e),
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(d.event().payload()).isEqualTo(payload);
        assertThat(d.appendedAtMillis()).isEqualTo(at);
        assertThat(d.ordinal()).isEqualTo(ordinal);
        assertThat(d.offset()).isEqualTo(offset);
        assertThat(d.size()).isEqualTo(BufferRecordCodec.recordSize(bytes.length));
    }

    /** Layout 1, as collectors before epochs wrote it, byte by byte: it still reads, as epoch 0. */
    @Property
    void readsTheLayoutWrittenBeforeEpochs(@ForAll long seq, @ForAll @Size(max = 300) byte[] payload, @ForAll long at,
                                          @ForAll long ordinal, @ForAll long offset) throws CorruptRecordException {
        byte[] key = "host-a".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 1 + 4 * 8 + 4 + key.length + 4 + payload.length + 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xFB).put((byte) EventKind.HEARTBEAT.ordinal()).putLong(seq).putLong(at).putLong(ordinal)
                .putLong(offset).putInt(key.length).put(key).putInt(payload.length).put(payload);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        StoredEvent d = codec.decode(7, b.array(), b.position());
        assertThat(d.epoch()).isZero();
        assertThat(d.event()).usingRecursiveComparison().isEqualTo(new BufferedEvent(EventKind.HEARTBEAT, seq, "host-a",
                payload));
        assertThat(d.appendedAtMillis()).isEqualTo(at);
        assertThat(d.ordinal()).isEqualTo(ordinal);
        assertThat(d.offset()).isEqualTo(offset);
    }

    @Property
    void detectsAnySingleFlippedBit(@ForAll long seq, @ForAll @Size(min = 1, max = 300) byte[] payload,
                                    @ForAll @IntRange(min = 0, max = 100_000) int where,
                                    @ForAll @IntRange(min = 0, max = 7) int bit) {
        BufferedEvent e = new BufferedEvent(EventKind.TRANSITION, seq, "host-a", payload);
        byte[] bytes = copy(codec.encode(e, BufferRecordCodec.keyBytes(e), 9, 1, 2, 3));
        int at = where % bytes.length;
        bytes[at] ^= (byte) (1 << bit);
        assertThatThrownBy(() -> codec.decode(0, bytes, bytes.length)).isInstanceOf(CorruptRecordException.class);
    }

    @Property
    void rejectsTruncatedRecords(@ForAll @Size(max = 300) byte[] payload,
                                 @ForAll @IntRange(min = 1, max = 400) int cut) {
        BufferedEvent e = new BufferedEvent(EventKind.HEARTBEAT, 1, "host-a", payload);
        byte[] bytes = copy(codec.encode(e, BufferRecordCodec.keyBytes(e), 9, 1, 2, 3));
        int length = Math.max(0, bytes.length - cut);
        assertThatThrownBy(() -> codec.decode(0, bytes, length)).isInstanceOf(CorruptRecordException.class);
    }
}
