package io.finwatch.collector.track;

import io.finwatch.collector.track.SocketChange.Kind;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tables are drawn from a small universe (2 namespaces, 3x3 ports, inodes 0..3) so that keys, duplicate
 * tuples and inode reuse collide between the two polls often.
 */
class TwoPassDiffProperties {

    /** What the diff must track for each key. Timers and queues are deliberately not part of it. */
    record Identity(TcpState state, long inode) {
        static Identity of(SocketRow r) {
            return new Identity(r.state(), r.inode());
        }
    }

    @Property
    void applyingTheChangesToPrevYieldsNext(@ForAll("rows") List<SocketRow> prevRows,
                                            @ForAll("rows") List<SocketRow> nextRows) {
        SocketTable prev = table(prevRows);
        SocketTable next = table(nextRows);
        Map<SocketKey, SocketRow> state = new HashMap<>(prev.asMap());

        for (SocketChange c : TwoPassDiff.diff(prev, next)) {
            switch (c.kind()) {
                case GONE -> assertThat(state.remove(c.key())).isSameAs(c.before());
                case FIRST_SEEN -> assertThat(state.put(c.key(), c.after())).isNull();
                case CHANGED -> assertThat(state.put(c.key(), c.after())).isSameAs(c.before());
            }
        }

        assertThat(project(state)).isEqualTo(project(next.asMap()));
    }

    @Property
    void aTableHasNoChangesFromItself(@ForAll("rows") List<SocketRow> rows) {
        assertThat(TwoPassDiff.diff(table(rows), table(rows))).isEmpty();
    }

    @Property
    void everyNewKeyIsFirstSeen(@ForAll("rows") List<SocketRow> prevRows, @ForAll("rows") List<SocketRow> nextRows) {
        SocketTable prev = table(prevRows);
        SocketTable next = table(nextRows);
        List<SocketChange> changes = TwoPassDiff.diff(prev, next);

        for (SocketKey key : next.keys()) {
            if (!prev.contains(key)) {
                assertThat(changesFor(changes, key)).singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(Kind.FIRST_SEEN);
                    assertThat(c.after()).isSameAs(next.get(key));
                });
            }
        }
    }

    @Property
    void anInodeChangeIsGoneThenFirstSeenUnlessTheOwnerClosedIt(@ForAll("rows") List<SocketRow> prevRows,
                                                                @ForAll("rows") List<SocketRow> nextRows) {
        SocketTable prev = table(prevRows);
        SocketTable next = table(nextRows);
        List<SocketChange> changes = TwoPassDiff.diff(prev, next);

        for (SocketKey key : next.keys()) {
            SocketRow before = prev.get(key);
            SocketRow after = next.get(key);
            if (before == null) {
                continue;
            }
            List<SocketChange> forKey = changesFor(changes, key);
            boolean orphaned = before.inode() != 0 && after.inode() == 0;
            if (before.inode() != after.inode() && !orphaned) {
                assertThat(forKey).extracting(SocketChange::kind).containsExactly(Kind.GONE, Kind.FIRST_SEEN);
                assertThat(forKey.get(0).before()).isSameAs(before);
                assertThat(forKey.get(1).after()).isSameAs(after);
            } else if (before.state() != after.state() || orphaned) {
                assertThat(forKey).singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(Kind.CHANGED);
                    assertThat(c.becameOrphaned()).isEqualTo(orphaned);
                });
            } else {
                assertThat(forKey).isEmpty();
            }
        }
    }

    @Property
    void equalInputsGiveEqualOutputs(@ForAll("rows") List<SocketRow> prevRows,
                                     @ForAll("rows") List<SocketRow> nextRows) {
        assertThat(TwoPassDiff.diff(table(prevRows), table(nextRows)))
                .containsExactlyElementsOf(TwoPassDiff.diff(table(prevRows), table(nextRows)));
    }

    @Provide
    Arbitrary<List<SocketRow>> rows() {
        Arbitrary<SocketKey> keys = Combinators.combine(Arbitraries.longs().between(1, 2),
                        Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 3))
                .as((netns, local, remote) -> new SocketKey(netns, 4, 0, 0x7F00_0001L, local, 0, 0x7F00_0001L,
                        remote, 0));
        Arbitrary<SocketRow> rows = Combinators.combine(keys, Arbitraries.of(TcpState.class),
                        Arbitraries.longs().between(0, 3), Arbitraries.of(TimerKind.class),
                        Arbitraries.longs().between(0, 60_000), Arbitraries.longs().between(0, 3))
                .as((key, state, inode, timer, ms, queue) ->
                        new SocketRow(key, state, timer, ms, 0, 1000, inode, queue, queue));
        return rows.list().ofMaxSize(30);
    }

    private static SocketTable table(List<SocketRow> rows) {
        SocketTable.Builder b = SocketTable.builder(rows.size());
        rows.forEach(b::add);
        return b.build();
    }

    private static Map<SocketKey, Identity> project(Map<SocketKey, SocketRow> rows) {
        Map<SocketKey, Identity> out = new HashMap<>();
        rows.forEach((k, r) -> out.put(k, Identity.of(r)));
        return out;
    }

    private static List<SocketChange> changesFor(List<SocketChange> changes, SocketKey key) {
        return changes.stream().filter(c -> c.key().equals(key)).toList();
    }
}
