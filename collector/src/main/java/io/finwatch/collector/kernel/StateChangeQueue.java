package io.finwatch.collector.kernel;

import io.finwatch.collector.track.StateChange;
import io.finwatch.common.log.RateLimitedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties the {@link StateChangeFeed}'s rings on a thread of its own, every {@link #DRAIN_EVERY}, into a bounded
 * list that each poll takes whole ({@link #take}). A ring holds about 5,000 changes: a busy host that closes a few
 * thousand connections a second would fill it between two polls of a 1 s interval, and every loss makes the next
 * poll read every namespace. Drained ten times a second, a CPU may see ten times as many.
 *
 * <p>Past {@link #LIMIT} changes waiting for one poll, more are counted as lost (the poll then reads every
 * namespace, as after a loss in the kernel). The changes themselves are kept, not just which namespaces they touch:
 * the poll also takes the time each socket entered its state from them.
 */
public final class StateChangeQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateChangeQueue.class);
    static final Duration DRAIN_EVERY = Duration.ofMillis(100);
    /** Changes kept for one poll; about 150 bytes each. */
    static final int LIMIT = 100_000;

    private final StateChangeFeed feed;
    private final int limit;
    private final ScheduledExecutorService thread;
    private final RateLimitedLog warnings = new RateLimitedLog(log, Duration.ofMinutes(1));
    private final Consumer<StateChange> keep = this::keep;
    private List<StateChange> pending = new ArrayList<>();
    private long lost;
    private volatile long dropped;
    private boolean closed;

    /** What one poll takes: the changes since the previous take, and how many were lost. */
    public record Taken(List<StateChange> changes, long lost) {
    }

    private StateChangeQueue(StateChangeFeed feed, int limit) {
        this.feed = feed;
        this.limit = limit;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "finwatch-state-feed");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts draining {@code feed}, which it owns from now on (and closes). */
    public static StateChangeQueue start(StateChangeFeed feed) {
        return start(feed, LIMIT);
    }

    /** As above, keeping at most {@code limit} changes for one poll. */
    static StateChangeQueue start(StateChangeFeed feed, int limit) {
        StateChangeQueue queue = new StateChangeQueue(feed, limit);
        queue.thread.scheduleWithFixedDelay(queue::drain, 0, DRAIN_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return queue;
    }

    /** Drains the rings now (on the caller's thread, under the lock that keeps the drain single), then takes all. */
    public synchronized Taken take() {
        drain();
        Taken taken = new Taken(pending, lost);
        pending = new ArrayList<>(Math.min(limit, Math.max(16, taken.changes().size())));
        lost = 0;
        return taken;
    }

    private synchronized void drain() {
        if (closed) {
            return;
        }
        try {
            // Not "lost += feed.drain(keep).lost()": keep() adds to lost during the drain, and that form would
            // overwrite it with the value read before.
            long inKernel = feed.drain(keep).lost();
            lost += inKernel;
        } catch (RuntimeException e) {
            lost++;
            warnings.warn("drain", "reading the kernel's TCP state changes failed: {}", e.toString());
        }
    }

    private void keep(StateChange change) {
        if (pending.size() < limit) {
            pending.add(change);
        } else {
            lost++;
            dropped++;
        }
    }

    /** "REALTIME" or "MONOTONIC": the clock of the feed's times. */
    public String clock() {
        return feed.clock();
    }

    /** Changes read from the kernel since start. */
    public long changesTotal() {
        return feed.changesTotal();
    }

    /** Changes lost since start: dropped by the kernel (a full ring), or here (too many for one poll). */
    public long lostTotal() {
        return feed.lostTotal() + dropped;
    }

    /** Changes that could not be decoded since start. */
    public long malformedTotal() {
        return feed.malformedTotal();
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closed = true;
            feed.close();
        }
    }
}
