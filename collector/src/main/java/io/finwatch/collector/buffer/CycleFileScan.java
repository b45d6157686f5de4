package io.finwatch.collector.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Walks the excerpts of one Chronicle cycle file straight from its bytes, without Chronicle: each excerpt is a
 * little-endian 32-bit header word (bit 31 not complete, bit 30 metadata, the low 30 bits the length) and its
 * body, padded to 4 bytes. Chronicle's own index lives in metadata excerpts, so this walk does not depend on it.
 *
 * <p>Where an excerpt header is broken (zero, half-written, a length past the end) before the position the file's
 * header claims was written, the walk looks for the next record further on: a header word followed by a body with
 * our magic byte and a matching CRC32C, which random or zeroed bytes do not produce. So it reaches every intact
 * record of a file with a hole in it, and reports the holes.
 *
 * <p>Used where Chronicle cannot be trusted with the file: to check that the newest cycle file holds everything
 * its header claims, and to read the intact records back out of one that does not.
 */
final class CycleFileScan {
    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;
    /** What Chronicle writes after the last excerpt of a cycle it has rolled away from. */
    static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    /** No record of ours comes near this; a longer "excerpt" met while searching is not one. */
    private static final int MAX_RECORD = 16 << 20;

    /** One data excerpt: its body's position in the file and its bytes (valid until the next callback). */
    interface Visitor {
        void record(long position, byte[] body, int length) throws IOException;
    }

    /**
     * Where the walk ended and why; {@code holes} counts the broken stretches it searched past, {@code firstHole}
     * describes the first (null when none).
     */
    record End(long position, String reason, int holes, String firstHole) {
    }

    private CycleFileScan() {
    }

    /**
     * Walks {@code file}'s excerpts from its start; data excerpts go to {@code visitor}.
     *
     * @param writtenUpTo where the file's header says the last excerpt starts: a broken header before it is a
     *                    hole to search past, one after it is the normal end of the data
     */
    static End walk(Path file, long writtenUpTo, Visitor visitor) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Reader in = new Reader(ch);
            long pos = 0;
            int holes = 0;
            String firstHole = null;
            while (true) {
                String broken = in.problemAt(pos);
                if (broken != null) {
                    if (pos > writtenUpTo) {
                        return new End(pos, broken, holes, firstHole);
                    }
                    long next = in.nextRecord(pos + 4, writtenUpTo);
                    holes++;
                    if (firstHole == null) {
                        firstHole = broken + (next < 0 ? "; nothing readable after it" : "; readable again at byte " + next);
                    }
                    if (next < 0) {
                        return new End(pos, broken, holes, firstHole);
                    }
                    pos = next;
                    continue;
                }
                int word = in.word;
                int length = word & LENGTH_MASK;
                if ((word & META_DATA) == 0) {
                    visitor.record(pos + 4, in.body(pos, length), length);
                }
                pos += 4 + ((length + 3L) & ~3L);
            }
        }
    }

    /**
     * Reads excerpt headers and bodies at given positions of the file, mapped read-only (a search past a hole
     * looks at every fourth byte; through the page cache that is a memory read, not a system call).
     */
    private static final class Reader {
        private final ByteBuffer map;
        private final long size;
        private final CRC32C crc = new CRC32C();
        private byte[] body = new byte[4096];
        int word;

        Reader(FileChannel ch) throws IOException {
            // A cycle file of more than 2 GiB is read up to there: past five minutes of any real collector's events.
            this.size = Math.min(ch.size(), Integer.MAX_VALUE);
            this.map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Null when a whole excerpt starts at {@code pos} (its header word then in {@link #word}), else why not. */
        String problemAt(long pos) {
            if (pos + 4 > size) {
                return "end of file at byte " + size;
            }
            word = map.getInt((int) pos);
            if (word == 0) {
                return "no excerpt at byte " + pos;
            }
            if (word == END_OF_DATA) {
                return "end-of-file marker at byte " + pos;
            }
            if ((word & NOT_COMPLETE) != 0) {
                return String.format("unfinished excerpt header 0x%08x at byte %d", word, pos);
            }
            int length = word & LENGTH_MASK;
            if (pos + 4 + length > size) {
                return "excerpt of " + length + " bytes at byte " + pos + " runs past the end of the file (" + size
                        + " bytes)";
            }
            return null;
        }

        byte[] body(long pos, int length) {
            if (body.length < length) {
                body = new byte[Math.max(length, 2 * body.length)];
            }
            map.get((int) pos + 4, body, 0, length);
            return body;
        }

        /** The position of the next intact record of ours at or after {@code from}, up to {@code limit}, or -1. */
        long nextRecord(long from, long limit) {
            for (long p = (from + 3) & ~3L; p <= limit && p + 4 <= size; p += 4) {
                if (problemAt(p) != null || (word & META_DATA) != 0) {
                    continue;
                }
                int length = word & LENGTH_MASK;
                if (length < 5 || length > MAX_RECORD) {
                    continue;
                }
                int magicAt = (int) p + 4;
                if (map.get(magicAt) != BufferRecordCodec.MAGIC && map.get(magicAt) != BufferRecordCodec.MAGIC_V1) {
                    continue;
                }
                byte[] b = body(p, length);
                crc.reset();
                crc.update(b, 0, length - 4);
                int stored = ByteBuffer.wrap(b, length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if ((int) crc.getValue() == stored) {
                    return p;
                }
            }
            return -1;
        }
    }
}
