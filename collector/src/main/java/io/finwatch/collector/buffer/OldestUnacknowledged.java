package io.finwatch.collector.buffer;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * When the oldest event Kafka has not acknowledged was appended: read from the queue, right after the
 * acknowledged index, with a tailer of its own (the caller's thread is not the publisher's), and kept until the
 * acknowledged position moves. This is what publish lag is measured from while nothing is in flight: before the
 * producer exists, or between rounds of an outage.
 */
final class OldestUnacknowledged {
    private static final int SCAN_LIMIT = 10_000;

    private final SingleChronicleQueue queue;
    private final BufferRecordCodec codec = new BufferRecordCodec();
    private long forAckedIndex = Long.MIN_VALUE;
    private long forOrdinal = Long.MIN_VALUE;
    private long appendedAt = -1;

    OldestUnacknowledged(SingleChronicleQueue queue) {
        this.queue = queue;
    }

    /**
     * Append time of the first readable record after {@code ackedIndex} whose ordinal is at least
     * {@code firstUnackedOrdinal}, or -1 when there is none.
     */
    synchronized long appendedAt(long ackedIndex, long firstUnackedOrdinal) {
        if (ackedIndex == forAckedIndex && firstUnackedOrdinal == forOrdinal && appendedAt >= 0) {
            return appendedAt;
        }
        forAckedIndex = ackedIndex;
        forOrdinal = firstUnackedOrdinal;
        appendedAt = find(ackedIndex, firstUnackedOrdinal);
        return appendedAt;
    }

    private long find(long ackedIndex, long firstUnackedOrdinal) {
        try (ExcerptTailer t = queue.createTailer()) {
            if (ackedIndex == EventBuffer.NO_INDEX || !t.moveToIndex(ackedIndex)) {
                t.toStart();
            }
            byte[] buf = new byte[512];
            for (int i = 0; i < SCAN_LIMIT; i++) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return -1;
                    }
                    int length = (int) dc.wire().bytes().readRemaining();
                    if (buf.length < length) {
                        buf = new byte[length];
                    }
                    dc.wire().bytes().read(buf, 0, length);
                    try {
                        StoredEvent e = codec.decode(dc.index(), buf, length);
                        if (e.ordinal() >= firstUnackedOrdinal) {
                            return e.appendedAtMillis();
                        }
                    } catch (CorruptRecordException skipped) {
                        // The reader reports it; the next intact record is old enough for a lag figure.
                    }
                }
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
