package io.finwatch.streams.metrics;

/**
 * How far behind one task runs: for each record it processes, the detector's wall clock minus the record's
 * timestamp (when the collector appended the event to its buffer). The largest lag of the records processed since
 * the previous punctuation is what the task reports; a task with nothing to process reports zero, since nothing
 * waits for it. A backlog shows as a lag that stays high from one punctuation to the next.
 *
 * <p>The lag includes the collector's own publishing delay: events that waited in a collector's buffer through a
 * Kafka outage arrive old, and raise it while they are drained.
 */
public final class EventLag {
    private long windowMaxMs;
    private volatile long reportedMs;

    /** On the task's thread, for every record. */
    public void observe(long lagMs) {
        if (lagMs > windowMaxMs) {
            windowMaxMs = lagMs;
        }
    }

    /** On the task's thread, at each punctuation: reports the window's largest lag and starts a new window. */
    public void publish() {
        reportedMs = windowMaxMs;
        windowMaxMs = 0;
    }

    long reportedMs() {
        return reportedMs;
    }
}
