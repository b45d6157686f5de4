package io.finwatch.collector.buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a new run over a buffer directory starts: its epoch, its first seq, the next record's ordinal and offset,
 * and the acknowledged position the reader resumes after.
 *
 * <h2>Why (collector_id, epoch, seq) never names two events</h2>
 * It is the scheme of Kafka's idempotent producer (producer id and epoch, then a sequence): the sequence is only
 * unique within an epoch, and the epoch is what no local state can make repeat. A run takes its epoch after it
 * holds the directory lock, so no other run of this collector is alive, as the wall clock in milliseconds, raised
 * above every epoch the directory remembers (its run history, its position file, the newest record in the queue).
 * <ul>
 *   <li>The clock part does not depend on the disk at all: a truncated, garbage, deleted or restored-from-backup
 *       directory cannot lower it. Two runs of one collector cannot start in the same millisecond (one must have
 *       died and released the lock, and a JVM start alone takes far longer), so the clock part alone differs
 *       between runs unless the wall clock was set back past an earlier run's start.</li>
 *   <li>Whatever survives on the disk can only raise the epoch, which covers a clock set back while the
 *       directory is intact.</li>
 * </ul>
 * So the only way to repeat an epoch is a clock set back by more than the time between two starts together with
 * the loss of the whole directory. Within a run the buffer hands each seq out once (the poll loop counts up under
 * one thread). Events keep the epoch of the run that numbered them when a later run sends them from the buffer.
 *
 * <h2>Numbering continues when the directory remembers it</h2>
 * The first seq of a run is one above any seq the directory remembers (the position file, which every append
 * updates, survives a truncated or damaged cycle file), so seq normally keeps growing across restarts and
 * consumers that order a host's events by seq keep working. It is a convenience, not the guarantee: after the
 * directory was lost, seq starts at 0 again under a new epoch. Ordinals (one per appended record) continue the
 * same way, and never below what was acknowledged: a reader that finds an ordinal missing knows records were lost.
 *
 * @param epoch       this run's epoch
 * @param firstSeq    the seq of this run's first event
 * @param nextOrdinal ordinal of the next record appended
 * @param nextOffset  offset of the next record appended
 * @param acked       the newest acknowledged record, or null when none is known
 * @param runs        the runs whose events may still be in the buffer, oldest first, ending with this one (its
 *                    last seq unknown)
 */
record RunStart(long epoch, long firstSeq, long nextOrdinal, long nextOffset, PositionFile.Position acked,
                List<Run> runs) {
    /** Runs kept in the history: a collector restarted every minute through a week-long Kafka outage. */
    static final int MAX_RUNS = 10_000;

    /**
     * @param nowMillis   the wall clock
     * @param history     the run history file's runs (empty when there was none or it was unreadable)
     * @param positions   the position file's contents, or null
     * @param newest      the newest readable record of the queue, or null
     * @param ackedRecord the record at the queue's acknowledged index, or null
     */
    static RunStart plan(long nowMillis, List<Run> history, PositionFile.Contents positions, StoredEvent newest,
                         StoredEvent ackedRecord) {
        PositionFile.Position appended = positions == null ? null : positions.appended();
        PositionFile.Position acked = positions != null && positions.acked() != null ? positions.acked()
                : ackedRecord != null ? PositionFile.Position.of(ackedRecord) : null;
        PositionFile.Position newestAt = newest == null ? null : PositionFile.Position.of(newest);

        List<Run> runs = new ArrayList<>(history);
        closePrevious(runs, appended, newestAt);
        long maxEpoch = Long.MIN_VALUE;
        long maxSeq = -1;
        for (Run r : runs) {
            maxEpoch = Math.max(maxEpoch, r.epoch());
            maxSeq = Math.max(maxSeq, Math.max(r.lastSeq(), r.firstSeq() == Run.UNKNOWN ? -1 : r.firstSeq() - 1));
        }
        long nextOrdinal = 0;
        long nextOffset = 0;
        for (PositionFile.Position p : new PositionFile.Position[] {appended, acked, newestAt}) {
            if (p != null) {
                maxEpoch = Math.max(maxEpoch, p.epoch());
                maxSeq = Math.max(maxSeq, p.seq());
                nextOrdinal = Math.max(nextOrdinal, p.ordinal() + 1);
                nextOffset = Math.max(nextOffset, p.offsetEnd());
            }
        }
        long epoch = maxEpoch == Long.MIN_VALUE ? nowMillis : Math.max(nowMillis, maxEpoch + 1);
        long firstSeq = maxSeq + 1;
        // Runs wholly before the acknowledged one have nothing left to send: no loss can concern them.
        if (acked != null) {
            runs.removeIf(r -> r.epoch() < acked.epoch());
        }
        if (runs.size() >= MAX_RUNS) {
            runs.subList(0, runs.size() - MAX_RUNS + 1).clear();
        }
        runs.add(new Run(epoch, firstSeq, Run.UNKNOWN));
        return new RunStart(epoch, firstSeq, nextOrdinal, nextOffset, acked, List.copyOf(runs));
    }

    /**
     * The newest run in the history ended when its process did: its last seq is the newest append the position
     * file saw (or, without one, the newest record in the queue). A run the history does not know (its history was
     * lost, or the directory predates epochs) is added with what is known of it.
     */
    private static void closePrevious(List<Run> runs, PositionFile.Position appended, PositionFile.Position newest) {
        PositionFile.Position evidence = appended != null ? appended : newest;
        if (!runs.isEmpty()) {
            int lastIndex = runs.size() - 1;
            Run last = runs.get(lastIndex);
            if (last.lastSeq() == Run.UNKNOWN) {
                long end = evidence == null ? Run.UNKNOWN
                        : evidence.epoch() == last.epoch() ? evidence.seq()
                        : evidence.epoch() < last.epoch() && last.firstSeq() != Run.UNKNOWN ? last.firstSeq() - 1
                        : Run.UNKNOWN;
                runs.set(lastIndex, last.endingAt(end));
            }
        }
        if (evidence != null && (runs.isEmpty() || runs.get(runs.size() - 1).epoch() < evidence.epoch())) {
            runs.add(new Run(evidence.epoch(), Run.UNKNOWN, evidence.seq()));
        }
    }
}
