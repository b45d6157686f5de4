package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Map;


/** The diff made while building the table is exactly {@link TwoPassDiff#diff}, on colliding random tables. */
class IncrementalDiffProperties {

    @Property
    void sameTableAndSameChangesAsTheTwoPassDiff(@ForAll("rows") List<SocketRow> prevRows,
                                                @ForAll("rows") List<SocketRow> nextRows) {
        SocketTable prev = table(prevRows);
        IncrementalDiff diff = new IncrementalDiff(prev, SocketTable.builder(nextRows.size()));
        nextRows.forEach(diff::add);
        IncrementalDiff.Result result = diff.finish();

        SocketTable expected = table(nextRows);
        CountdownEquality.assertSameTable(result.table(), expected);
        assertThat(result.changes()).containsExactlyInAnyOrderElementsOf(TwoPassDiff.diff(prev, expected));
    }

    @Property
    void applyingItsChangesInOrderToPrevYieldsNext(@ForAll("rows") List<SocketRow> prevRows,
                                                  @ForAll("rows") List<SocketRow> nextRows) {
        SocketTable prev = table(prevRows);
        IncrementalDiff diff = new IncrementalDiff(prev, SocketTable.builder(nextRows.size()));
        nextRows.forEach(diff::add);
        IncrementalDiff.Result result = diff.finish();
        Map<SocketKey, SocketRow> state = ChangeReplay.replay(prev, result.changes());
        assertThat(state.keySet()).isEqualTo(result.table().asMap().keySet());
    }

    @Property
    void unchangedRowsKeepThePreviousPollsObjects(@ForAll("rows") List<SocketRow> rows) {
        SocketTable prev = table(rows);
        IncrementalDiff diff = new IncrementalDiff(prev, SocketTable.builder(rows.size()));
        rows.forEach(r -> diff.add(r.withKey(r.key().withOrdinal(0))));
        IncrementalDiff.Result result = diff.finish();
        assertThat(result.changes()).isEmpty();
        for (SocketRow r : result.table().rows()) {
            if (r.key().ordinal() == 0) {
                assertThat(r).isSameAs(prev.get(r.key()));
            }
        }
    }

    @Provide
    Arbitrary<List<SocketRow>> rows() {
        return new TwoPassDiffProperties().rows();
    }

    private static SocketTable table(List<SocketRow> rows) {
        SocketTable.Builder b = SocketTable.builder(rows.size());
        rows.forEach(b::add);
        return b.build();
    }
}
