package io.finwatch.streams.detect;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Open counts as two big-endian longs (attached, orphaned): two of them change with every episode start and end. */
public final class OpenCountsSerde implements Serde<OpenCounts> {

    @Override
    public Serializer<OpenCounts> serializer() {
        return (topic, c) -> c == null ? null : ByteBuffer.allocate(16).putLong(c.attached()).putLong(c.orphaned()).array();
    }

    @Override
    public Deserializer<OpenCounts> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length != 16) {
                throw new SerializationException("open counts are 16 bytes, got " + bytes.length + " in " + topic);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            return new OpenCounts(b.getLong(), b.getLong());
        };
    }
}
