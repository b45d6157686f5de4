package io.finwatch.collector.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The byte layout of one buffered event inside a Chronicle excerpt (little-endian):
 *
 * <pre>
 *  u8  magic 0xFC (layout 2)   u8  kind ordinal
 *  i64 epoch   i64 seq   i64 appendedAtMillis   i64 ordinal   i64 offset
 *  i32 keyLength, key (UTF-8)   i32 payloadLength, payload
 *  i32 CRC32C of every byte above
 * </pre>
 *
 * <p>Layout 1 (magic 0xFB, written before epochs existed) is the same without {@code epoch}; it still decodes,
 * with epoch 0, so a queue left by an older collector is published after an upgrade.
 *
 * <p>The CRC covers the header fields as well as the payload: a flipped bit in {@code seq} would otherwise
 * silently publish a wrong sequence number, which downstream gap detection would misread as loss. The ordinal
 * counts records appended to this directory, across runs, without gaps: a reader that finds the next ordinal
 * missing knows records were lost in between, however they were lost. With the offset it also makes depth
 * accounting O(1) after a restart.
 */
final class BufferRecordCodec {
    static final byte MAGIC = (byte) 0xFC;
    static final byte MAGIC_V1 = (byte) 0xFB;
    /** Chronicle's per-excerpt header: a 32-bit length word; excerpts are padded to 4 bytes. */
    static final int EXCERPT_HEADER_BYTES = 4;
    private static final int FIXED_BYTES = 1 + 1 + 8 + 8 + 8 + 8 + 8 + 4 + 4 + 4;
    private static final int FIXED_BYTES_V1 = FIXED_BYTES - 8;

    private ByteBuffer scratch = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();

    /** Encoded length of an event, before Chronicle's header and padding. */
    static int encodedLength(BufferedEvent e, byte[] keyUtf8) {
        return FIXED_BYTES + keyUtf8.length + e.payload().length;
    }

    /** Bytes this record occupies in a cycle file: what the disk cap counts. */
    static int recordSize(int encodedLength) {
        return EXCERPT_HEADER_BYTES + ((encodedLength + 3) & ~3);
    }

    static byte[] keyBytes(BufferedEvent e) {
        return e.key().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Encodes into an internal buffer that stays valid until the next call; the returned buffer's position is 0
     * and its limit the encoded length.
     */
    ByteBuffer encode(BufferedEvent e, byte[] keyUtf8, long epoch, long appendedAtMillis, long ordinal, long offset) {
        int length = encodedLength(e, keyUtf8);
        if (scratch.capacity() < length) {
            scratch = ByteBuffer.allocate(Integer.highestOneBit(length) << 1).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer b = scratch.clear();
        b.put(MAGIC).put((byte) e.kind().ordinal())
                .putLong(epoch).putLong(e.seq()).putLong(appendedAtMillis).putLong(ordinal).putLong(offset)
                .putInt(keyUtf8.length).put(keyUtf8)
                .putInt(e.payload().length).put(e.payload());
        crc.reset();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** Decodes {@code length} bytes of {@code bytes}; {@code index} is only carried into the result. */
    StoredEvent decode(long index, byte[] bytes, int length) throws CorruptRecordException {
        return decode(index, bytes, 0, length);
    }

    /** As {@link #decode(long, byte[], int)}, for a record starting at {@code from}. */
    StoredEvent decode(long index, byte[] bytes, int from, int length) throws CorruptRecordException {
        if (length < 1) {
            throw new CorruptRecordException("empty excerpt");
        }
        byte magic = bytes[from];
        if (magic != MAGIC && magic != MAGIC_V1) {
            throw new CorruptRecordException(String.format("bad magic 0x%02x", magic & 0xFF));
        }
        boolean v1 = magic == MAGIC_V1;
        if (length < (v1 ? FIXED_BYTES_V1 : FIXED_BYTES)) {
            throw new CorruptRecordException("excerpt of " + length + " bytes is shorter than a record header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, from, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        int stored = b.getInt(length - 4);
        crc.reset();
        crc.update(bytes, from, length - 4);
        if ((int) crc.getValue() != stored) {
            throw new CorruptRecordException(String.format("CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                    stored, (int) crc.getValue()));
        }
        b.position(1);
        EventKind kind = EventKind.ofOrdinal(b.get());
        if (kind == null) {
            throw new CorruptRecordException("unknown event kind " + bytes[from + 1]);
        }
        long epoch = v1 ? 0 : b.getLong();
        long seq = b.getLong();
        long appendedAt = b.getLong();
        long ordinal = b.getLong();
        long offset = b.getLong();
        int keyLength = b.getInt();
        if (keyLength < 0 || keyLength > b.remaining() - 8) {
            throw new CorruptRecordException("key length " + keyLength + " exceeds the excerpt");
        }
        String key = new String(bytes, from + b.position(), keyLength, StandardCharsets.UTF_8);
        b.position(b.position() + keyLength);
        int payloadLength = b.getInt();
        if (payloadLength != b.remaining() - 4) {
            throw new CorruptRecordException("payload length " + payloadLength + " does not fill the excerpt");
        }
        byte[] payload = new byte[payloadLength];
        b.get(payload);
        return new StoredEvent(index, epoch, new BufferedEvent(kind, seq, key, payload), appendedAt, ordinal, offset,
                recordSize(length));
    }
}
