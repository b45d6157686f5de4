package io.finwatch.streams.serde;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Store values that change with every FIN_WAIT2 transition, in a small binary form: a format byte, then
 * the fields in a fixed order (big-endian numbers, strings as a length and UTF-8, length -1 for null).
 * Jackson spent more time reading and writing these than the detector spent deciding anything.
 *
 * <p>Values written as JSON by earlier versions (in a changelog or a state directory being upgraded)
 * start with {@code '{'}, never with the format byte, and are still read, through {@link JsonSerde}; a
 * value is rewritten in the binary form the next time it changes.
 */
public abstract class CompactSerde<T> implements Serde<T> {

    /** First byte of every value in this form; a later change of the field list takes the next number. */
    static final byte FORMAT_1 = 1;

    private final Class<T> type;
    private final Deserializer<T> legacy;

    protected CompactSerde(Class<T> type) {
        this.type = type;
        this.legacy = new JsonSerde<>(type).deserializer();
    }

    /** Writes the fields of a non-null value. */
    protected abstract void write(T value, Out out);

    /** Reads back what {@link #write} wrote. */
    protected abstract T read(In in);

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            Out out = new Out();
            out.put(FORMAT_1);
            write(value, out);
            return out.toBytes();
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == '{') {
                return legacy.deserialize(topic, bytes);
            }
            if (bytes.length == 0 || bytes[0] != FORMAT_1) {
                throw new SerializationException("a stored " + type.getSimpleName() + " in " + topic + " starts with "
                        + (bytes.length == 0 ? "nothing" : String.format("0x%02x", bytes[0])) + ", neither format " + FORMAT_1 + " nor JSON");
            }
            In in = new In(ByteBuffer.wrap(bytes, 1, bytes.length - 1));
            try {
                T value = read(in);
                if (in.buffer.hasRemaining()) {
                    throw new SerializationException(in.buffer.remaining() + " bytes follow a stored " + type.getSimpleName() + " in " + topic);
                }
                return value;
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                throw new SerializationException("a stored " + type.getSimpleName() + " in " + topic + " is cut short or corrupt", e);
            }
        };
    }

    /** A growing big-endian buffer. */
    public static final class Out {
        private ByteBuffer buffer = ByteBuffer.allocate(128);

        void put(byte b) {
            room(1).put(b);
        }

        public void putBoolean(boolean b) {
            room(1).put(b ? (byte) 1 : 0);
        }

        public void putInt(int i) {
            room(Integer.BYTES).putInt(i);
        }

        public void putLong(long l) {
            room(Long.BYTES).putLong(l);
        }

        /** An int or null, as a presence byte and the value. */
        public void putNullableInt(Integer i) {
            putBoolean(i != null);
            if (i != null) {
                putInt(i);
            }
        }

        /** A long or null, as a presence byte and the value. */
        public void putNullableLong(Long l) {
            putBoolean(l != null);
            if (l != null) {
                putLong(l);
            }
        }

        public void putString(String s) {
            if (s == null) {
                putInt(-1);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            putInt(utf8.length);
            room(utf8.length).put(utf8);
        }

        private ByteBuffer room(int n) {
            if (buffer.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + n));
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
            return buffer;
        }

        byte[] toBytes() {
            return Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    /** Reads what {@link Out} wrote; running past the end throws {@link BufferUnderflowException}. */
    public static final class In {
        private final ByteBuffer buffer;

        In(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        public boolean getBoolean() {
            return buffer.get() != 0;
        }

        public int getInt() {
            return buffer.getInt();
        }

        public long getLong() {
            return buffer.getLong();
        }

        public Integer getNullableInt() {
            return getBoolean() ? buffer.getInt() : null;
        }

        public Long getNullableLong() {
            return getBoolean() ? buffer.getLong() : null;
        }

        public String getString() {
            int length = buffer.getInt();
            if (length < 0) {
                return null;
            }
            if (length > buffer.remaining()) {
                throw new BufferUnderflowException();
            }
            String s = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length, StandardCharsets.UTF_8);
            buffer.position(buffer.position() + length);
            return s;
        }
    }
}
