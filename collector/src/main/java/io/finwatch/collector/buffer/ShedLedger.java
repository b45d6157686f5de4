package io.finwatch.collector.buffer;

import io.finwatch.common.log.RateLimitedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequence numbers refused under the disk cap, merged into ranges until the caller drains them into a heartbeat's
 * gap marker. Consecutive seqs coalesce, so a long outage costs one range, not one entry per event.
 *
 * <p>Shedding is logged when it starts (WARN) and when events fit again (INFO, with how many were dropped), not
 * per event; a buffer that fills and drains every poll (a table larger than the cap, re-sent after each shedding)
 * gets one such pair a minute, with the count of those left out.
 */
final class ShedLedger {
    private static final Logger LOG = LoggerFactory.getLogger(ShedLedger.class);

    private final String dir;
    private final long capBytes;
    private final RateLimitedLog episodes = new RateLimitedLog(LOG, Duration.ofMinutes(1));
    private final List<SeqRange> pending = new ArrayList<>();
    private long total;
    private boolean shedding;
    private long episodeStartSeq;
    private long episodeCount;

    ShedLedger(String dir, long capBytes) {
        this.dir = dir;
        this.capBytes = capBytes;
    }

    synchronized void shed(long seq) {
        total++;
        if (!shedding) {
            shedding = true;
            episodeStartSeq = seq;
            episodeCount = 0;
            episodes.warn(dir + " full", "buffer {} is full ({} bytes of events Kafka has not acknowledged, --buffer-max-bytes): "
                    + "dropping new events from seq {} on (DROP-NEWEST); every heartbeat declares the dropped numbers "
                    + "in shed_ranges", dir, capBytes, seq);
        }
        episodeCount++;
        int last = pending.size() - 1;
        if (last >= 0 && pending.get(last).last() + 1 == seq) {
            pending.set(last, new SeqRange(pending.get(last).first(), seq));
        } else {
            pending.add(new SeqRange(seq, seq));
        }
    }

    /** A transition fitted under the cap again. */
    synchronized void fitted(long seq) {
        if (shedding) {
            shedding = false;
            episodes.info(dir + " room", "buffer {} has room again at seq {}: {} events dropped since seq {}", dir, seq,
                    episodeCount, episodeStartSeq);
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
