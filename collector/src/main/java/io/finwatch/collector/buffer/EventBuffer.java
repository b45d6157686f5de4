package io.finwatch.collector.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.finwatch.common.log.RateLimitedLog;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
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
 * <h2>Runs and numbering</h2>
 * Each open starts a run with its own epoch and first seq ({@link RunStart} argues why (collector id, epoch, seq)
 * never names two events); each record carries its run's epoch and the directory's next ordinal. Numbering is
 * also kept apart from the cycle files, in {@link PositionFile} and {@link RunHistory}.
 *
 * <h2>Disk cap: DROP-NEWEST</h2>
 * The cap bounds the record bytes of events Kafka has not acknowledged. When appending an event would take them
 * over {@link BufferSettings#maxBytes()}, the event is refused ({@link #SHED}), counted ({@link #shedTotal()}) and
 * its seq is remembered for the next heartbeat's gap marker ({@link #drainShedRanges()}). Old data is kept rather
 * than new because it is what Kafka has not seen. Heartbeats may use
 * {@link BufferSettings#heartbeatHeadroomBytes()} above the cap, so the gap marker still gets out.
 *
 * <h2>Acknowledgement and retention</h2>
 * {@link #acknowledge} records the newest event up to which Kafka acknowledged everything, in Chronicle's metadata
 * table and in {@link PositionFile} (memory-mapped, they survive kill -9); a new {@link BufferReader} resumes after
 * it, and fully acknowledged cycle files are deleted ({@link CycleRetention}).
 *
 * <h2>Bad state on disk</h2>
 * {@link BufferOpener} makes every start succeed whatever the files hold. A record that does not read back is
 * logged, counted in {@link #corruptRecords()} and skipped; the numbers of whatever was lost are found by
 * {@link ContinuityCheck} and handed out by {@link #drainLostRanges()} for the heartbeats.
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

    private final BufferSettings settings;
    private final QueueDirLock dirLock;
    private final CycleRetention retention;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final LongValue ackCursor;
    private final PositionFile positions;
    private final long epoch;
    private final long firstSeq;
    private final BufferRecordCodec codec = new BufferRecordCodec();
    private final ShedLedger shed;
    private final LossLedger lost = new LossLedger();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong retentionFailures = new AtomicLong();
    /** A sweep is tried again at every acknowledgement, several a second: one line a minute says it keeps failing. */
    private final RateLimitedLog retentionWarnings = new RateLimitedLog(LOG, Duration.ofMinutes(1));
    /** Touched by the reader's thread only. */
    private final ContinuityCheck continuity;
    private final OldestUnacknowledged oldestUnacknowledged;
    private final long acknowledgedOrdinalAtOpen;
    private ExcerptAppender appender;
    /**
     * Index of the newest excerpt in the queue: the newest there at open, then each one appended. This buffer is the
     * queue's only writer (its directory lock keeps other processes out), so no excerpt lies past it.
     */
    private volatile long lastWrittenIndex;

    // Guarded by this: the next record's ordinal/offset and the newest seq appended.
    private long nextOrdinal;
    private long nextOffset;
    private long lastSeq;

    // Written by the acknowledging thread, read by append's cap check and by stats.
    private volatile long ackedIndex = NO_INDEX;
    private volatile long ackedOrdinalEnd;
    private volatile long ackedOffsetEnd;
    private final Object sweepLock = new Object();
    private int lastSweptCycle = Integer.MIN_VALUE;

    EventBuffer(BufferSettings settings, QueueDirLock dirLock, CycleRetention retention, SingleChronicleQueue queue,
                PositionFile positions, RunStart start, StoredEvent oldest, int tornRecords) {
        this.settings = settings;
        this.dirLock = dirLock;
        this.retention = retention;
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.ackCursor = queue.indexForId(ACK_CURSOR);
        this.positions = positions;
        this.epoch = start.epoch();
        this.firstSeq = start.firstSeq();
        this.shed = new ShedLedger(settings.dir().toString(), settings.maxBytes());
        this.continuity = new ContinuityCheck(start.runs(), start.acked());
        this.oldestUnacknowledged = new OldestUnacknowledged(queue);
        this.nextOrdinal = start.nextOrdinal();
        this.nextOffset = start.nextOffset();
        this.lastSeq = start.firstSeq() - 1;
        this.corrupt.addAndGet(tornRecords);
        this.lastWrittenIndex = queue.lastIndex();
        PositionFile.Position acked = start.acked();
        this.acknowledgedOrdinalAtOpen = acked == null ? -1 : acked.ordinal();
        this.ackedOrdinalEnd = acked != null ? acked.ordinal() + 1 : oldest != null ? oldest.ordinal() : nextOrdinal;
        this.ackedOffsetEnd = acked != null ? acked.offsetEnd() : oldest != null ? oldest.offset() : nextOffset;
        long cursor = ackCursor.getVolatileValue();
        if (cursor > 0) {
            ackedIndex = cursor;
            sweep(cursor);
        }
    }

    /**
     * Opens (or creates) the buffer in {@code settings.dir()} and starts a run on it.
     *
     * @throws IllegalStateException if another live process holds the directory
     */
    public static EventBuffer open(BufferSettings settings) {
        return BufferOpener.open(settings);
    }

    /** The bytes {@code e} takes against the disk cap once appended. */
    public static int storedSize(BufferedEvent e) {
        return BufferRecordCodec.recordSize(BufferRecordCodec.encodedLength(e, BufferRecordCodec.keyBytes(e)));
    }

    /**
     * Appends an event of this run.
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
            ByteBuffer record = codec.encode(e, key, epoch, settings.clock().millis(), nextOrdinal, nextOffset);
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
                lastWrittenIndex = index;
            } catch (RuntimeException failed) {
                LOG.error("queue {}: append of seq {} failed, recording it as shed: {}", queue.file(), e.seq(),
                        failed.toString(), failed);
                shed.shed(e.seq());
                return SHED;
            }
            nextOffset += size;
            positions.appended(new PositionFile.Position(epoch, e.seq(), nextOrdinal, nextOffset));
            nextOrdinal++;
            lastSeq = e.seq();
            if (e.kind() == EventKind.TRANSITION) {
                shed.fitted(e.seq());
            }
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
        positions.acked(PositionFile.Position.of(last));
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
                    retentionFailures.incrementAndGet();
                    retentionWarnings.warn("retention", "queue {}: deleting acknowledged cycle files failed "
                            + "(tried again at the next acknowledgement): {}", queue.file(), e.toString());
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

    /** Kafka acknowledged {@code e} before this run: met when the acknowledged index was lost with a damaged file. */
    boolean acknowledgedBefore(StoredEvent e) {
        return e.ordinal() <= acknowledgedOrdinalAtOpen;
    }

    /** Index of the newest excerpt written to the queue, by this run or before it; below 0 when there is none. */
    long lastWrittenIndex() {
        return lastWrittenIndex;
    }

    /** The reader skipped a record it could not read. */
    void damageSeen() {
        continuity.damaged();
    }

    /** The reader read {@code e}: records whatever was lost between it and the previous one. */
    void accountFor(StoredEvent e) {
        List<LostRange> gone = continuity.next(e.epoch(), e.event().seq(), e.ordinal());
        if (!gone.isEmpty()) {
            lost.lost(gone);
            LOG.error("queue {}: records lost before index {} (seq {} of epoch {}): {}; declared in the next heartbeat",
                    queue.file(), BufferReader.hex(e.index()), e.event().seq(), e.epoch(), gone);
        }
    }

    /** Shed seq ranges since the last drain, oldest first; the caller puts them into the next heartbeat. */
    public List<SeqRange> drainShedRanges() {
        return shed.drain();
    }

    /** Ranges found lost from the buffer since the last drain; the caller puts them into the next heartbeat. */
    public List<LostRange> drainLostRanges() {
        return lost.drain();
    }

    public long shedTotal() {
        return shed.total();
    }

    /** Events found lost from the buffer (corrupt or missing records) since this process opened it. */
    public long lostTotal() {
        return lost.total();
    }

    /** Sweeps of acknowledged cycle files that failed; the files stay on disk until one succeeds. */
    public long retentionFailures() {
        return retentionFailures.get();
    }

    public long corruptRecords() {
        return corrupt.get();
    }

    void countCorrupt(long n) {
        corrupt.addAndGet(n);
    }

    /** This run's epoch: every event it appends carries it. */
    public long epoch() {
        return epoch;
    }

    /** The seq this run's first event takes. */
    public long firstSeq() {
        return firstSeq;
    }

    /** The seq of the newest event appended to this directory, or {@code firstSeq() - 1}. */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** Index of the newest event Kafka acknowledged, or {@link #NO_INDEX}. */
    public long acknowledgedIndex() {
        return ackedIndex;
    }

    /** Events appended and not yet acknowledged by Kafka. */
    public synchronized long depthEvents() {
        return nextOrdinal - ackedOrdinalEnd;
    }

    /** How long ago the oldest event Kafka has not acknowledged was appended; 0 when there is none. */
    public long oldestUnacknowledgedAgeMillis(long nowMillis) {
        if (depthEvents() == 0) {
            return 0;
        }
        long at = oldestUnacknowledged.appendedAt(ackedIndex, ackedOrdinalEnd);
        return at < 0 ? 0 : Math.max(0, nowMillis - at);
    }

    public BufferStats stats() {
        long bytes;
        synchronized (this) {
            bytes = nextOffset - ackedOffsetEnd;
        }
        return new BufferStats(depthEvents(), bytes, fileCount(), shed.total(), corrupt.get(), lost.total());
    }

    private int fileCount() {
        retention.refreshIfStale();
        return retention.cyclesOnDisk().size();
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
