package io.finwatch.collector.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rescues the newest cycle file when it holds less than its header claims: truncated by a crash or a full disk,
 * or with pages that never reached the disk. Chronicle would append after the hole, and its readers would wait at
 * the hole for a writer that is gone; so the file is moved to quarantine, and its intact records that Kafka has
 * not acknowledged are appended again, byte for byte (same run, seq, ordinal and append time), to a fresh file.
 * What could not be read is then a gap in ordinals, which the reader declares (see {@link ContinuityCheck}).
 *
 * <p>Only the newest file: its records come after everything else in the queue, so appending them again keeps
 * the order. An older damaged file is read up to its damage and skipped past by the reader.
 *
 * <p>A start killed half-way through leaves a marker naming the quarantined file; the next start finishes the
 * job from the newest record it finds already copied.
 */
final class Salvage {
    static final String MARKER = "finwatch.salvage";
    private static final Logger LOG = LoggerFactory.getLogger(Salvage.class);

    private Salvage() {
    }

    /** Why the newest cycle file of {@code queue} is damaged, with the file, or null when it is whole. */
    record Damage(Path file, int cycle, String problem) {
    }

    static Damage inspect(SingleChronicleQueue queue, Map<Path, Long> sizesAtStart) throws IOException {
        int cycle = queue.lastCycle();
        if (cycle == Integer.MIN_VALUE || cycle == Integer.MAX_VALUE) {
            return null;
        }
        Path file;
        long writePosition;
        try {
            SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
            if (store == null) {
                return null;
            }
            try {
                file = store.file().toPath();
                writePosition = store.writePosition();
            } finally {
                queue.closeStore(store);
            }
        } catch (RuntimeException e) {
            Path newest = sizesAtStart.keySet().stream().filter(f -> f.toString().endsWith(CycleFiles.CYCLE_SUFFIX))
                    .max(Path::compareTo).orElse(null);
            return newest == null ? null : new Damage(newest, cycle, "Chronicle cannot read it: " + e);
        }
        Long size = sizesAtStart.get(file);
        if (size != null && size < writePosition + 4) {
            return new Damage(file, cycle, "truncated: " + size + " bytes on disk, its last excerpt is at byte "
                    + writePosition);
        }
        CycleFileScan.End end = CycleFileScan.walk(file, writePosition, (position, body, length) -> { });
        if (end.holes() > 0 || end.position() <= writePosition) {
            return new Damage(file, cycle, (end.holes() > 0 ? end.holes() + " unreadable stretch(es), the first: "
                    + end.firstHole() : "readable only up to byte " + end.position() + " (" + end.reason() + ")")
                    + "; its last excerpt is at byte " + writePosition);
        }
        return null;
    }

    /**
     * Appends the intact records of {@code quarantined} whose ordinal is above {@code afterOrdinal} to
     * {@code queue}; returns how many.
     */
    static long copyBack(Path quarantined, SingleChronicleQueue queue, long afterOrdinal) throws IOException {
        Path marker = queue.file().toPath().resolve(MARKER);
        Files.writeString(marker, quarantined.toString());
        BufferRecordCodec codec = new BufferRecordCodec();
        long[] copied = {0};
        try (ExcerptAppender appender = queue.createAppender()) {
            CycleFileScan.End end = CycleFileScan.walk(quarantined, Long.MAX_VALUE, (position, body, length) -> {
                StoredEvent e;
                try {
                    e = codec.decode(EventBuffer.NO_INDEX, body, length);
                } catch (CorruptRecordException corrupt) {
                    return;
                }
                if (e.ordinal() > afterOrdinal) {
                    try (DocumentContext dc = appender.writingDocument()) {
                        dc.wire().bytes().write(body, 0, length);
                    }
                    copied[0]++;
                }
            });
            LOG.info("copied {} unacknowledged records back from {} (read up to byte {}: {}; {} unreadable stretches)",
                    copied[0], quarantined, end.position(), end.reason(), end.holes());
        }
        Files.delete(marker);
        return copied[0];
    }

    /** The quarantined file a killed start was copying back from, or null. */
    static Path pending(Path dir) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (!Files.exists(marker)) {
            return null;
        }
        Path file = Path.of(Files.readString(marker).trim());
        if (!Files.exists(file)) {
            Files.delete(marker);
            return null;
        }
        return file;
    }
}
