package io.finwatch.collector.publish;

import java.util.ArrayDeque;

import io.finwatch.collector.buffer.StoredEvent;

/**
 * Sends in flight, in queue order, and the highest contiguous acknowledged one.
 *
 * <p>Kafka acknowledges the two topics' batches independently, so completions arrive out of queue order. Only
 * the newest event such that it and everything before it are acknowledged may become the persisted resume point;
 * anything later that Kafka already has is simply sent again after a restart (a duplicate, never a gap).
 *
 * <p>Completions come from the producer's I/O thread, everything else from the publisher thread.
 */
final class InFlightWindow {
    /** One send; completed by the producer callback. */
    static final class Entry {
        final StoredEvent event;
        boolean done;

        Entry(StoredEvent event) {
            this.event = event;
        }
    }

    /** The first failed send since the last {@link #reset()}. */
    record Failure(StoredEvent event, Exception cause) {
    }

    private final ArrayDeque<Entry> window = new ArrayDeque<>();
    private int outstanding;
    private long outstandingBytes;
    private long acknowledged;
    private StoredEvent newestAcked;
    /**
     * When the oldest event sent and not yet acknowledged was appended; kept across a {@link #reset()} (that event
     * is still not acknowledged and will be sent again first), {@link #NONE} once everything sent is acknowledged.
     */
    private long oldestUnackedAt = NONE;
    private Failure failure;

    static final long NONE = Long.MIN_VALUE;

    synchronized Entry add(StoredEvent e) {
        if (oldestUnackedAt == NONE) {
            oldestUnackedAt = e.appendedAtMillis();
        }
        Entry entry = new Entry(e);
        window.addLast(entry);
        outstanding++;
        outstandingBytes += e.size();
        return entry;
    }

    /** Kafka acknowledged {@code entry}; returns how many events became contiguously acknowledged. */
    synchronized int acknowledged(Entry entry) {
        settle(entry);
        entry.done = true;
        int advanced = 0;
        while (!window.isEmpty() && window.peekFirst().done) {
            newestAcked = window.pollFirst().event;
            advanced++;
        }
        if (advanced > 0) {
            acknowledged += advanced;
            oldestUnackedAt = window.isEmpty() ? NONE : window.peekFirst().event.appendedAtMillis();
        }
        return advanced;
    }

    synchronized void failed(Entry entry, Exception cause) {
        settle(entry);
        if (failure == null) {
            failure = new Failure(entry.event, cause);
        }
    }

    private void settle(Entry entry) {
        outstanding--;
        outstandingBytes -= entry.event.size();
    }

    /** The newest contiguously acknowledged event not yet taken, or null. */
    synchronized StoredEvent takeAcknowledged() {
        StoredEvent e = newestAcked;
        newestAcked = null;
        return e;
    }

    /** Whether another send may go out: no failed round pending and below both bounds. */
    synchronized boolean canSend(int maxEvents, long maxBytes) {
        return failure == null && outstanding < maxEvents && outstandingBytes < maxBytes;
    }

    synchronized Failure failure() {
        return failure;
    }

    synchronized int outstanding() {
        return outstanding;
    }

    synchronized long outstandingBytes() {
        return outstandingBytes;
    }

    synchronized long acknowledgedTotal() {
        return acknowledged;
    }

    /**
     * Age of the oldest event sent (in this or an earlier, failed round) and not acknowledged, or {@link #NONE}
     * when everything sent is acknowledged.
     */
    synchronized long lagMillis(long nowMillis) {
        return oldestUnackedAt == NONE ? NONE : Math.max(0, nowMillis - oldestUnackedAt);
    }

    /** Forgets every send after a rewind; only valid once nothing is outstanding. */
    synchronized void reset() {
        if (outstanding != 0) {
            throw new IllegalStateException(outstanding + " sends still outstanding");
        }
        window.clear();
        failure = null;
    }
}
