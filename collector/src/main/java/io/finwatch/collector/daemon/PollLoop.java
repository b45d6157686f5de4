package io.finwatch.collector.daemon;

import io.finwatch.collector.buffer.BufferedEvent;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.EventKind;
import io.finwatch.collector.buffer.LostRange;
import io.finwatch.collector.buffer.SeqRange;
import io.finwatch.collector.events.EventFactory;
import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.track.HostRead;
import io.finwatch.collector.track.HostState;
import io.finwatch.collector.track.PollResult;
import io.finwatch.collector.track.SocketChange;
import io.finwatch.common.log.RateLimitedLog;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.LossCause;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.serde.FinwatchSerde;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick of the collector: read the host, apply what was read to what the collector knows of it, turn the
 * changes into transitions and append them to the buffer, then append a heartbeat. Every event takes the next
 * number of the run's sequence and carries the run's epoch, shed or not, so a consumer sees a gap exactly where
 * events were dropped, and a heartbeat says which and why: shed at the cap ({@code shed_ranges}) or lost from the
 * buffer ({@code lost_ranges}).
 *
 * <p>After events were shed, downstream state has holes: once the buffer has room again the host state is
 * resynced, so the next poll reports every socket as first seen and consumers rebuild their view.
 *
 * <p>A failing poll never ends the loop: it is logged, counted, and the next tick tries again.
 */
final class PollLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

    private final HostReader host;
    private final HostState state;
    private final EventFactory events;
    private final FinwatchSerde serde;
    private final EventBuffer buffer;
    private final Runnable appended;
    private final CollectorMetrics metrics;
    private final Clock clock;
    private final Instant startedAt;
    private final long intervalMs;
    private final long bufferMaxBytes;
    private final String version;
    private final long epoch;
    private final long firstSeq;
    private final AtomicLong nextSeq;
    private final List<SeqRange> pendingShedRanges = new ArrayList<>();
    private final List<LostRange> pendingLostRanges = new ArrayList<>();
    /** A damaged table would otherwise log a line per bad line per poll. */
    private final RateLimitedLog warnings = new RateLimitedLog(log, Duration.ofMinutes(1));
    private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    private boolean resyncPending;
    /** The next poll reports every socket as first seen: the first poll of a run, or the one after a resync. */
    private boolean fullTableNext = true;
    /** Sockets in the newest table, and the stored size of one transition: what a full re-send would take. */
    private int tableSize;
    private int transitionBytes;
    private boolean warnedTableTooLarge;
    private long parseErrors;
    private long readErrors;

    PollLoop(HostReader host, HostState state, EventFactory events, FinwatchSerde serde, EventBuffer buffer,
             Runnable appended, CollectorMetrics metrics, Clock clock, long intervalMs, long bufferMaxBytes,
             String version) {
        this.host = host;
        this.state = state;
        this.events = events;
        this.serde = serde;
        this.buffer = buffer;
        this.appended = appended;
        this.metrics = metrics;
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.bufferMaxBytes = bufferMaxBytes;
        this.version = version;
        this.startedAt = clock.instant();
        // The buffer chose this run's epoch and where its numbering starts (see RunStart).
        this.epoch = buffer.epoch();
        this.firstSeq = buffer.firstSeq();
        this.nextSeq = new AtomicLong(firstSeq);
    }

    /**
     * Whether a re-send of the whole table would fit under the cap now. Re-sending into a buffer without room for
     * it sheds part of it, which calls for another re-send: on a table near the cap's size that loops for as long
     * as the buffer is not empty. A table larger than the whole cap can never fit: it is re-sent once the buffer is
     * half empty, with a warning.
     */
    private boolean roomForFullTable() {
        long depth = buffer.stats().depthBytes();
        long needed = (long) tableSize * Math.max(transitionBytes, 1);
        if (needed > bufferMaxBytes && !warnedTableTooLarge) {
            warnedTableTooLarge = true;
            log.warn("the full socket table (~{} bytes, {} sockets) is larger than --buffer-max-bytes {}: after shedding, "
                    + "part of every re-send is shed again; raise --buffer-max-bytes", needed, tableSize, bufferMaxBytes);
        }
        return depth + needed <= bufferMaxBytes || (needed > bufferMaxBytes && depth < bufferMaxBytes / 2);
    }

    /** When a poll last completed; null before the first. */
    Instant lastSuccess() {
        return lastSuccess.get();
    }

    long nextSeq() {
        return nextSeq.get();
    }

    @Override
    public void run() {
        try {
            tick();
        } catch (RuntimeException | Error e) {
            metrics.pollFailed();
            log.error("poll failed; trying again at the next interval", e);
        } catch (IOException e) {
            metrics.pollFailed();
            log.error("poll failed: {}; trying again at the next interval", e.toString());
        }
    }

    void tick() throws IOException {
        resyncIfRoom();
        boolean fullTable = fullTableNext;
        long firstSeq = nextSeq.get();
        HostRead read = host.read(state.nextRead());
        PollResult poll = state.apply(read);
        fullTableNext = false;
        report(poll);
        int shed = appendTransitions(poll);
        // Downstream closes episodes this full table left out; a table with holes must not claim to be full.
        appendHeartbeat(poll, fullTable && shed == 0 ? firstSeq : null);
        appended.run();
        metrics.recordPoll(poll, poll.changes().size(), shed);
        lastSuccess.set(clock.instant());
    }

    /** Once the buffer has room for a re-send after shedding, the next poll reports the whole table. */
    private void resyncIfRoom() {
        if (resyncPending && roomForFullTable()) {
            log.info("buffer has room again after shedding: re-sending the full socket table");
            state.resync();
            resyncPending = false;
            fullTableNext = true;
        }
    }

    private static io.finwatch.schemas.LostRange lost(LostRange r) {
        return new io.finwatch.schemas.LostRange(r.epoch(), r.first(), r.last(),
                r.cause() == LostRange.Cause.CORRUPT ? LossCause.BUFFER_CORRUPT : LossCause.BUFFER_MISSING);
    }

    private void report(PollResult poll) {
        parseErrors += poll.errors().size();
        readErrors += poll.readFailures().size();
        poll.errors().forEach(e -> warnings.warn(e.source(), "malformed line skipped: {}", e));
        poll.readFailures().forEach(f -> warnings.warn(f, "table not read: {}", f));
    }

    /** @return how many of the poll's transitions the buffer shed */
    private int appendTransitions(PollResult poll) {
        String host = events.host();
        int shed = 0;
        for (SocketChange change : poll.changes()) {
            long seq = nextSeq.getAndIncrement();
            SocketTransition transition = events.transition(change, poll, seq);
            transition.setEpoch(epoch);
            byte[] bytes = serde.encode(transition);
            BufferedEvent event = new BufferedEvent(EventKind.TRANSITION, seq, host, bytes);
            if (transitionBytes == 0) {
                transitionBytes = EventBuffer.storedSize(event);
            }
            if (buffer.append(event) == EventBuffer.SHED) {
                shed++;
            }
        }
        tableSize = poll.table().size();
        if (shed > 0) {
            resyncPending = true;
        }
        return shed;
    }

    private void appendHeartbeat(PollResult poll, Long fullTableFromSeq) {
        pendingShedRanges.addAll(buffer.drainShedRanges());
        pendingLostRanges.addAll(buffer.drainLostRanges());
        long seq = nextSeq.getAndIncrement();
        EventFactory.HeartbeatCounters counters = new EventFactory.HeartbeatCounters(startedAt,
                version, intervalMs, parseErrors, readErrors,
                buffer.shedTotal(), List.copyOf(pendingShedRanges), buffer.corruptRecords(), fullTableFromSeq);
        CollectorHeartbeat heartbeat = events.heartbeat(poll, seq, counters);
        heartbeat.setEpoch(epoch);
        heartbeat.setEpochFirstSeq(firstSeq);
        heartbeat.setLostRanges(pendingLostRanges.stream().map(PollLoop::lost).toList());
        byte[] hb = serde.encode(heartbeat);
        if (buffer.append(new BufferedEvent(EventKind.HEARTBEAT, seq, events.host(), hb)) != EventBuffer.SHED) {
            pendingShedRanges.clear();
            pendingLostRanges.clear();
        } else {
            // Even the heartbeat headroom is used up: its own seq joins the ranges the next heartbeat reports.
            pendingShedRanges.addAll(buffer.drainShedRanges());
        }
    }
}
