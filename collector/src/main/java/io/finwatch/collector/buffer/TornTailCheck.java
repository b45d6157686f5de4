package io.finwatch.collector.buffer;

import java.io.File;
import java.util.Optional;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.Wires;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the record a writer was in the middle of appending when it died (kill -9, OOM kill, power loss).
 *
 * <p>Chronicle 2026 writes an excerpt's length word only when the excerpt is complete, so a torn record is
 * invisible to readers: the header slot after the last complete excerpt is still zero (or carries the
 * not-complete bit), and the next append simply overwrites it once Chronicle has force-released the dead
 * writer's lock. Nothing is lost that an append had returned for, but an operator should hear about the crash, so
 * this looks for our record magic right behind that empty header: the footprint of a body that was being written.
 */
final class TornTailCheck {
    private static final Logger LOG = LoggerFactory.getLogger(TornTailCheck.class);

    /** Where a torn record sits. */
    record Torn(File file, int cycle, long index, long position) {
    }

    private TornTailCheck() {
    }

    /** Logs a torn record at ERROR with its file and index; returns how many there were (0 or 1). */
    static int report(SingleChronicleQueue queue) {
        Optional<Torn> torn;
        try {
            torn = inspect(queue);
        } catch (RuntimeException e) {
            LOG.warn("queue {}: could not look for a torn last record: {}", queue.file(), e.toString());
            return 0;
        }
        torn.ifPresent(t -> LOG.error("queue {}: torn record in cycle file {} at index {} (file position {}): the "
                        + "previous writer died while appending it; the partial record is discarded (its append never "
                        + "returned)", queue.file(), t.file().getName(), BufferReader.hex(t.index()), t.position()));
        return torn.isPresent() ? 1 : 0;
    }

    static Optional<Torn> inspect(SingleChronicleQueue queue) {
        int cycle = queue.lastCycle();
        if (cycle == Integer.MIN_VALUE || cycle == Integer.MAX_VALUE || cycle < 0) {
            return Optional.empty();
        }
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return Optional.empty();
        }
        try {
            Bytes<?> bytes = store.bytes();
            long last = store.writePosition();
            if (last <= 0) {
                return Optional.empty();
            }
            int lastHeader = bytes.readVolatileInt(last);
            if (!Wires.isReady(lastHeader)) {
                return Optional.empty();
            }
            // Excerpts are padded to 4 bytes; the length word does not count itself.
            long slot = last + 4 + ((Wires.lengthOf(lastHeader) + 3) & ~3);
            if (slot + 5 > bytes.realCapacity()) {
                return Optional.empty();
            }
            int header = bytes.readVolatileInt(slot);
            if (!Wires.isNotComplete(header) || bytes.readByte(slot + 4) != BufferRecordCodec.MAGIC) {
                return Optional.empty();
            }
            long lastIndex = queue.lastIndex();
            long seq = lastIndex >= 0 && queue.rollCycle().toCycle(lastIndex) == cycle
                    ? queue.rollCycle().toSequenceNumber(lastIndex) + 1 : 0;
            return Optional.of(new Torn(store.file(), cycle, queue.rollCycle().toIndex(cycle, seq), slot));
        } finally {
            queue.closeStore(store);
        }
    }
}
