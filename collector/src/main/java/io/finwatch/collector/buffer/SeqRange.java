package io.finwatch.collector.buffer;

/** An inclusive range of event sequence numbers, e.g. the ones shed while the disk cap was reached. */
public record SeqRange(long first, long last) {
    public SeqRange {
        if (last < first) {
            throw new IllegalArgumentException("empty range " + first + ".." + last);
        }
    }

    public long count() {
        return last - first + 1;
    }
}
