package io.finwatch.collector.buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Sequence numbers refused under the disk cap, merged into ranges until the caller drains them into a heartbeat's
 * gap marker. Consecutive seqs coalesce, so a long outage costs one range, not one entry per event.
 */
final class ShedLedger {
    private final List<SeqRange> pending = new ArrayList<>();
    private long total;

    synchronized void shed(long seq) {
        total++;
        int last = pending.size() - 1;
        if (last >= 0 && pending.get(last).last() + 1 == seq) {
            pending.set(last, new SeqRange(pending.get(last).first(), seq));
        } else {
            pending.add(new SeqRange(seq, seq));
        }
    }

    synchronized List<SeqRange> drain() {
        List<SeqRange> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    synchronized long total() {
        return total;
    }
}
