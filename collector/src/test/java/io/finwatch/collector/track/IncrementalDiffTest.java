package io.finwatch.collector.track;

import io.finwatch.collector.track.SocketChange.Kind;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;

import static io.finwatch.collector.socket.TcpState.CLOSE_WAIT;
import static io.finwatch.collector.socket.TcpState.ESTABLISHED;
import static io.finwatch.collector.socket.TcpState.FIN_WAIT2;
import static io.finwatch.collector.socket.TcpState.LISTEN;
import static io.finwatch.collector.socket.TcpState.TIME_WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The diff's rules, case by case, on the diff the collector runs. */
class IncrementalDiffTest {
    private static final SocketKey CONN = new SocketKey(1, 4, 0, 0x0A00_0001L, 36000, 0, 0x0A00_0002L, 8080, 0);
    private static final SocketKey LISTENER = new SocketKey(1, 4, 0, 0, 8080, 0, 0, 0, 0);

    @Test
    void everySocketOfTheFirstPollIsFirstSeen() {
        SocketTable next = table(row(CONN, ESTABLISHED, 100), row(LISTENER, LISTEN, 50));

        List<SocketChange> changes = diff(SocketTable.empty(), next);

        assertThat(changes).extracting(SocketChange::kind).containsOnly(Kind.FIRST_SEEN).hasSize(2);
        assertThat(changes).allSatisfy(c -> {
            assertThat(c.fromState()).isNull();
            assertThat(c.after()).isSameAs(next.get(c.key()));
        });
    }

    @Test
    void stateChangeOfTheSameConnectionIsChanged() {
        SocketRow before = row(CONN, ESTABLISHED, 100);
        SocketRow after = row(CONN, FIN_WAIT2, 100);

        assertThat(diff(table(before), table(after))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.CHANGED);
            assertThat(c.fromState()).isEqualTo(ESTABLISHED);
            assertThat(c.toState()).isEqualTo(FIN_WAIT2);
            assertThat(c.becameOrphaned()).isFalse();
        });
    }

    /** close() on a FIN_WAIT2 socket: same state, but now the kernel's fin timeout runs. */
    @Test
    void orphaningInTheSameStateIsChanged() {
        SocketRow attached = row(CONN, FIN_WAIT2, 100);
        SocketRow orphan = row(CONN, FIN_WAIT2, 0);

        assertThat(diff(table(attached), table(orphan))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.CHANGED);
            assertThat(c.before()).isSameAs(attached);
            assertThat(c.after()).isSameAs(orphan);
            assertThat(c.becameOrphaned()).isTrue();
        });
    }

    @Test
    void anOrphanMovingOnIsTheSameConnection() {
        SocketRow finWait2 = row(CONN, FIN_WAIT2, 0);
        SocketRow timeWait = row(CONN, TIME_WAIT, 0);

        assertThat(diff(table(finWait2), table(timeWait))).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.CHANGED);
            assertThat(c.becameOrphaned()).isFalse();
        });
    }

    @Test
    void timerAndQueueMovementsAreNotChanges() {
        SocketRow before = new SocketRow(CONN, FIN_WAIT2, TimerKind.TIMEWAIT, 59_000, 0, 0, 0, 0, 0);
        SocketRow after = new SocketRow(CONN, FIN_WAIT2, TimerKind.TIMEWAIT, 49_000, 1, 0, 0, 10, 20);

        assertThat(diff(table(before), table(after))).isEmpty();
    }

    @Test
    void aReusedTupleIsGoneThenFirstSeen() {
        SocketRow old = row(CONN, FIN_WAIT2, 100);
        SocketRow reused = row(CONN, FIN_WAIT2, 101);

        List<SocketChange> changes = diff(table(old), table(reused));

        assertThat(changes).extracting(SocketChange::kind).containsExactly(Kind.GONE, Kind.FIRST_SEEN);
        assertThat(changes.get(0).before()).isSameAs(old);
        assertThat(changes.get(0).toState()).isNull();
        assertThat(changes.get(1).after()).isSameAs(reused);
    }

    /** An orphan (inode 0) cannot get an owner back: a non-zero inode is a new connection on the tuple. */
    @Test
    void anInodeAppearingOnAnOrphanIsANewConnection() {
        List<SocketChange> changes = diff(table(row(CONN, TIME_WAIT, 0)),
                table(row(CONN, ESTABLISHED, 300)));

        assertThat(changes).extracting(SocketChange::kind).containsExactly(Kind.GONE, Kind.FIRST_SEEN);
    }

    @Test
    void aMissingKeyIsGone() {
        SocketRow closeWait = row(CONN, CLOSE_WAIT, 100);

        assertThat(diff(table(closeWait, row(LISTENER, LISTEN, 50)), table(row(LISTENER, LISTEN, 50))))
                .singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(Kind.GONE);
                    assertThat(c.before()).isSameAs(closeWait);
                    assertThat(c.key()).isEqualTo(CONN);
                });
    }

    /** When the first of two SO_REUSEPORT workers exits, the survivor moves to ordinal 0. */
    @Test
    void reuseportListenersAreKeyedByOrdinal() {
        SocketTable before = table(row(LISTENER, LISTEN, 50), row(LISTENER, LISTEN, 51));
        SocketTable after = table(row(LISTENER, LISTEN, 51));

        List<SocketChange> changes = diff(before, after);

        assertThat(changes).extracting(c -> c.kind() + " " + c.key().ordinal() + " "
                        + (c.after() != null ? c.after().inode() : c.before().inode()))
                .containsExactlyInAnyOrder("GONE 1 51", "GONE 0 50", "FIRST_SEEN 0 51");
    }

    @Test
    void aTimerThatOnlyCountedDownKeepsThePreviousRowAndAReArmedOneDoesNot() {
        SocketRow minisocket = timed(TimerKind.TIMEWAIT, 59_000, 1_000_000);
        // Read 1 s later: 1 s less on the timer, the same expiry within a tick.
        IncrementalDiff.Result same = reread(minisocket, timed(TimerKind.TIMEWAIT, 58_004, 1_001_000));
        assertThat(same.changes()).isEmpty();
        assertThat(same.table().get(CONN)).isSameAs(minisocket);

        // A retransmission timer armed again: its expiry moved by a whole RTO. No event either, but the new row.
        SocketRow reArmed = timed(TimerKind.ON, 400, 1_000_100);
        IncrementalDiff.Result moved = reread(timed(TimerKind.ON, 200, 1_000_000), reArmed);
        assertThat(moved.changes()).isEmpty();
        assertThat(moved.table().get(CONN)).isSameAs(reArmed);

        // Rows without a stamp (the /proc text source) cannot tell a countdown from a re-arm.
        SocketRow unstampedLater = timed(TimerKind.TIMEWAIT, 58_000, 0);
        assertThat(reread(timed(TimerKind.TIMEWAIT, 59_000, 0), unstampedLater).table().get(CONN))
                .isSameAs(unstampedLater);
    }

    private static IncrementalDiff.Result reread(SocketRow before, SocketRow now) {
        IncrementalDiff diff = new IncrementalDiff(table(before), SocketTable.builder());
        diff.add(now);
        return diff.finish();
    }

    private static SocketRow timed(TimerKind timer, long timerMs, long readAtMs) {
        return new SocketRow(CONN, TcpState.TIME_WAIT, timer, timerMs, 0, 0, 0, 0, 0, 7, null, readAtMs, 0, false);
    }

    @Test
    void aChangeNeedsARow() {
        assertThatThrownBy(() -> new SocketChange(CONN, null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** What a poll finds: {@code next}'s rows read one by one, in the order their ordinals were given. */
    private static List<SocketChange> diff(SocketTable prev, SocketTable next) {
        IncrementalDiff diff = new IncrementalDiff(prev, SocketTable.builder(next.size()));
        next.rows().stream().sorted(Comparator.comparingInt(r -> r.key().ordinal()))
                .forEach(r -> diff.add(r.key().ordinal() == 0 ? r : r.withKey(r.key().withOrdinal(0))));
        return diff.finish().changes();
    }

    private static SocketTable table(SocketRow... rows) {
        SocketTable.Builder b = SocketTable.builder(rows.length);
        for (SocketRow r : rows) {
            b.add(r);
        }
        return b.build();
    }

    private static SocketRow row(SocketKey key, TcpState state, long inode) {
        return new SocketRow(key, state, TimerKind.OFF, 0, 0, inode == 0 ? 0 : 1000, inode, 0, 0);
    }
}
