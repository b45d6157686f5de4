package io.finwatch.collector.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a buffer directory whatever its files hold, so that a start never fails, and so never crash-loops, on
 * their contents: a file Chronicle cannot open is quarantined before Chronicle sees it, a damaged newest cycle
 * file is rescued ({@link Salvage}), damaged bookkeeping files are quarantined and rebuilt from the queue. Each
 * step says at ERROR which file it moved and what that means for the events. Only the directory itself being
 * unusable (no permission, no space to create a file) still fails the start, with its path.
 */
final class BufferOpener {
    private static final Logger LOG = LoggerFactory.getLogger(BufferOpener.class);
    /**
     * How much of a cycle file Chronicle maps at a time (its default is 64 MB). A chunk stays mapped, and its pages
     * in the collector's RSS, while the appender or a tailer is in it: with 64 MB chunks the whole first poll of a
     * 200k-socket host (~45 MB of FIRST_SEEN events), or a backlog the publisher catches up on, stayed resident until
     * the cycle rolled; with 4 MB, only the chunks the appender and the publisher are in (docs/benchmarks.md,
     * "Session 11"). Records are a few hundred bytes, far under the quarter of a chunk Chronicle allows one.
     */
    static final long BLOCK_SIZE = 4L << 20;
    private static final String LOST_CYCLE = "Its events that Kafka had not acknowledged are declared lost in the "
            + "next heartbeats (lost_ranges).";

    private BufferOpener() {
    }

    static EventBuffer open(BufferSettings settings) {
        Path dir = settings.dir();
        QueueDirLock lock;
        try {
            Files.createDirectories(dir);
            lock = QueueDirLock.acquire(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use buffer directory " + dir, e);
        }
        try {
            return open(settings, lock);
        } catch (IOException e) {
            lock.closeQuietly();
            throw new UncheckedIOException("cannot use buffer directory " + dir, e);
        } catch (RuntimeException | Error e) {
            lock.closeQuietly();
            throw e;
        }
    }

    private static EventBuffer open(BufferSettings settings, QueueDirLock lock) throws IOException {
        Path dir = settings.dir();
        Quarantine quarantine = new Quarantine(dir, settings.clock());
        Map<Path, Long> sizes = checkHeaders(dir, quarantine);
        PositionFile.Contents positions = readPositions(dir, quarantine);
        List<Run> history = readHistory(dir, quarantine);
        CycleRetention retention = new CycleRetention();
        SingleChronicleQueue queue = build(settings, retention, quarantine);
        LongValue ackCursor = queue.indexForId(EventBuffer.ACK_CURSOR);
        long acknowledgedOrdinal = positions != null && positions.acked() != null ? positions.acked().ordinal()
                : ordinalOf(new QueueScan(queue).at(ackCursor.getVolatileValue()));

        Path pending = Salvage.pending(dir);
        if (pending != null) {
            Salvage.copyBack(pending, queue, Math.max(acknowledgedOrdinal, ordinalOf(new QueueScan(queue).newest())));
        }
        Salvage.Damage damage = Salvage.inspect(queue, sizes);
        if (damage != null) {
            queue = rescue(settings, retention, quarantine, queue, damage, acknowledgedOrdinal);
            ackCursor = queue.indexForId(EventBuffer.ACK_CURSOR);
        }
        retention.attach(queue);
        int torn = TornTailCheck.report(queue);
        QueueScan scan = new QueueScan(queue);
        checkCursor(queue, ackCursor, scan, positions);
        StoredEvent newest = scan.newest();
        StoredEvent ackedRecord = positions != null && positions.acked() != null ? null
                : scan.at(ackCursor.getVolatileValue());
        RunStart start = RunStart.plan(settings.clock().millis(), history, positions, newest, ackedRecord);
        RunHistory.write(dir, start.runs());
        LOG.info("buffer {}: run epoch {} numbers events from seq {} (record ordinal {})", dir, start.epoch(),
                start.firstSeq(), start.nextOrdinal());
        PositionFile positionFile = PositionFile.open(dir, positions);
        // Without a known acknowledged position, everything in the queue is counted as waiting.
        StoredEvent oldest = start.acked() == null ? scan.oldest() : null;
        return new EventBuffer(settings, lock, retention, queue, positionFile, start, oldest, torn);
    }

    /** Quarantines queue files whose header Chronicle would choke on; returns the sizes of the others. */
    private static Map<Path, Long> checkHeaders(Path dir, Quarantine quarantine) throws IOException {
        for (Path f : CycleFiles.list(dir).keySet()) {
            String problem = CycleFiles.headerProblem(f);
            if (problem != null) {
                quarantine.move(f, problem, f.getFileName().toString().endsWith(CycleFiles.METADATA_SUFFIX)
                        ? "The queue's metadata is rebuilt; publishing resumes after the newest acknowledged event "
                        + "recorded in " + PositionFile.NAME + "." : LOST_CYCLE);
            }
        }
        return CycleFiles.list(dir);
    }

    private static PositionFile.Contents readPositions(Path dir, Quarantine quarantine) throws IOException {
        try {
            return PositionFile.read(dir);
        } catch (CorruptRecordException e) {
            quarantine.move(dir.resolve(PositionFile.NAME), e.getMessage(), "Numbering continues from the newest "
                    + "record in the queue, under a new epoch; events lost with the newest records cannot be declared.");
            return null;
        }
    }

    private static List<Run> readHistory(Path dir, Quarantine quarantine) throws IOException {
        try {
            return RunHistory.read(dir);
        } catch (CorruptRecordException e) {
            quarantine.move(dir.resolve(RunHistory.NAME), e.getMessage(), "Losses that span a restart can only be "
                    + "declared for the runs the queue still shows.");
            return List.of();
        }
    }

    /** Builds the queue; if Chronicle still refuses, quarantines its metadata, then every queue file. */
    private static SingleChronicleQueue build(BufferSettings settings, CycleRetention retention, Quarantine quarantine)
            throws IOException {
        Path dir = settings.dir();
        try {
            return build(settings, retention);
        } catch (RuntimeException first) {
            LOG.error("queue {} cannot be opened: {}", dir, first.toString(), first);
        }
        for (boolean all : new boolean[] {false, true}) {
            for (Path f : CycleFiles.list(dir).keySet()) {
                if (all || f.getFileName().toString().endsWith(CycleFiles.METADATA_SUFFIX)) {
                    quarantine.move(f, "Chronicle cannot open the queue", LOST_CYCLE);
                }
            }
            try {
                return build(settings, retention);
            } catch (RuntimeException again) {
                if (all) {
                    throw again;
                }
                LOG.error("queue {} cannot be opened without its metadata either: {}", dir, again.toString());
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static SingleChronicleQueue build(BufferSettings settings, CycleRetention retention) {
        return SingleChronicleQueueBuilder.binary(settings.dir())
                .rollCycle(settings.rollCycle())
                .blockSize(BLOCK_SIZE)
                .timeProvider(new ClockTimeProvider(settings.clock()))
                .storeFileListener(retention)
                .build();
    }

    /** Quarantines the damaged newest file and copies its intact unacknowledged records back. */
    private static SingleChronicleQueue rescue(BufferSettings settings, CycleRetention retention, Quarantine quarantine,
                                               SingleChronicleQueue queue, Salvage.Damage damage, long acknowledgedOrdinal)
            throws IOException {
        LongValue ackCursor = queue.indexForId(EventBuffer.ACK_CURSOR);
        boolean cursorInDamagedCycle = ackCursor.getVolatileValue() > 0
                && queue.rollCycle().toCycle(ackCursor.getVolatileValue()) >= damage.cycle();
        queue.close();
        Path moved = quarantine.move(damage.file(), damage.problem(), "Its intact records Kafka has not acknowledged are "
                + "appended again; the others are declared lost in the next heartbeats (lost_ranges).");
        SingleChronicleQueue rebuilt = build(settings, retention, quarantine);
        if (cursorInDamagedCycle) {
            // The cycle's number now belongs to a new file: an index into it would name another record. The reader
            // starts from the oldest file instead and passes over what is acknowledged by ordinal.
            rebuilt.indexForId(EventBuffer.ACK_CURSOR).setValue(0);
        }
        Salvage.copyBack(moved, rebuilt, acknowledgedOrdinal);
        return rebuilt;
    }

    /**
     * A quarantined cycle file's number is reused by the next file of that cycle, so an acknowledged index into it
     * would name another record. When the position file knows which record was acknowledged and the index does
     * not lead to it, the index is dropped: the reader then starts at the oldest file and passes over what was
     * acknowledged by ordinal.
     */
    private static void checkCursor(SingleChronicleQueue queue, LongValue ackCursor, QueueScan scan,
                                    PositionFile.Contents positions) {
        long cursor = ackCursor.getVolatileValue();
        if (cursor <= 0 || positions == null || positions.acked() == null) {
            return;
        }
        StoredEvent at = scan.at(cursor);
        if (at == null || at.ordinal() != positions.acked().ordinal()) {
            LOG.warn("queue {}: the acknowledged index {} no longer leads to the acknowledged record (ordinal {}); "
                    + "resuming from the oldest record instead", queue.file(), BufferReader.hex(cursor),
                    positions.acked().ordinal());
            ackCursor.setValue(0);
        }
    }

    private static long ordinalOf(StoredEvent e) {
        return e == null ? -1 : e.ordinal();
    }
}
