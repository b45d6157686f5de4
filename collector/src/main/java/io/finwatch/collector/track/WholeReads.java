package io.finwatch.collector.track;

import io.finwatch.collector.socket.ReadScope;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * When each namespace was last read whole, and so what the next read of it must cover: whole at its first
 * poll, after a resync, and every {@code every}; in between only its unsettled sockets ({@link ReadScope}).
 *
 * <p>Not thread-safe: one poll loop owns it.
 */
final class WholeReads {
    private final Duration every;
    /** A namespace not in here has no complete previous table. */
    private final Map<Long, Instant> readAt = new HashMap<>();

    /** @param every zero reads every namespace whole at every poll */
    WholeReads(Duration every) {
        if (every.isNegative()) {
            throw new IllegalArgumentException("negative whole-read interval: " + every);
        }
        this.every = every;
    }

    ReadScope scopeFor(long netns, Instant now) {
        Instant last = readAt.get(netns);
        if (every.isZero() || last == null || !now.isBefore(last.plus(every))) {
            return ReadScope.WHOLE;
        }
        return ReadScope.UNSETTLED;
    }

    void readWhole(long netns, Instant at) {
        readAt.put(netns, at);
    }

    void retain(Set<Long> live) {
        readAt.keySet().retainAll(live);
    }

    void clear() {
        readAt.clear();
    }
}
