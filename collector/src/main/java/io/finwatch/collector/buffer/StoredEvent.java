package io.finwatch.collector.buffer;

/**
 * An event read back from the buffer, with where it sits in the queue.
 *
 * @param index            the Chronicle index of the excerpt; the unit of acknowledgement
 * @param epoch            the collector run that numbered the event (0: written before epochs existed)
 * @param event            the event as appended
 * @param appendedAtMillis wall-clock time of the append, for publish lag
 * @param ordinal          how many records were appended to this directory before this one
 * @param offset           how many record bytes were appended to this directory before this one
 * @param size             this record's bytes on disk, counted against the cap
 */
public record StoredEvent(long index, long epoch, BufferedEvent event, long appendedAtMillis, long ordinal, long offset,
                          int size) {
    /** Record bytes appended up to and including this event. */
    public long endOffset() {
        return offset + size;
    }
}
