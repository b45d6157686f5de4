package io.finwatch.local;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The components in the order they started; they stop in the reverse order, so each stops before what it
 * depends on (the collector and the printer before the detector, the detector before the broker it commits to).
 * A component that fails to stop is logged and the next one still stops.
 */
final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private record Component(String name, AutoCloseable closeable) {
    }

    private final Deque<Component> started = new ArrayDeque<>();

    synchronized <T extends AutoCloseable> T started(String name, T component) {
        started.push(new Component(name, component));
        return component;
    }

    /** Stops everything started so far; safe to call twice (the second call finds nothing left). */
    synchronized void stopAll() {
        while (!started.isEmpty()) {
            Component c = started.pop();
            long t0 = System.nanoTime();
            try {
                c.closeable().close();
                log.info("stopped {} in {} ms", c.name(), (System.nanoTime() - t0) / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.warn("interrupted while stopping {}", c.name());
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", c.name(), e.toString(), e);
            }
        }
    }
}
