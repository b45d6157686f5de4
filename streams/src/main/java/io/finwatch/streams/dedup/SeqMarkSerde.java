package io.finwatch.streams.dedup;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A mark as two big-endian longs (seq, seenAtMs): 16 bytes and no parser.
 */
public final class SeqMarkSerde implements Serde<SeqMark> {

    @Override
    public Serializer<SeqMark> serializer() {
        return (topic, mark) -> mark == null ? null : ByteBuffer.allocate(16).putLong(mark.seq()).putLong(mark.seenAtMs()).array();
    }

    @Override
    public Deserializer<SeqMark> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length != 16) {
                throw new SerializationException("a dedup mark is 16 bytes, got " + bytes.length + " in " + topic);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            return new SeqMark(b.getLong(), b.getLong());
        };
    }
}
