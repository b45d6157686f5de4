package io.finwatch.collector.buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Finds, as the reader walks the queue, the records that should have been between two it could read, and says
 * which sequence numbers of which runs they carried.
 *
 * <p>Every appended record takes the next ordinal of the directory, so a jump in ordinals between two readable
 * records means records were lost in between, whatever took them: unreadable bytes, a truncated or quarantined
 * file. Their sequence numbers are those between the two readable records' seqs; across a run boundary, the
 * earlier run's numbers up to its last and the later run's from its first, as the run history recorded them.
 * Numbers shed at the disk cap were never appended, and take no ordinal: a stretch of them between two readable
 * records is not a jump. A lost stretch can include a few of them when shedding and loss meet; the heartbeat that
 * declared them shed wins.
 *
 * <p>It starts at the acknowledged record, so a record lost before it (already in Kafka) is never declared, and
 * it only moves forward: a record at or below the newest one it accounted for (a re-read after a failed send)
 * changes nothing.
 */
final class ContinuityCheck {
    private final NavigableMap<Long, Run> runs = new TreeMap<>();
    private boolean known;
    private long epoch;
    private long seq;
    private long ordinal;
    private boolean damaged;

    ContinuityCheck(List<Run> runs, PositionFile.Position start) {
        runs.forEach(r -> this.runs.put(r.epoch(), r));
        if (start != null) {
            known = true;
            epoch = start.epoch();
            seq = start.seq();
            ordinal = start.ordinal();
        }
    }

    /** The reader skipped something it could not read; the next jump is blamed on damage. */
    void damaged() {
        damaged = true;
    }

    /** Whether a record with this ordinal was already accounted for. */
    boolean accounted(long recordOrdinal) {
        return known && recordOrdinal <= ordinal;
    }

    /** Takes the next readable record; returns the numbers lost since the previous one (usually none). */
    List<LostRange> next(long recordEpoch, long recordSeq, long recordOrdinal) {
        if (accounted(recordOrdinal)) {
            damaged = false;
            return List.of();
        }
        List<LostRange> lost = List.of();
        if (known && recordOrdinal > ordinal + 1) {
            lost = between(recordEpoch, recordSeq, damaged ? LostRange.Cause.CORRUPT : LostRange.Cause.MISSING);
        }
        known = true;
        epoch = recordEpoch;
        seq = recordSeq;
        ordinal = recordOrdinal;
        damaged = false;
        return lost;
    }

    private List<LostRange> between(long toEpoch, long toSeq, LostRange.Cause cause) {
        List<LostRange> out = new ArrayList<>();
        if (toEpoch == epoch) {
            add(out, epoch, seq + 1, toSeq - 1, cause);
            return out;
        }
        Run from = runs.get(epoch);
        if (from != null && from.lastSeq() != Run.UNKNOWN) {
            add(out, epoch, seq + 1, from.lastSeq(), cause);
        }
        for (Run r : runs.subMap(epoch, false, toEpoch, false).values()) {
            if (r.bounded()) {
                add(out, r.epoch(), r.firstSeq(), r.lastSeq(), cause);
            }
        }
        Run to = runs.get(toEpoch);
        if (to != null && to.firstSeq() != Run.UNKNOWN) {
            add(out, toEpoch, to.firstSeq(), toSeq - 1, cause);
        }
        return out;
    }

    private static void add(List<LostRange> out, long epoch, long first, long last, LostRange.Cause cause) {
        if (first <= last) {
            out.add(new LostRange(epoch, first, last, cause));
        }
    }
}
