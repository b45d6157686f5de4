package io.finwatch.collector.track;

import io.finwatch.collector.socket.InetText;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When sockets entered their states, as the kernel's state-change feed announced it ({@link StateChange}): the
 * exact moment, for every state, where the socket's own {@code tcp_info} tells it for FIN_WAIT2 and CLOSE_WAIT
 * only (and FIN_WAIT1, CLOSING, LAST_ACK would be timed by the poll that first saw them). A row is matched by
 * its two endpoints and state; the tracepoint names no namespace, so two namespaces' sockets with the same
 * endpoints entering the same state between two polls (loopback connections mirrored in two namespaces) would
 * share a time, and such a pair is left to the other sources.
 */
final class StateEntries {
    static final StateEntries NONE = new StateEntries(Map.of());

    /** Tuple and state to epoch ms; {@link #AMBIGUOUS} where two changes claim the same. */
    private final Map<String, Long> entered;
    private static final long AMBIGUOUS = Long.MIN_VALUE;

    private StateEntries(Map<String, Long> entered) {
        this.entered = entered;
    }

    static StateEntries of(List<StateChange> changes) {
        if (changes.isEmpty()) {
            return NONE;
        }
        Map<String, Long> entered = new HashMap<>();
        for (StateChange c : changes) {
            // A state set again (close() of a FIN_WAIT2 socket) is no entry.
            if (c.from() != c.to()) {
                String key = key(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort(), c.to().code());
                entered.merge(key, c.atNanos() / 1_000_000, (a, b) -> AMBIGUOUS);
            }
        }
        return new StateEntries(entered);
    }

    /** Epoch ms at which the row's socket entered its state, or 0 when the feed did not tell (or told twice). */
    long enteredMs(SocketRow row) {
        if (entered.isEmpty()) {
            return 0;
        }
        SocketKey k = row.key();
        Long at = entered.get(key(InetText.formatUnmapped(k.family(), k.localHi(), k.localLo()), k.localPort(),
                InetText.formatUnmapped(k.family(), k.remoteHi(), k.remoteLo()), k.remotePort(), row.state().code()));
        return at == null || at == AMBIGUOUS ? 0 : at;
    }

    private static String key(String local, int localPort, String remote, int remotePort, int state) {
        return local + ' ' + localPort + ' ' + remote + ' ' + remotePort + ' ' + state;
    }
}
