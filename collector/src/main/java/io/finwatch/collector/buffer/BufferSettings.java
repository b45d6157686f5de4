package io.finwatch.collector.buffer;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * How an {@link EventBuffer} is laid out and bounded.
 *
 * @param dir                    the queue directory (one per collector; a second process on it is refused)
 * @param maxBytes               cap on unacknowledged record bytes; past it new events are shed (DROP-NEWEST)
 * @param heartbeatHeadroomBytes extra bytes above the cap that only heartbeats may use, so the heartbeat that
 *                               carries the gap marker still gets out while everything else is being shed
 * @param rollCycle              how often Chronicle starts a new cycle file; retention deletes whole files
 * @param clock                  stamps appends (publish lag) and drives the roll cycle
 */
public record BufferSettings(Path dir, long maxBytes, long heartbeatHeadroomBytes, RollCycle rollCycle,
                             Clock clock) {
    /**
     * Five-minute files: at the collector's rate (a heartbeat a second plus transitions) a file stays small, an
     * acknowledged file is deleted within five minutes, and even a day-long Kafka outage is only 288 files.
     * FIVE_MINUTELY also allows 2^30 excerpts per file, far above any append rate this buffer can sustain.
     */
    public static final RollCycle DEFAULT_ROLL_CYCLE = RollCycles.FIVE_MINUTELY;
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    /**
     * About 40,000 heartbeats of ~100 bytes: half a day of one-a-second heartbeats (with their gap markers) still
     * get out while every other event is being shed.
     */
    public static final long DEFAULT_HEARTBEAT_HEADROOM_BYTES = 4L << 20;

    public BufferSettings {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(rollCycle, "rollCycle");
        Objects.requireNonNull(clock, "clock");
        if (maxBytes <= 0 || heartbeatHeadroomBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be > 0 and headroom >= 0");
        }
    }

    public static BufferSettings defaults(Path dir) {
        return new BufferSettings(dir, DEFAULT_MAX_BYTES, DEFAULT_HEARTBEAT_HEADROOM_BYTES, DEFAULT_ROLL_CYCLE,
                Clock.systemUTC());
    }

    public BufferSettings withMaxBytes(long bytes, long headroom) {
        return new BufferSettings(dir, bytes, headroom, rollCycle, clock);
    }

    public BufferSettings withRollCycle(RollCycle cycle) {
        return new BufferSettings(dir, maxBytes, heartbeatHeadroomBytes, cycle, clock);
    }

    public BufferSettings withClock(Clock c) {
        return new BufferSettings(dir, maxBytes, heartbeatHeadroomBytes, rollCycle, c);
    }
}
