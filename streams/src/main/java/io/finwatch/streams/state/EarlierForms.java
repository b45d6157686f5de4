package io.finwatch.streams.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Reads store values in the two forms releases before the Avro store records wrote, so a state directory or
 * changelog they left behind keeps working; nothing writes these forms any more.
 *
 * <ul>
 * <li><b>JSON</b> (before 2026-11): Jackson's form of the value's Java record, starting with '{'.
 * <li><b>Compact, format 1</b> (2026-11 until the Avro records): the format byte 1, then the record's fields in
 *     declaration order, numbers big-endian, a nullable int or long as a presence byte and the value, a string
 *     as its UTF-8 length (-1 for null) and bytes, a list as its size and its elements.
 * </ul>
 * A value still in one of them is rewritten as Avro the next time it changes; one that never changes again (the
 * summary of a host never heard from since) stays readable through this class.
 */
public final class EarlierForms {

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final byte FORMAT_1 = 1;

    private EarlierForms() {
    }

    /**
     * A value in either form.
     *
     * @param compact reads the fields of the compact form, in order
     * @throws IllegalArgumentException when the bytes are in neither form, are cut short or carry extra bytes
     */
    public static <T> T read(byte[] bytes, Class<T> type, Function<Fields, T> compact) {
        if (bytes[0] == '{') {
            try {
                return JSON.readerFor(type).readValue(bytes);
            } catch (IOException e) {
                throw new IllegalArgumentException("is not the JSON of a " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        if (bytes[0] != FORMAT_1) {
            throw new IllegalArgumentException(String.format("starts with 0x%02x: neither Avro nor an earlier form (format %d, JSON)",
                    bytes[0], FORMAT_1));
        }
        Fields in = new Fields(ByteBuffer.wrap(bytes, 1, bytes.length - 1));
        T value;
        try {
            value = compact.apply(in);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("format " + FORMAT_1 + " value cut short or corrupt (" + e + ")", e);
        }
        if (in.buffer.hasRemaining()) {
            throw new IllegalArgumentException(in.buffer.remaining() + " bytes follow a format " + FORMAT_1 + " value");
        }
        return value;
    }

    /** The fields of a compact value, read in order; running past the end throws. */
    public static final class Fields {
        private final ByteBuffer buffer;

        private Fields(ByteBuffer buffer) {
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
                throw new IllegalArgumentException("a string of " + length + " bytes with " + buffer.remaining() + " left");
            }
            String s = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length, StandardCharsets.UTF_8);
            buffer.position(buffer.position() + length);
            return s;
        }

        /** The size of a list that follows. */
        public int getCount() {
            int n = buffer.getInt();
            if (n < 0) {
                throw new IllegalArgumentException("negative count " + n);
            }
            return n;
        }
    }
}
