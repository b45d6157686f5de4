package io.finwatch.collector.publish;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a publisher that is quietly making no progress from one that is idle: events wait in the buffer and no
 * acknowledgement has moved the resume point for longer than a producer can legitimately take (its delivery
 * timeout, after which every send ends in an acknowledgement or an error). Whatever the cause (a reader stuck at
 * a damaged spot, a thread that hangs), a state that says RUNNING while nothing moves is the failure this exists
 * to prevent. Logged once when it starts and once when it ends.
 *
 * <p>Progress is reported by the publisher thread; the verdict is asked for by whoever reads the state (metrics,
 * /healthz), so a publisher thread that hangs altogether is caught too.
 */
final class StallWatch {
    private static final Logger LOG = LoggerFactory.getLogger(StallWatch.class);

    private final long afterNanos;
    private final LongSupplier nanoTime;
    private volatile long lastProgress;
    private boolean reported;

    StallWatch(Duration after, LongSupplier nanoTime) {
        this.afterNanos = after.toNanos();
        this.nanoTime = nanoTime;
        this.lastProgress = nanoTime.getAsLong();
    }

    /** The resume point moved, or nothing was waiting. */
    void progressed() {
        lastProgress = nanoTime.getAsLong();
    }

    /** How long nothing has moved while events waited, or null when that is not (yet) a stall. */
    synchronized Duration stalledFor(boolean eventsWaiting, Supplier<String> detail) {
        long since = nanoTime.getAsLong() - lastProgress;
        boolean stalled = eventsWaiting && since > afterNanos;
        if (stalled && !reported) {
            reported = true;
            LOG.warn("publishing has stalled: {}", detail.get());
        } else if (!stalled && reported) {
            reported = false;
            LOG.info("publishing moves again");
        }
        return stalled ? Duration.ofNanos(since) : null;
    }
}
