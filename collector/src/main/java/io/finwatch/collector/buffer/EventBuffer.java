package io.finwatch.collector.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's durable outbox: a Chronicle Queue in one directory, between the /proc poll loop and Kafka.
 *
 * <h2>Durability</h2>
 * {@link #append} returns once the record is complete in the memory-mapped cycle file, i.e. in the page cache: a
 * kill -9 of the collector loses nothing that was appended (a machine crash can lose what the kernel had not yet
 * written back; that is the usual trade of a collector that must not fsync per event). Each record carries a
 * CRC32C, so bytes damaged on disk are detected on read instead of being published.
 *
 * <h2>Disk cap: DROP-NEWEST</h2>
 * The cap bounds the record bytes of events Kafka has not acknowledged. When appending an event would take them
 * over {@link BufferSettings#maxBytes()}, the event is refused ({@link #SHED}), counted ({@link #shedTotal()}) and
 * its seq is remembered; the caller drains those seqs with {@link #drainShedRanges()} into the next heartbeat as a
 * gap marker. Old data is kept rather than new because the old data is what Kafka has not seen; the gap marker
 * tells consumers precisely what is missing. Heartbeats may use {@link BufferSettings#heartbeatHeadroomBytes()}
 * above the cap, so the heartbeat carrying the gap marker still gets out. If even the headroom is used up the
 * heartbeat is shed too; its drained ranges are then the caller's to carry into the next heartbeat.
 * On-disk usage is the capped bytes plus the acknowledged remainder of the oldest retained cycle file and
 * Chronicle's per-file index (sparse, a few hundred KiB).
 *
 * <h2>Acknowledgement and retention</h2>
 * The publisher reports, with {@link #acknowledge}, the newest event up to which Kafka acknowledged everything.
 * That index is persisted in Chronicle's queue metadata table (memory-mapped like the data, so it survives kill
 * -9) and is where a new {@link BufferReader} resumes. Cycle files whose every event is acknowledged are deleted
 * (see {@link CycleRetention}).
 *
 * <h2>Bad state on disk</h2>
 * A record torn by a crash, a record whose CRC does not match, an excerpt Chronicle cannot read: each is logged
 * at ERROR with the queue directory, cycle file and index, counted in {@link #corruptRecords()}, and skipped. A
 * write lock left by a dead writer is released by Chronicle when the queue opens. A queue that cannot be opened
 * at all is moved aside into {@code quarantine-<millis>/} inside the directory and a fresh queue is started, so a
 * restart never crash-loops; the quarantined files stay for manual recovery.
 *
 * <p>{@link #append} may be called from any thread (appends are serialized); a reader belongs to one thread.
 */
public final class EventBuffer implements AutoCloseable {
    /** Returned by {@link #append} when the event was refused under the disk cap. */
    public static final long SHED = -1;
    /** "No event": nothing acknowledged yet, or an empty queue. */
    public static final long NO_INDEX = -1;
    /** Key of the acknowledged index in Chronicle's metadata table. */
    static final String ACK_CURSOR = "finwatch.acked";

    private static final Logger LOG = LoggerFactory.getLogger(EventBuffer.class);
    /** How far back to look for an intact record when the newest ones are damaged. */
    private static final int RECOVERY_SCAN_LIMIT = 10_000;

    private final BufferSettings settings;
    private final QueueDirLock dirLock;
    private final CycleRetention retention;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final LongValue ackCursor;
    private final BufferRecordCodec codec = new BufferRecordCodec();
    private final ShedLedger shed = new ShedLedger();
    private final AtomicLong corrupt = new AtomicLong();
    private ExcerptAppender appender;

    // Guarded by this: the next record's ordinal/offset and the newest seq appended.
    private long nextOrdinal;
    private long nextOffset;
    private long lastSeq = -1;

    // Written by the acknowledging thread, read by append's cap check and by stats.
    private volatile long ackedIndex = NO_INDEX;
    private volatile long ackedOrdinalEnd;
    private volatile long ackedOffsetEnd;
    private final Object sweepLock = new Object();
    private int lastSweptCycle = Integer.MIN_VALUE;

    private EventBuffer(BufferSettings settings, QueueDirLock dirLock, CycleRetention retention,
                        SingleChronicleQueue queue) {
        this.settings = settings;
        this.dirLock = dirLock;
        this.retention = retention;
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.ackCursor = queue.indexForId(ACK_CURSOR);
    }

    /**
     * Opens (or creates) the buffer in {@code settings.dir()}.
     *
     * @throws IllegalStateException if another live process holds the directory
     */
    public static EventBuffer open(BufferSettings settings) {
        Path dir = settings.dir();
        QueueDirLock lock;
        try {
            Files.createDirectories(dir);
            lock = QueueDirLock.acquire(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use buffer directory " + dir, e);
        }
        CycleRetention retention = new CycleRetention();
        SingleChronicleQueue q;
        try {
            q = build(settings, retention);
        } catch (RuntimeException e) {
            Path aside = quarantine(dir, settings);
            LOG.error("queue {} cannot be opened ({}); moved its files to {} and starting an empty queue. "
                    + "Events in the moved files were not delivered.", dir, e.toString(), aside, e);
            q = build(settings, retention);
        }
        retention.attach(q);
        EventBuffer buffer = new EventBuffer(settings, lock, retention, q);
        buffer.recover();
        return buffer;
    }

    private static SingleChronicleQueue build(BufferSettings settings, CycleRetention retention) {
        return SingleChronicleQueueBuilder.binary(settings.dir())
                .rollCycle(settings.rollCycle())
                .timeProvider(new ClockTimeProvider(settings.clock()))
                .storeFileListener(retention)
                .build();
    }

    private static Path quarantine(Path dir, BufferSettings settings) {
        Path aside = dir.resolve("quarantine-" + settings.clock().millis());
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Files::isRegularFile)) {
            Files.createDirectories(aside);
            for (Path f : files) {
                if (!f.getFileName().toString().equals(QueueDirLock.FILE_NAME)) {
                    Files.move(f, aside.resolve(f.getFileName()));
                }
            }
        } catch (IOException io) {
            throw new UncheckedIOException("cannot quarantine unreadable queue " + dir, io);
        }
        return aside;
    }

    /** Restores depth accounting and reports a record torn by the previous writer's death. */
    private void recover() {
        Optional<TornTailCheck.Torn> torn = TornTailCheck.inspect(queue);
        torn.ifPresent(t -> {
            corrupt.incrementAndGet();
            LOG.error("queue {}: torn record in cycle file {} at index {} (file position {}): the previous writer "
                            + "died while appending it; the partial record is discarded (its append never returned)",
                    queue.file(), t.file().getName(), BufferReader.hex(t.index()), t.position());
        });
        StoredEvent newest = scan(TailerDirection.BACKWARD, NO_INDEX);
        if (newest != null) {
            nextOrdinal = newest.ordinal() + 1;
            nextOffset = newest.endOffset();
            lastSeq = newest.event().seq();
        }
        long acked = ackCursor.getVolatileValue();
        StoredEvent ackedEvent = acked > 0 ? scan(TailerDirection.FORWARD, acked) : null;
        if (ackedEvent != null && ackedEvent.index() == acked) {
            ackedIndex = acked;
            ackedOrdinalEnd = ackedEvent.ordinal() + 1;
            ackedOffsetEnd = ackedEvent.endOffset();
            sweep(acked);
            return;
        }
        if (acked > 0) {
            // The acknowledged record itself is unreadable: count depth from the next intact one, resume after it.
            ackedIndex = acked;
        }
        StoredEvent oldest = ackedEvent != null ? ackedEvent : scan(TailerDirection.FORWARD, NO_INDEX);
        ackedOrdinalEnd = oldest != null ? oldest.ordinal() : nextOrdinal;
        ackedOffsetEnd = oldest != null ? oldest.offset() : nextOffset;
    }

    /** The first intact record from {@code from} (or from the start/end) in {@code direction}. */
    private StoredEvent scan(TailerDirection direction, long from) {
        try (ExcerptTailer t = queue.createTailer()) {
            t.direction(direction);
            if (from != NO_INDEX) {
                if (!t.moveToIndex(from)) {
                    return null;
                }
            } else if (direction == TailerDirection.BACKWARD) {
                t.toEnd();
            } else {
                t.toStart();
            }
            byte[] buf = new byte[512];
            for (int i = 0; i < RECOVERY_SCAN_LIMIT; i++) {
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

    /** The bytes {@code e} takes against the disk cap once appended. */
    public static int storedSize(BufferedEvent e) {
        return BufferRecordCodec.recordSize(BufferRecordCodec.encodedLength(e, BufferRecordCodec.keyBytes(e)));
    }

    /**
     * Appends an event.
     *
     * @return the event's queue index, or {@link #SHED} if it was refused under the disk cap (or could not be
     *         written at all; that is logged and treated like shedding so the gap marker still covers it)
     */
    public long append(BufferedEvent e) {
        byte[] key = BufferRecordCodec.keyBytes(e);
        int size = BufferRecordCodec.recordSize(BufferRecordCodec.encodedLength(e, key));
        long limit = settings.maxBytes() + (e.kind() == EventKind.HEARTBEAT ? settings.heartbeatHeadroomBytes() : 0);
        synchronized (this) {
            if (nextOffset - ackedOffsetEnd + size > limit) {
                shed.shed(e.seq());
                return SHED;
            }
            ByteBuffer record = codec.encode(e, key, settings.clock().millis(), nextOrdinal, nextOffset);
            long index;
            try {
                if (appender == null) {
                    appender = queue.createAppender();
                    appender.singleThreadedCheckDisabled(true);
                }
                try (DocumentContext dc = appender.writingDocument()) {
                    try {
                        dc.wire().bytes().write(record.array(), 0, record.limit());
                    } catch (RuntimeException writeFailed) {
                        dc.rollbackOnClose();
                        throw writeFailed;
                    }
                }
                index = appender.lastIndexAppended();
            } catch (RuntimeException failed) {
                LOG.error("queue {}: append of seq {} failed, recording it as shed: {}", queue.file(), e.seq(),
                        failed.toString(), failed);
                shed.shed(e.seq());
                return SHED;
            }
            nextOrdinal++;
            nextOffset += size;
            lastSeq = e.seq();
            return index;
        }
    }

    /**
     * Records that Kafka acknowledged {@code last} and everything before it, persists that as the resume point
     * and deletes cycle files that are now fully acknowledged. Positions never move backwards.
     */
    public void acknowledge(StoredEvent last) {
        if (last.index() <= ackedIndex) {
            return;
        }
        ackCursor.setMaxValue(last.index());
        ackedOrdinalEnd = last.ordinal() + 1;
        ackedOffsetEnd = last.endOffset();
        ackedIndex = last.index();
        sweep(last.index());
    }

    /** Own lock: deleting files must not hold up the poll loop's appends. */
    private void sweep(long acked) {
        int cycle = rollCycle.toCycle(acked);
        synchronized (sweepLock) {
            if (cycle > lastSweptCycle) {
                try {
                    retention.sweep(cycle);
                    lastSweptCycle = cycle;
                } catch (RuntimeException e) {
                    // Retention is housekeeping: a failure must not stop acknowledgements. Tried again next ack.
                    LOG.warn("queue {}: deleting acknowledged cycle files failed: {}", queue.file(), e.toString());
                }
            }
        }
    }

    /** A reader that resumes after the acknowledged index, through the named tailer {@code name}. */
    public BufferReader openReader(String name) {
        BufferReader reader = new BufferReader(queue, name, this, settings.clock());
        reader.seekAfter(ackedIndex);
        return reader;
    }

    /** Shed seq ranges since the last drain, oldest first; the caller puts them into the next heartbeat. */
    public List<SeqRange> drainShedRanges() {
        return shed.drain();
    }

    public long shedTotal() {
        return shed.total();
    }

    public long corruptRecords() {
        return corrupt.get();
    }

    void countCorrupt(long n) {
        corrupt.addAndGet(n);
    }

    /** The seq of the newest event in the buffer, or -1: where a restarted collector continues numbering. */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** Index of the newest event Kafka acknowledged, or {@link #NO_INDEX}. */
    public long acknowledgedIndex() {
        return ackedIndex;
    }

    public BufferStats stats() {
        long events;
        long bytes;
        synchronized (this) {
            events = nextOrdinal - ackedOrdinalEnd;
            bytes = nextOffset - ackedOffsetEnd;
        }
        return new BufferStats(events, bytes, fileCount(), shed.total(), corrupt.get());
    }

    private int fileCount() {
        retention.refreshIfStale();
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE) {
            return 0;
        }
        return queue.listCyclesBetween(first, last).size();
    }

    String cycleFileName(int cycle) {
        var f = retention.fileFor(cycle);
        return f != null ? f.getName() : "cycle " + cycle;
    }

    public boolean isClosed() {
        return queue.isClosed();
    }

    public Path dir() {
        return settings.dir();
    }

    @Override
    public synchronized void close() {
        try {
            if (appender != null) {
                appender.close();
            }
            queue.close();
        } finally {
            try {
                dirLock.close();
            } catch (IOException e) {
                LOG.warn("releasing lock of {}: {}", settings.dir(), e.toString());
            }
        }
    }
}
