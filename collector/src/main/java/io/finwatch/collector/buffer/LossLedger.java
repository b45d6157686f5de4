package io.finwatch.collector.buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Sequence ranges found lost from the buffer, held until the caller drains them into a heartbeat (as
 * {@link ShedLedger} holds the ranges shed at the cap), and the running count of lost events.
 */
final class LossLedger {
    private final List<LostRange> pending = new ArrayList<>();
    private long total;

    synchronized void lost(List<LostRange> ranges) {
        for (LostRange r : ranges) {
            pending.add(r);
            total += r.count();
        }
    }

    synchronized List<LostRange> drain() {
        List<LostRange> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    synchronized long total() {
        return total;
    }
}
