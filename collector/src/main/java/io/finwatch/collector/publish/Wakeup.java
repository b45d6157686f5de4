package io.finwatch.collector.publish;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * How the publisher thread sleeps while there is nothing to do: until another thread says there may be (events
 * appended, a send acknowledged or failed, close), or a ceiling passes. An idle collector's publisher then wakes a
 * few times per poll, not tens of times a second: each wake-up looks at the Chronicle tailer, which is what the
 * idle CPU went on.
 *
 * <p>One thread awaits; any thread signals. A signal given while nobody waits is kept for the next wait.
 */
final class Wakeup {
    private final AtomicBoolean signalled = new AtomicBoolean();
    private volatile Thread waiter;

    /** Ends the current or the next {@link #await}. */
    void signal() {
        signalled.set(true);
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Returns when signalled (also by a signal given since the last await) or after {@code nanos}. */
    void await(long nanos) {
        if (signalled.getAndSet(false)) {
            return;
        }
        waiter = Thread.currentThread();
        try {
            long deadline = System.nanoTime() + nanos;
            // park may return early for no reason; only a signal or the deadline ends the wait.
            while (!signalled.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            waiter = null;
        }
        signalled.set(false);
    }
}
