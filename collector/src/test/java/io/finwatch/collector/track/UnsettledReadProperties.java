package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The diff after a read that left out ESTABLISHED and LISTEN sockets ({@link ReadScope#UNSETTLED}) of some
 * namespaces, on the colliding random tables of {@link TwoPassDiffProperties}: the kernel's answer to such a read
 * is the true table without its settled rows.
 */
class UnsettledReadProperties {

    @Property
    void applyingItsChangesInOrderToPrevYieldsTheNewTable(@ForAll("rows") List<SocketRow> prevRows,
                                                         @ForAll("rows") List<SocketRow> truth,
                                                         @ForAll("partial") Set<Long> partial) {
        SocketTable prev = table(prevRows);
        IncrementalDiff.Result result = read(prev, truth, partial);
        Map<SocketKey, SocketRow> state = ChangeReplay.replay(prev, result.changes());
        // Queues and timers change without an event; what the events track is each key's state and inode.
        assertThat(state.keySet()).isEqualTo(result.table().keys());
        state.forEach((key, row) -> assertThat(identity(result.table().get(key))).isEqualTo(identity(row)));
    }

    @Property
    void everyRowTheReadDeliveredIsInTheNewTable(@ForAll("rows") List<SocketRow> prevRows,
                                                 @ForAll("rows") List<SocketRow> truth,
                                                 @ForAll("partial") Set<Long> partial) {
        IncrementalDiff.Result result = read(table(prevRows), truth, partial);
        Set<List<Object>> inTable = result.table().rows().stream().map(UnsettledReadProperties::identity)
                .collect(Collectors.toSet());
        for (SocketRow r : delivered(truth, partial)) {
            assertThat(inTable).contains(identity(r));
        }
    }

    @Property
    void aSocketTheReadCouldNotSeeIsCarriedAndOneThatCouldOnlyCloseIsGone(@ForAll("rows") List<SocketRow> prevRows,
                                                                        @ForAll("rows") List<SocketRow> truth,
                                                                        @ForAll("partial") Set<Long> partial) {
        SocketTable prev = table(prevRows);
        IncrementalDiff.Result result = read(prev, truth, partial);
        Set<SocketKey> deliveredTuples = delivered(truth, partial).stream().map(r -> r.key().withOrdinal(0))
                .collect(Collectors.toSet());
        Set<SocketRow> reportedGone = result.changes().stream()
                .filter(c -> c.kind() == SocketChange.Kind.GONE).map(SocketChange::before).collect(Collectors.toSet());
        for (SocketRow p : prev.rows()) {
            if (deliveredTuples.contains(p.key().withOrdinal(0))) {
                continue;
            }
            if (partial.contains(p.key().netns()) && ReadScope.mayBeHiddenFromUnsettled(p.state())) {
                assertThat(result.table().get(p.key())).isSameAs(p);
                assertThat(reportedGone).doesNotContain(p);
            } else {
                assertThat(result.table().contains(p.key())).isFalse();
                assertThat(reportedGone).contains(p);
            }
        }
    }

    @Property
    void aWholeReadAfterUnsettledOnesYieldsTheTrueTable(@ForAll("rows") List<SocketRow> prevRows,
                                                        @ForAll("rows") List<SocketRow> between,
                                                        @ForAll("rows") List<SocketRow> truth,
                                                        @ForAll("partial") Set<Long> partial) {
        SocketTable afterUnsettled = read(table(prevRows), between, partial).table();
        IncrementalDiff.Result whole = read(afterUnsettled, truth, Set.of());
        CountdownEquality.assertSameTable(whole.table(), table(truth));
    }

    @Property
    void theCountsPerStateAreThoseOfTheNewTable(@ForAll("rows") List<SocketRow> prevRows,
                                               @ForAll("rows") List<SocketRow> truth,
                                               @ForAll("partial") Set<Long> partial) {
        IncrementalDiff.Result result = read(table(prevRows), truth, partial);
        StateCounts walked = StateCounts.of(result.table().rows());
        for (TcpState state : TcpState.values()) {
            assertThat(result.counts().of(state)).as(state.name()).isEqualTo(walked.of(state));
        }
        assertThat(result.counts().finWait2Attached()).isEqualTo(walked.finWait2Attached());
        assertThat(result.counts().finWait2Orphaned()).isEqualTo(walked.finWait2Orphaned());
    }

    @Property
    void aNamespaceLeftUnreadKeepsEveryRowAndReportsNothing(@ForAll("rows") List<SocketRow> prevRows,
                                                           @ForAll("rows") List<SocketRow> truth,
                                                           @ForAll("partial") Set<Long> partial,
                                                           @ForAll("partial") Set<Long> unreadAsked) {
        Set<Long> unread = unreadAsked.stream().filter(n -> !partial.contains(n)).collect(Collectors.toSet());
        SocketTable prev = table(prevRows);
        IncrementalDiff.Result result = read(prev, truth, partial, unread);
        for (SocketRow p : prev.rows()) {
            if (unread.contains(p.key().netns())) {
                assertThat(result.table().get(p.key())).isSameAs(p);
            }
        }
        assertThat(result.changes()).noneMatch(c -> unread.contains((c.after() != null ? c.after() : c.before())
                .key().netns()));
        assertThat(result.table().keys().stream().filter(k -> unread.contains(k.netns())).count())
                .isEqualTo(prev.keys().stream().filter(k -> unread.contains(k.netns())).count());
        Map<SocketKey, SocketRow> state = ChangeReplay.replay(prev, result.changes());
        assertThat(state.keySet()).isEqualTo(result.table().keys());
        state.forEach((key, row) -> assertThat(identity(result.table().get(key))).isEqualTo(identity(row)));
        for (long netns : unread) {
            assertThat(result.carried().get(netns)).isEqualTo(prev.countIn(netns));
        }
    }

    @Property
    void aWholeReadAfterNamespacesLeftUnreadYieldsTheTrueTable(@ForAll("rows") List<SocketRow> prevRows,
                                                               @ForAll("rows") List<SocketRow> between,
                                                               @ForAll("rows") List<SocketRow> truth,
                                                               @ForAll("partial") Set<Long> unread) {
        SocketTable afterUnread = read(table(prevRows), between, Set.of(), unread).table();
        IncrementalDiff.Result whole = read(afterUnread, truth, Set.of());
        CountdownEquality.assertSameTable(whole.table(), table(truth));
        assertThat(whole.counts().of(TcpState.FIN_WAIT2)).isEqualTo(table(truth).count(TcpState.FIN_WAIT2));
    }

    /** What the kernel answers: the true rows, without the settled ones of namespaces read unsettled-only. */
    private static List<SocketRow> delivered(List<SocketRow> truth, Set<Long> partial) {
        return truth.stream()
                .filter(r -> !partial.contains(r.key().netns()) || !ReadScope.settled(r.state()))
                .map(r -> r.withKey(r.key().withOrdinal(0)))
                .toList();
    }

    private static IncrementalDiff.Result read(SocketTable prev, List<SocketRow> truth, Set<Long> partial) {
        return read(prev, truth, partial, Set.of());
    }

    /** As above, with the namespaces of {@code unread} not read at all. */
    private static IncrementalDiff.Result read(SocketTable prev, List<SocketRow> truth, Set<Long> partial,
                                               Set<Long> unread) {
        IncrementalDiff diff = new IncrementalDiff(prev, SocketTable.builder(prev.size()));
        delivered(truth, partial).stream().filter(r -> !unread.contains(r.key().netns())).forEach(diff::add);
        return diff.finish(partial, unread, Set.<SocketKey>of());
    }

    private static List<Object> identity(SocketRow r) {
        return List.of(r.key().withOrdinal(0), r.state(), r.inode());
    }

    @Provide
    Arbitrary<List<SocketRow>> rows() {
        return new TwoPassDiffProperties().rows();
    }

    /** Namespaces 1 and 2 are the ones the rows use. */
    @Provide
    Arbitrary<Set<Long>> partial() {
        return Arbitraries.longs().between(1, 2).set();
    }

    private static SocketTable table(List<SocketRow> rows) {
        SocketTable.Builder b = SocketTable.builder(rows.size());
        rows.forEach(b::add);
        return b.build();
    }
}
