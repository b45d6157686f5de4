package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.Shutdown;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Tables built over the previous one, poll after poll, when every namespace was read unsettled-only: each must be
 * what its changes make of the one before, and keep its counts, whatever the layers under it.
 */
class LayeredTableProperties {
    private static final Set<Long> BOTH = Set.of(1L, 2L);

    @Property
    void everyTableOfAChainOfUnsettledReadsIsItsPredecessorWithTheChangesApplied(
            @ForAll("rows") List<SocketRow> first, @ForAll("reads") List<List<SocketRow>> reads) {
        SocketTable table = table(first);
        for (List<SocketRow> truth : reads) {
            SocketTable before = table;
            Map<SocketKey, SocketRow> beforeRows = new HashMap<>(before.asMap());
            IncrementalDiff.Result result = read(before, truth);
            SocketTable after = result.table();
            Map<SocketKey, SocketRow> state = ChangeReplay.replay(before, result.changes());
            assertThat(state.keySet()).isEqualTo(after.keys());
            state.forEach((key, row) -> assertThat(identity(after.get(key))).isEqualTo(identity(row)));
            assertThat(before.asMap()).as("the previous table is left as it was").isEqualTo(beforeRows);
            assertConsistent(after);
            assertThat(result.counts().of(TcpState.FIN_WAIT2))
                    .isEqualTo(StateCounts.of(after.rows()).of(TcpState.FIN_WAIT2));
            table = after;
        }
    }

    @Property
    void aWholeReadAfterAChainYieldsTheTrueTable(@ForAll("rows") List<SocketRow> first,
                                                 @ForAll("reads") List<List<SocketRow>> reads,
                                                 @ForAll("rows") List<SocketRow> truth) {
        SocketTable table = table(first);
        for (List<SocketRow> between : reads) {
            table = read(table, between).table();
        }
        IncrementalDiff diff = new IncrementalDiff(table, SocketTable.builder(table.size()));
        truth.forEach(r -> diff.add(r.withKey(r.key().withOrdinal(0))));
        CountdownEquality.assertSameTable(diff.finish().table(), table(truth));
    }

    @Property
    void endsFoundByTupleAreThoseFoundByAWalk(@ForAll("rows") List<SocketRow> first,
                                              @ForAll("reads") List<List<SocketRow>> reads,
                                              @ForAll("rows") List<SocketRow> truth) {
        SocketTable table = table(first);
        for (List<SocketRow> between : reads) {
            table = read(table, between).table();
        }
        // The kernel announced every other previous socket destroyed, after it was read. A cookie names one socket
        // in the kernel; the drawn rows may share one, and those are left out.
        Map<Long, Integer> sharing = new HashMap<>();
        table.rows().forEach(row -> sharing.merge(row.cookie(), 1, Integer::sum));
        Map<Long, SocketEnd> ends = new HashMap<>();
        int i = 0;
        for (SocketRow row : table.rows()) {
            if (i++ % 2 == 0 && sharing.get(row.cookie()) == 1) {
                ends.put(row.cookie(), new SocketEnd(row.withKey(row.key().withOrdinal(0)), row.readAtMs() + 1));
            }
        }
        IncrementalDiff byTuple = new IncrementalDiff(table, SocketTable.builder());
        IncrementalDiff byWalk = new IncrementalDiff(table, SocketTable.builder());
        for (SocketRow r : delivered(truth)) {
            byTuple.add(r);
            byWalk.add(r);
        }
        IncrementalDiff.Result a = byTuple.finish(BOTH, ends);
        Set<SocketKey> walked = new HashSet<>();
        table.rows().forEach(row -> {
            if (SocketEnds.endedSinceRead(ends, row)) {
                walked.add(row.key());
            }
        });
        IncrementalDiff.Result b = byWalk.finish(BOTH, walked);
        assertThat(a.table().asMap()).isEqualTo(b.table().asMap());
        assertThat(a.changes()).containsExactlyInAnyOrderElementsOf(b.changes());
    }

    private static void assertConsistent(SocketTable table) {
        Set<SocketKey> keys = new HashSet<>();
        Map<Long, Integer> perNetns = new HashMap<>();
        for (SocketRow row : table.rows()) {
            assertThat(keys.add(row.key())).as("each key once").isTrue();
            assertThat(table.get(row.key())).isSameAs(row);
            perNetns.merge(row.key().netns(), 1, Integer::sum);
        }
        assertThat(table.size()).isEqualTo(keys.size());
        perNetns.forEach((netns, n) -> assertThat(table.countIn(netns)).isEqualTo(n));
        assertThat(table.namespaces()).isEqualTo(perNetns.keySet());
        StateCounts walked = StateCounts.of(table.rows());
        for (TcpState state : TcpState.values()) {
            assertThat(table.count(state)).as(state.name()).isEqualTo(walked.of(state));
        }
        assertThat(table.orphanedFinWait2()).isEqualTo(walked.finWait2Orphaned());
        Set<SocketKey> shown = new HashSet<>();
        table.forEachShownByUnsettled(row -> shown.add(row.key()));
        for (SocketRow row : table.rows()) {
            assertThat(shown.contains(row.key())).isEqualTo(!ReadScope.mayBeHiddenFromUnsettled(row.state()));
        }
    }

    private static IncrementalDiff.Result read(SocketTable prev, List<SocketRow> truth) {
        IncrementalDiff diff = new IncrementalDiff(prev, SocketTable.builder(prev.size()));
        delivered(truth).forEach(diff::add);
        return diff.finish(BOTH);
    }

    /** What an unsettled read of both namespaces delivers. */
    private static List<SocketRow> delivered(List<SocketRow> truth) {
        return truth.stream().filter(r -> !ReadScope.settled(r.state()))
                .map(r -> r.withKey(r.key().withOrdinal(0))).toList();
    }

    private static List<Object> identity(SocketRow r) {
        return List.of(r.key().withOrdinal(0), r.state(), r.inode());
    }

    @Provide
    Arbitrary<List<SocketRow>> rows() {
        // Cookies and shutdown flags, so that some rows can be announced destroyed.
        return new TwoPassDiffProperties().rows().map(rows -> rows.stream()
                .map(r -> new SocketRow(r.key(), r.state(), r.timer(), r.timerMs(), r.retransmits(), r.uid(),
                        r.inode(), r.txQueue(), r.rxQueue(),
                        1 + r.key().netns() * 1000 + r.key().localPort() * 100 + r.key().remotePort() * 10 + r.inode(),
                        Shutdown.ofBits(0), 10, 0, false))
                .toList());
    }

    @Provide
    Arbitrary<List<List<SocketRow>>> reads() {
        return rows().list().ofMinSize(1).ofMaxSize(4);
    }

    private static SocketTable table(List<SocketRow> rows) {
        SocketTable.Builder b = SocketTable.builder(rows.size());
        rows.forEach(b::add);
        return b.build();
    }
}
