package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One perf event's ring buffer, mapped: a control page ({@code struct perf_event_mmap_page}) and 2^n data pages
 * that the kernel fills with records. Mapped writable, so the kernel does not overwrite what we have not consumed:
 * it drops new records instead and later writes a PERF_RECORD_LOST saying how many.
 *
 * <p>One reader: {@link #begin}, {@link #next} until null, then {@link #end}, which hands the space back.
 */
final class PerfRing {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_SHARED = 0x1;
    private static final long DATA_HEAD = 1024;
    private static final long DATA_TAIL = 1032;
    private static final long DATA_OFFSET = 1040;
    private static final long DATA_SIZE = 1048;
    /** A record's size is a u16. */
    private static final int MAX_RECORD = 0xffff;

    private final Pointer base;
    private final NativeLong length;
    private final long dataOffset;
    private final long dataSize;
    /** Records are copied out so that one straddling the end of the ring reads as one. */
    private final byte[] scratch = new byte[MAX_RECORD];
    private final ByteBuffer record = ByteBuffer.wrap(scratch).order(ByteOrder.nativeOrder());
    private long head;
    private long tail;
    private boolean damaged;

    private PerfRing(Pointer base, NativeLong length, long dataOffset, long dataSize) {
        this.base = base;
        this.length = length;
        this.dataOffset = dataOffset;
        this.dataSize = dataSize;
    }

    static PerfRing map(PerfLibC libc, int fd, long pageSize, int dataPages) throws LastErrorException {
        NativeLong length = new NativeLong((1 + dataPages) * pageSize);
        Pointer base = libc.mmap(null, length, PROT_READ_WRITE, MAP_SHARED, fd, new NativeLong(0));
        long offset = base.getLong(DATA_OFFSET);
        long size = base.getLong(DATA_SIZE);
        // Kernels before 4.1 leave both zero: the data then starts at the second page.
        return offset != 0 && size != 0
                ? new PerfRing(base, length, offset, size)
                : new PerfRing(base, length, pageSize, dataPages * pageSize);
    }

    /** Takes the kernel's write position: what lies before it is complete. */
    void begin() {
        head = base.getLong(DATA_HEAD);
        // The kernel publishes data_head after the records (smp_wmb); the records must not be read before it.
        // A JNA call already stops the JIT from reordering; this fence also orders the loads on arm64, where
        // the JNI call itself is no barrier.
        VarHandle.acquireFence();
        tail = base.getLong(DATA_TAIL);
        damaged = false;
    }

    /**
     * The next record, header included, in native byte order, from position 0 to its size; valid until the next
     * call. Null at the write position, or when a header is impossible (then the rest is skipped, see
     * {@link #end}).
     */
    ByteBuffer next() {
        if (head - tail <= 0) {
            return null;
        }
        // Records are 8-byte aligned and the data size a multiple of 8: a header never straddles the end.
        long at = Long.remainderUnsigned(tail, dataSize);
        int size = base.getShort(dataOffset + at + 6) & 0xffff;
        if (size < 8 || size > head - tail) {
            damaged = true;
            tail = head;
            return null;
        }
        int first = (int) Math.min(size, dataSize - at);
        base.read(dataOffset + at, scratch, 0, first);
        if (first < size) {
            base.read(dataOffset, scratch, first, size - first);
        }
        tail += size;
        record.clear().limit(size);
        return record;
    }

    /**
     * Hands what was read back to the kernel.
     *
     * @return false when a damaged header made the reader skip to the write position
     */
    boolean end() {
        // The copies must be done before the kernel may overwrite their space (smp_mb in the kernel's reader).
        VarHandle.fullFence();
        base.setLong(DATA_TAIL, tail);
        return !damaged;
    }

    void unmap(PerfLibC libc) {
        try {
            libc.munmap(base, length);
        } catch (LastErrorException ignored) {
            // only an invalid range fails, and ours is the one mmap returned
        }
    }
}
