package io.finwatch.collector.buffer;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds single intact records when a buffer opens: the newest, the oldest, the one at an index. */
final class QueueScan {
    private static final Logger LOG = LoggerFactory.getLogger(QueueScan.class);
    /** How far to look for an intact record when the nearest ones are damaged. */
    private static final int LIMIT = 10_000;

    private final SingleChronicleQueue queue;
    private final BufferRecordCodec codec = new BufferRecordCodec();

    QueueScan(SingleChronicleQueue queue) {
        this.queue = queue;
    }

    StoredEvent newest() {
        return scan(TailerDirection.BACKWARD, EventBuffer.NO_INDEX);
    }

    StoredEvent oldest() {
        return scan(TailerDirection.FORWARD, EventBuffer.NO_INDEX);
    }

    /** The intact record at exactly {@code index}, or null. */
    StoredEvent at(long index) {
        if (index <= 0) {
            return null;
        }
        StoredEvent e = scan(TailerDirection.FORWARD, index);
        return e != null && e.index() == index ? e : null;
    }

    /** The first intact record from {@code from} (or from the start/end) in {@code direction}. */
    private StoredEvent scan(TailerDirection direction, long from) {
        try (ExcerptTailer t = queue.createTailer()) {
            t.direction(direction);
            if (from != EventBuffer.NO_INDEX) {
                if (!t.moveToIndex(from)) {
                    return null;
                }
            } else if (direction == TailerDirection.BACKWARD) {
                t.toEnd();
            } else {
                t.toStart();
            }
            byte[] buf = new byte[512];
            for (int i = 0; i < LIMIT; i++) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return null;
                    }
                    int length = (int) dc.wire().bytes().readRemaining();
                    if (buf.length < length) {
                        buf = new byte[length];
                    }
                    dc.wire().bytes().read(buf, 0, length);
                    try {
                        return codec.decode(dc.index(), buf, length);
                    } catch (CorruptRecordException e) {
                        // The reader reports it when it gets there; here we only need an intact neighbour.
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("queue {}: could not scan for an intact record ({}); depth figures may be off", queue.file(),
                    e.toString());
        }
        return null;
    }
}
