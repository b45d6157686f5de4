package io.finwatch.collector.buffer;

import java.io.File;
import java.time.Clock;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads events in append order through a named Chronicle tailer, skipping (and reporting) what cannot be read.
 *
 * <p>The tailer's own persisted index is a read cursor only ("sent up to here"); what was acknowledged is kept
 * separately by {@link EventBuffer#acknowledge}, and {@link EventBuffer#openReader} rewinds this tailer to just
 * after it, so events that were read but never acknowledged are read again after a restart.
 *
 * <p>Not thread-safe: one publisher thread owns a reader.
 */
public final class BufferReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BufferReader.class);
    /**
     * How long the tailer may see "nothing here" while the queue holds later excerpts before we call it a
     * damaged excerpt header and jump over it. Longer than any append takes to complete.
     */
    private static final long STALL_GRACE_MILLIS = 2_000;
    /**
     * ...and over at least this many consecutive empty polls, so that a long GC pause of the whole JVM (writer
     * stopped mid-append, reader's clock jumping) cannot by itself look like a damaged header.
     */
    private static final int STALL_MIN_POLLS = 100;

    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final EventBuffer owner;
    private final Clock clock;
    private final RollCycle rollCycle;
    private final BufferRecordCodec codec = new BufferRecordCodec();
    private byte[] scratch = new byte[512];
    private long stalledSince = -1;
    private int stalledPolls;

    BufferReader(SingleChronicleQueue queue, String name, EventBuffer owner, Clock clock) {
        this.queue = queue;
        this.tailer = queue.createTailer(name);
        this.owner = owner;
        this.clock = clock;
        this.rollCycle = queue.rollCycle();
    }

    /** Positions the tailer on the first event after {@code index}, or on the first event of the queue. */
    public void seekAfter(long index) {
        if (index == EventBuffer.NO_INDEX) {
            tailer.toStart();
            return;
        }
        boolean found;
        try {
            found = tailer.moveToIndex(index);
        } catch (RuntimeException e) {
            found = false;
        }
        if (!found) {
            // Cannot happen unless files were removed by hand: the acknowledged cycle is never deleted.
            LOG.warn("queue {}: acknowledged index {} is gone; reading from the oldest event on disk and passing over "
                    + "the ones acknowledged before", queue.file(), hex(index));
            tailer.toStart();
            return;
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            // Consumes the acknowledged excerpt itself; its content is irrelevant.
            dc.isPresent();
        }
    }

    /** The next readable event, or null when there is none yet. Never throws for bad data. */
    public StoredEvent next() {
        while (true) {
            long index;
            int length;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    checkStall();
                    return null;
                }
                stalledSince = -1;
                index = dc.index();
                Bytes<?> bytes = dc.wire().bytes();
                length = (int) Math.min(Integer.MAX_VALUE, bytes.readRemaining());
                if (scratch.length < length) {
                    scratch = new byte[Math.max(length, scratch.length * 2)];
                }
                bytes.read(scratch, 0, length);
            } catch (RuntimeException e) {
                // Chronicle refuses an excerpt whose header makes no sense; step over it.
                long at = tailer.index();
                corrupt(at, "unreadable excerpt: " + e);
                resync(at);
                continue;
            }
            StoredEvent e;
            try {
                e = codec.decode(index, scratch, length);
            } catch (CorruptRecordException bad) {
                corrupt(index, bad.getMessage());
                continue;
            }
            if (owner.acknowledgedBefore(e)) {
                continue;
            }
            owner.accountFor(e);
            return e;
        }
    }

    /** Index of the next excerpt this reader will look at. */
    public long position() {
        return tailer.index();
    }

    private void checkStall() {
        long expected = tailer.index();
        if (owner.lastWrittenIndex() < expected) {
            // Nothing was written at or past the tailer: it is simply at the end. Asking the queue instead lists its
            // directory and opens a store, and an idle publisher asks at every wake-up (most of its CPU at rest).
            stalledSince = -1;
            return;
        }
        long last = queue.lastIndex();
        if (last == EventBuffer.NO_INDEX || expected == 0 || last < expected) {
            stalledSince = -1;
            return;
        }
        long now = clock.millis();
        if (stalledSince < 0) {
            stalledSince = now;
            stalledPolls = 0;
        } else if (++stalledPolls >= STALL_MIN_POLLS && now - stalledSince >= STALL_GRACE_MILLIS) {
            stalledSince = -1;
            corrupt(expected, "excerpt header unreadable although the queue holds later excerpts (up to "
                    + hex(last) + ")");
            resync(expected);
        }
    }

    /**
     * Moves past a damaged excerpt. Chronicle indexes every {@code indexSpacing}-th excerpt by position, so a
     * {@code moveToIndex} past the next indexed excerpt lands reliably even if the damaged one broke the chain
     * of lengths; the excerpts in between are lost and counted. If nothing later in the cycle is reachable,
     * the reader continues with the next cycle file.
     */
    private void resync(long from) {
        int cycle = rollCycle.toCycle(from);
        long seq = rollCycle.toSequenceNumber(from);
        long limit = seq + 2L * queue.indexSpacing() + 1;
        for (long s = seq + 1; s <= limit; s++) {
            long candidate = rollCycle.toIndex(cycle, s);
            if (candidate > queue.lastIndex()) {
                break;
            }
            if (tryMove(candidate)) {
                long skipped = s - seq - 1;
                if (skipped > 0) {
                    owner.countCorrupt(skipped);
                    owner.damageSeen();
                    LOG.error("queue {}: skipped {} excerpt(s) after damaged index {} in {}; resuming at index {}",
                            queue.file(), skipped, hex(from), fileOf(cycle), hex(candidate));
                }
                return;
            }
        }
        for (long next : queue.listCyclesBetween(cycle + 1, queue.lastCycle())) {
            if (tailer.moveToCycle((int) next)) {
                LOG.error("queue {}: rest of cycle file {} after index {} is unreachable; resuming at cycle {}",
                        queue.file(), fileOf(cycle), hex(from), next);
                return;
            }
        }
        long last = queue.lastIndex();
        if (rollCycle.toCycle(last) == cycle && last > from) {
            owner.countCorrupt(rollCycle.toSequenceNumber(last) - seq);
            owner.damageSeen();
        }
        LOG.error("queue {}: nothing after damaged index {} in {} is reachable (up to index {}); continuing with "
                + "newly appended events", queue.file(), hex(from), fileOf(cycle), hex(last));
        tailer.toEnd();
    }

    private boolean tryMove(long index) {
        try {
            return tailer.moveToIndex(index);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void corrupt(long index, String reason) {
        owner.countCorrupt(1);
        owner.damageSeen();
        LOG.error("queue {}: corrupt record skipped in cycle file {} at index {}: {}", queue.file(),
                fileOf(rollCycle.toCycle(index)), hex(index), reason);
    }

    private String fileOf(int cycle) {
        File f = tailer.cycle() == cycle ? tailer.currentFile() : null;
        return f != null ? f.getName() : owner.cycleFileName(cycle);
    }

    static String hex(long index) {
        return "0x" + Long.toHexString(index);
    }

    @Override
    public void close() {
        tailer.close();
    }
}
