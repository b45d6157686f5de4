package io.finwatch.collector.buffer;

/**
 * Sequence numbers of one run whose records were lost from the buffer before they were sent.
 *
 * @param epoch the run that numbered them
 * @param first first lost seq
 * @param last  last lost seq (inclusive)
 * @param cause what happened to them
 */
public record LostRange(long epoch, long first, long last, Cause cause) {
    /** What happened to lost records. */
    public enum Cause {
        /** Their bytes are in the buffer but do not read back (CRC mismatch, a damaged excerpt header). */
        CORRUPT,
        /** They are no longer in the buffer (a truncated, quarantined or deleted cycle file). */
        MISSING
    }

    public LostRange {
        if (last < first) {
            throw new IllegalArgumentException("empty range " + first + ".." + last);
        }
    }

    public long count() {
        return last - first + 1;
    }
}
