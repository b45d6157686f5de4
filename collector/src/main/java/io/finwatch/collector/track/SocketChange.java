package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;

import java.util.Objects;

/**
 * What happened to one socket between two polls.
 *
 * @param key    the socket's key (same in both rows when both are present)
 * @param before the row in the previous poll; null when the socket is first seen
 * @param after  the row in this poll; null when the socket is gone
 */
public record SocketChange(SocketKey key, SocketRow before, SocketRow after) {

    public enum Kind {
        /** Not in the previous poll, or a new connection that reuses a tuple. */
        FIRST_SEEN,
        /** Same connection, new state, or now orphaned (which starts the kernel's reap timer). */
        CHANGED,
        /** Not in this poll, or replaced by a new connection on the same tuple. */
        GONE
    }

    public SocketChange {
        Objects.requireNonNull(key, "key");
        if (before == null && after == null) {
            throw new IllegalArgumentException("a change needs a row before or after: " + key);
        }
    }

    public static SocketChange firstSeen(SocketRow after) {
        return new SocketChange(after.key(), null, after);
    }

    public static SocketChange changed(SocketRow before, SocketRow after) {
        return new SocketChange(after.key(), before, after);
    }

    public static SocketChange gone(SocketRow before) {
        return new SocketChange(before.key(), before, null);
    }

    public Kind kind() {
        return before == null ? Kind.FIRST_SEEN : after == null ? Kind.GONE : Kind.CHANGED;
    }

    /** The state before; null when first seen. */
    public TcpState fromState() {
        return before == null ? null : before.state();
    }

    /** The state now; null when gone. */
    public TcpState toState() {
        return after == null ? null : after.state();
    }

    /** The owner closed the socket since the last poll: from now on only the kernel's timers can end it. */
    public boolean becameOrphaned() {
        return before != null && after != null && !before.orphaned() && after.orphaned();
    }

    @Override
    public String toString() {
        return kind() + " " + key + " " + (fromState() == null ? "-" : fromState()) + " -> "
                + (toState() == null ? "GONE" : toState()) + (becameOrphaned() ? " (orphaned)" : "");
    }
}
