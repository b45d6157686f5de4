package io.finwatch.collector.buffer;

/**
 * One collector run over a buffer directory and the sequence numbers it gave out.
 *
 * @param epoch    the run's identity (see {@link RunStart})
 * @param firstSeq the first seq it numbered an event with, or {@link #UNKNOWN}
 * @param lastSeq  the last seq it appended, {@code firstSeq - 1} when it appended nothing, or {@link #UNKNOWN}
 *                 while the run may still append or when nothing recorded it
 */
record Run(long epoch, long firstSeq, long lastSeq) {
    static final long UNKNOWN = Long.MIN_VALUE;

    boolean bounded() {
        return firstSeq != UNKNOWN && lastSeq != UNKNOWN;
    }

    Run endingAt(long last) {
        return new Run(epoch, firstSeq, last);
    }
}
