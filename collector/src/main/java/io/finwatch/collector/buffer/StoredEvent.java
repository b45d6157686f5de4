package io.finwatch.collector.buffer;

/**
 * An event read back from the buffer, with where it sits in the queue.
 *
 * @param index            the Chronicle index of the excerpt; the unit of acknowledgement
 * @param event            the event as appended
 * @param appendedAtMillis wall-clock time of the append, for publish lag
 * @param ordinal          how many events were appended to this queue before this one
 * @param offset           how many record bytes were appended to this queue before this one
 * @param size             this record's bytes on disk, counted against the cap
 */
public record StoredEvent(long index, BufferedEvent event, long appendedAtMillis, long ordinal, long offset, int size) {
    /** Record bytes appended up to and including this event. */
    public long endOffset() {
        return offset + size;
    }
}
