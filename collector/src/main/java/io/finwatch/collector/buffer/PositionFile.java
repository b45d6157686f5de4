package io.finwatch.collector.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The newest appended and the newest acknowledged record, kept in a small memory-mapped file beside the queue
 * ({@value #NAME}). Written at every append and every acknowledgement (a few stores into the page cache, so a
 * kill -9 loses nothing), and read at the next start. Kept apart from the cycle files so that a damaged or
 * truncated cycle file cannot take with it the knowledge of how far numbering went: that is what lets the next
 * run continue the sequence and declare exactly which numbers the damage took.
 *
 * <p>Each position has two slots, written alternately with a generation number and a CRC32C: a process killed
 * half-way through writing one leaves the other, one record older, intact. A slot whose CRC does not match is
 * ignored; a file that is not ours at all is reported by {@link #read} and quarantined by the caller.
 *
 * <p>Layout (little-endian): magic at 0; appended slots at 64 and 128; acknowledged slots at 192 and 256; a slot
 * is generation, epoch, seq, ordinal, offsetEnd (i64 each), then the CRC32C of those 40 bytes (i32).
 */
final class PositionFile {
    static final String NAME = "finwatch.positions";
    private static final long MAGIC = 0x3130_534f_5057_4623L; // "#FWPOS01", little-endian
    private static final int SIZE = 4096;
    private static final int APPENDED = 64;
    private static final int ACKED = 192;
    private static final int SLOT = 64;
    private static final int FIELDS = 40;

    /** A record's place: the run that numbered it, its seq, its ordinal and the record bytes up to its end. */
    record Position(long epoch, long seq, long ordinal, long offsetEnd) {
        static Position of(StoredEvent e) {
            return new Position(e.epoch(), e.event().seq(), e.ordinal(), e.endOffset());
        }
    }

    /** What a previous run left: either position may be null (never written, or both slots damaged). */
    record Contents(Position appended, Position acked) {
    }

    private final Slots appended;
    private final Slots acked;

    private PositionFile(MappedByteBuffer map, Contents contents) {
        this.appended = new Slots(map.duplicate().order(ByteOrder.LITTLE_ENDIAN), APPENDED);
        this.acked = new Slots(map.duplicate().order(ByteOrder.LITTLE_ENDIAN), ACKED);
        appended.generation = contents == null ? 0 : generationOf(map, APPENDED);
        acked.generation = contents == null ? 0 : generationOf(map, ACKED);
    }

    /**
     * What {@code dir}'s file holds: null when there is none.
     *
     * @throws CorruptRecordException when the file is not a position file
     */
    static Contents read(Path dir) throws IOException, CorruptRecordException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != SIZE) {
            throw new CorruptRecordException("a position file is " + SIZE + " bytes, this one " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(0) != MAGIC) {
            throw new CorruptRecordException(String.format("bad magic 0x%016x", b.getLong(0)));
        }
        return new Contents(newest(b, APPENDED), newest(b, ACKED));
    }

    /** Maps {@code dir}'s file for writing, creating it when absent. */
    static PositionFile open(Path dir, Contents contents) throws IOException {
        Path file = dir.resolve(NAME);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (contents == null) {
                ch.truncate(0);
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            map.order(ByteOrder.LITTLE_ENDIAN).putLong(0, MAGIC);
            return new PositionFile(map, contents);
        }
    }

    /** Called under the buffer's append lock. */
    void appended(Position p) {
        appended.write(p);
    }

    /** Called by the acknowledging thread only. */
    void acked(Position p) {
        acked.write(p);
    }

    private static Position newest(ByteBuffer b, int base) {
        Position best = null;
        long bestGeneration = -1;
        for (int s = 0; s < 2; s++) {
            int at = base + s * SLOT;
            long generation = b.getLong(at);
            if (generation > bestGeneration && generation > 0 && crc(b, at) == b.getInt(at + FIELDS)) {
                bestGeneration = generation;
                best = new Position(b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24), b.getLong(at + 32));
            }
        }
        return best;
    }

    private static long generationOf(ByteBuffer b, int base) {
        ByteBuffer view = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return Math.max(view.getLong(base), view.getLong(base + SLOT));
    }

    private static int crc(ByteBuffer b, int at) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(at).limit(at + FIELDS));
        return (int) crc.getValue();
    }

    /** One position's two slots; one writer at a time. */
    private static final class Slots {
        private final ByteBuffer map;
        private final int base;
        private final CRC32C crc = new CRC32C();
        long generation;

        Slots(ByteBuffer map, int base) {
            this.map = map;
            this.base = base;
        }

        void write(Position p) {
            long g = ++generation;
            int at = base + (int) (g & 1) * SLOT;
            map.putLong(at + 8, p.epoch()).putLong(at + 16, p.seq()).putLong(at + 24, p.ordinal())
                    .putLong(at + 32, p.offsetEnd()).putLong(at, g);
            crc.reset();
            crc.update(map.duplicate().position(at).limit(at + FIELDS));
            map.putInt(at + FIELDS, (int) crc.getValue());
        }
    }
}
