package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.Shutdown;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Destroy notifications joined to two polls' tables by cookie: every case of {@link SocketEnds}, each checked
 * against the replay a consumer does (the previous table with the events applied is the new table).
 */
class SocketEndsTest {
    private static final long NS = 4026531840L;
    private static final long T0 = 1_000_000;
    private final SocketEnds ends = new SocketEnds();

    @Test
    void aPolledSocketsEndTakesTheNotificationsTime() {
        SocketRow server = full(1, TcpState.CLOSE_WAIT, 77, 11, T0);
        List<SocketChange> changes = poll(List.of(server), List.of(), List.of(end(1, 11, T0 + 400)), Set.of());
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(SocketChange.Kind.GONE);
            assertThat(c.before()).isEqualTo(server);
            assertThat(c.endedAtMs()).isEqualTo(T0 + 400);
            assertThat(c.seenOnlyAtDestruction()).isFalse();
        });
        assertThat(ends.destroyed()).isEqualTo(1);
    }

    @Test
    void anAbortedSocketIsJoinedByCookieThoughItsAddressesWereCleared() {
        SocketRow client = full(2, TcpState.ESTABLISHED, 78, 12, T0);
        SocketRow cleared = new SocketRow(new SocketKey(NS, 4, 0, 0, 40002, 0, 0, 0, 0), TcpState.CLOSE,
                TimerKind.OFF, 0, 0, 0, 0, 0, 0, 12, null, T0 + 10, 0, false);
        List<SocketChange> changes = poll(List.of(client), List.of(), List.of(new SocketEnd(cleared, T0 + 10)),
                Set.of());
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.key()).isEqualTo(client.key());
            assertThat(c.endedAtMs()).isEqualTo(T0 + 10);
        });
    }

    @Test
    void aSocketThatLivesOnAsAMinisocketIsLeftToThePoll() {
        SocketRow attached = full(3, TcpState.FIN_WAIT2, 79, 13, T0);
        SocketRow minisocket = mini(3, TcpState.TIME_WAIT, 13, T0 + 1000);
        List<SocketChange> changes = poll(List.of(attached), List.of(minisocket), List.of(end(3, 13, T0 + 200)),
                Set.of());
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(SocketChange.Kind.CHANGED);
            assertThat(c.fromDestroy()).isFalse();
        });
        // And the minisocket's own end, later, only a poll sees: a late notification of the full socket is old.
        List<SocketChange> reaped = poll(List.of(minisocket), List.of(), List.of(end(3, 13, T0 + 200)), Set.of());
        assertThat(reaped).singleElement().satisfies(c -> assertThat(c.fromDestroy()).isFalse());
    }

    @Test
    void aSocketThatLivedBetweenTwoPollsIsReportedSeenOnlyAtDestruction() {
        SocketRow other = full(4, TcpState.ESTABLISHED, 80, 14, T0);
        SocketEnd shortLived = end(5, 15, T0 + 30);
        List<SocketChange> changes = poll(List.of(other), List.of(other), List.of(shortLived), Set.of());
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.seenOnlyAtDestruction()).isTrue();
            assertThat(c.before()).isEqualTo(shortLived.row());
            assertThat(c.after()).isNull();
            assertThat(c.endedAtMs()).isEqualTo(T0 + 30);
        });
        assertThat(ends.seenOnly()).isEqualTo(1);
    }

    @Test
    void aNotificationThatComesAfterThePollFoundTheSocketGoneIsNotReportedTwice() {
        SocketRow server = full(6, TcpState.LAST_ACK, 81, 16, T0);
        List<SocketChange> first = poll(List.of(server), List.of(), List.of(), Set.of());
        assertThat(first).singleElement().satisfies(c -> assertThat(c.fromDestroy()).isFalse());
        List<SocketChange> late = poll(List.of(), List.of(), List.of(end(6, 16, T0 + 900)), Set.of());
        assertThat(late).isEmpty();
        assertThat(ends.seenOnly()).isZero();
    }

    @Test
    void aNotificationForAReusedTupleIsCountedNotReported() {
        SocketRow live = full(7, TcpState.ESTABLISHED, 82, 17, T0);
        List<SocketChange> changes = poll(List.of(live), List.of(live), List.of(end(7, 99, T0 + 5)), Set.of());
        assertThat(changes).isEmpty();
        assertThat(ends.ambiguous()).isEqualTo(1);
    }

    @Test
    void aCarriedSocketTheKernelDestroyedIsReportedGoneAtOnce() {
        SocketRow settled = full(8, TcpState.ESTABLISHED, 83, 18, T0);
        SocketRow kept = full(9, TcpState.ESTABLISHED, 84, 19, T0);
        // A narrowed read of the namespace sees neither; one was destroyed since it was read.
        List<SocketChange> changes = poll(List.of(settled, kept), List.of(), List.of(end(8, 18, T0 + 70)),
                Set.of(NS));
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.key()).isEqualTo(settled.key());
            assertThat(c.endedAtMs()).isEqualTo(T0 + 70);
        });
    }

    /**
     * One poll: the previous table, the rows read, the notifications received before the read, the narrowed
     * namespaces. Checks the replay and that the next table is what the diff built.
     */
    private List<SocketChange> poll(List<SocketRow> before, List<SocketRow> read, List<SocketEnd> received,
                                    Set<Long> narrowed) {
        SocketTable.Builder prevBuilder = SocketTable.builder();
        before.forEach(prevBuilder::add);
        SocketTable previous = prevBuilder.build();
        IncrementalDiff diff = new IncrementalDiff(previous, SocketTable.builder(), T0 + 1000);
        read.forEach(diff::add);
        Map<Long, SocketEnd> byCookie = SocketEnds.byCookie(new ArrayList<>(received));
        IncrementalDiff.Result result = diff.finish(narrowed, byCookie);
        List<SocketChange> changes = ends.join(result.changes(), byCookie, previous, result.table());
        assertThat(ChangeReplay.replay(previous, changes)).isEqualTo(result.table().asMap());
        return changes;
    }

    private static SocketKey key(int n) {
        return new SocketKey(NS, 4, 0, 0x7f000001L, 40000 + n, 0, 0x7f000001L, 8080, 0);
    }

    private static SocketRow full(int n, TcpState state, long inode, long cookie, long readAt) {
        return new SocketRow(key(n), state, TimerKind.OFF, 0, 0, 1000, inode, 0, 0, cookie, Shutdown.NONE, readAt,
                0, false);
    }

    private static SocketRow mini(int n, TcpState state, long cookie, long readAt) {
        return new SocketRow(key(n), state, TimerKind.TIMEWAIT, 59_000, 0, 0, 0, 0, 0, cookie, null, readAt, 0,
                false);
    }

    private static SocketEnd end(int n, long cookie, long at) {
        return new SocketEnd(new SocketRow(key(n), TcpState.CLOSE, TimerKind.OFF, 0, 0, 0, 0, 0, 0, cookie, null, at,
                0, false), at);
    }
}
