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
 * @param endedAtMs epoch ms of the socket's end when the kernel's destroy notification told it (a GONE only), else
 *               0: the poll found it gone
 * @param seenOnlyAtDestruction a GONE of a socket no poll saw: it lived and died between two polls, and
 *               {@code before} is what its destroy notification said (state CLOSE)
 */
public record SocketChange(SocketKey key, SocketRow before, SocketRow after, long endedAtMs,
                           boolean seenOnlyAtDestruction) {

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
        if (endedAtMs != 0 && after != null) {
            throw new IllegalArgumentException("only a GONE has a destroy time: " + key);
        }
    }

    /** A change a poll found. */
    public SocketChange(SocketKey key, SocketRow before, SocketRow after) {
        this(key, before, after, 0, false);
    }

    /** A socket the poll found gone, whose end the kernel announced at {@code endedAtMs}. */
    public static SocketChange destroyed(SocketRow before, long endedAtMs) {
        return new SocketChange(before.key(), before, null, endedAtMs, false);
    }

    /** A socket that lived and died between two polls, known only from its destroy notification. */
    public static SocketChange seenOnlyAtDestruction(SocketRow destroyed, long endedAtMs) {
        return new SocketChange(destroyed.key(), destroyed, null, endedAtMs, true);
    }

    /** Whether the kernel's destroy notification told of this change (else a poll found it). */
    public boolean fromDestroy() {
        return endedAtMs != 0;
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
                + (toState() == null ? "GONE" : toState()) + (becameOrphaned() ? " (orphaned)" : "")
                + (seenOnlyAtDestruction ? " (seen only at destruction)" : fromDestroy() ? " (destroyed)" : "");
    }
}
