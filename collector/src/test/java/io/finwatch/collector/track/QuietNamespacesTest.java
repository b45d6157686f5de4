package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.Shutdown;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which namespaces a poll may leave unread, from the kernel's state changes, destroy notifications and timers. */
class QuietNamespacesTest {
    private static final long A = 4026531001L;
    private static final long B = 4026531002L;
    private static final long C = 4026531003L;
    private static final Set<Long> LIVE = Set.of(A, B, C);
    private static final Map<Long, List<String>> ADDRESSES = Map.of(A, List.of("10.0.0.1"), B,
            List.of("10.0.0.2", "fd00::2"), C, List.of("10.0.0.3"));
    private static final long NOW = 1_800_000_000_000L;

    @Test
    void withoutChangesEveryNamespaceIsQuiet() {
        QuietNamespaces q = QuietNamespaces.of(List.of(), List.of(), ADDRESSES, LIVE, SocketTable.empty(), NOW);
        assertThat(LIVE).allMatch(q::quiet);
    }

    @Test
    void aChangeMakesTheNamespacesOwningItsLocalAddressRead() {
        QuietNamespaces q = QuietNamespaces.of(List.of(change("10.0.0.2"), change("10.0.0.3")), List.of(), ADDRESSES,
                LIVE, SocketTable.empty(), NOW);
        assertThat(q.quiet(A)).isTrue();
        assertThat(q.quiet(B)).isFalse();
        assertThat(q.quiet(C)).isFalse();
    }

    @Test
    void anAddressTwoNamespacesShareMakesBothRead() {
        Map<Long, List<String>> shared = Map.of(A, List.of("10.0.0.9"), B, List.of("10.0.0.9"), C, List.of("10.0.0.3"));
        QuietNamespaces q = QuietNamespaces.of(List.of(change("10.0.0.9")), List.of(), shared, LIVE,
                SocketTable.empty(), NOW);
        assertThat(q.quiet(A)).isFalse();
        assertThat(q.quiet(B)).isFalse();
        assertThat(q.quiet(C)).isTrue();
    }

    @Test
    void anAddressNoNamespaceOwnsMakesEveryNamespaceRead() {
        // Loopback is every namespace's (and never among the addresses read); a removed address is nobody's.
        for (String unowned : List.of("127.0.0.1", "::1", "192.168.9.9")) {
            QuietNamespaces q = QuietNamespaces.of(List.of(change(unowned)), List.of(), ADDRESSES, LIVE,
                    SocketTable.empty(), NOW);
            assertThat(LIVE).as(unowned).noneMatch(q::quiet);
        }
    }

    @Test
    void aNamespaceWhoseAddressesAreUnknownIsReadAtAnyChange() {
        Map<Long, List<String>> withoutC = Map.of(A, List.of("10.0.0.1"), B, List.of("10.0.0.2"));
        QuietNamespaces q = QuietNamespaces.of(List.of(change("10.0.0.1")), List.of(), withoutC, LIVE,
                SocketTable.empty(), NOW);
        assertThat(q.quiet(A)).isFalse();
        assertThat(q.quiet(B)).isTrue();
        assertThat(q.quiet(C)).isFalse();
        QuietNamespaces none = QuietNamespaces.of(List.of(), List.of(), withoutC, LIVE, SocketTable.empty(), NOW);
        assertThat(none.quiet(C)).isTrue();
    }

    @Test
    void aDestroyNotificationMakesItsNamespaceRead() {
        SocketEnd end = new SocketEnd(row(B, 1, TcpState.CLOSE, TimerKind.OFF, 0, NOW), NOW);
        QuietNamespaces q = QuietNamespaces.of(List.of(), List.of(end), ADDRESSES, LIVE, SocketTable.empty(), NOW);
        assertThat(q.quiet(A)).isTrue();
        assertThat(q.quiet(B)).isFalse();
    }

    @Test
    void aTimeWaitMinisocketMakesItsNamespaceReadOnceItsTimerRanOut() {
        SocketTable.Builder b = SocketTable.builder();
        // Read 59 s before now with 59.5 s left: still there. Read 60 s before with 59 s left: due.
        b.add(row(A, 1, TcpState.TIME_WAIT, TimerKind.TIMEWAIT, 59_500, NOW - 59_000));
        b.add(row(B, 2, TcpState.FIN_WAIT2, TimerKind.TIMEWAIT, 59_000, NOW - 60_000));
        // An attached FIN_WAIT2 has no timer that ends it: only a state change would.
        b.add(row(C, 3, TcpState.FIN_WAIT2, TimerKind.OFF, 0, NOW - 600_000));
        QuietNamespaces q = QuietNamespaces.of(List.of(), List.of(), ADDRESSES, LIVE, b.build(), NOW);
        assertThat(q.quiet(A)).isTrue();
        assertThat(q.quiet(B)).isFalse();
        assertThat(q.quiet(C)).isTrue();
    }

    @Test
    void lostChangesOrNoFeedMeanEveryNamespaceIsRead() {
        assertThat(LIVE).noneMatch(QuietNamespaces.NONE::quiet);
    }

    private static StateChange change(String local) {
        return new StateChange(local, 40000, "10.9.9.9", 80, TcpState.ESTABLISHED, TcpState.FIN_WAIT1, NOW * 1_000_000);
    }

    private static SocketRow row(long netns, int n, TcpState state, TimerKind timer, long timerMs, long readAt) {
        SocketKey key = new SocketKey(netns, 4, 0, 0x0a000001L, 40000 + n, 0, 0x0a090909L, 80, 0);
        return new SocketRow(key, state, timer, timerMs, 0, 0, timer == TimerKind.TIMEWAIT ? 0 : 7000 + n, 0, 0, n,
                Shutdown.NONE, readAt, 0, false);
    }
}
