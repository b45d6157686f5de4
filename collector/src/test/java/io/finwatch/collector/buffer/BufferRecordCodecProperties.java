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
                              @ForAll @Size(max = 600) byte[] payload, @ForAll long at, @ForAll long ordinal,
                              @ForAll long offset) throws CorruptRecordException {
        BufferedEvent e = new BufferedEvent(kind, seq, key, payload);
        byte[] bytes = copy(codec.encode(e, BufferRecordCodec.keyBytes(e), at, ordinal, offset));
        StoredEvent d = codec.decode(42, bytes, bytes.length);
        assertThat(d.index()).isEqualTo(42);
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

    @Property
    void detectsAnySingleFlippedBit(@ForAll long seq, @ForAll @Size(min = 1, max = 300) byte[] payload,
                                    @ForAll @IntRange(min = 0, max = 100_000) int where,
                                    @ForAll @IntRange(min = 0, max = 7) int bit) {
        BufferedEvent e = new BufferedEvent(EventKind.TRANSITION, seq, "host-a", payload);
        byte[] bytes = copy(codec.encode(e, BufferRecordCodec.keyBytes(e), 1, 2, 3));
        int at = where % bytes.length;
        bytes[at] ^= (byte) (1 << bit);
        assertThatThrownBy(() -> codec.decode(0, bytes, bytes.length)).isInstanceOf(CorruptRecordException.class);
    }

    @Property
    void rejectsTruncatedRecords(@ForAll @Size(max = 300) byte[] payload,
                                 @ForAll @IntRange(min = 1, max = 400) int cut) {
        BufferedEvent e = new BufferedEvent(EventKind.HEARTBEAT, 1, "host-a", payload);
        byte[] bytes = copy(codec.encode(e, BufferRecordCodec.keyBytes(e), 1, 2, 3));
        int length = Math.max(0, bytes.length - cut);
        assertThatThrownBy(() -> codec.decode(0, bytes, length)).isInstanceOf(CorruptRecordException.class);
    }
}
