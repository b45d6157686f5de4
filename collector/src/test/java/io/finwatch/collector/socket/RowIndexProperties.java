package io.finwatch.collector.socket;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/** A whole table's row index answers as a {@code HashMap<SocketKey, SocketRow>} would, through growth. */
class RowIndexProperties {

    @Property(tries = 300)
    void agreesWithAHashMap(@ForAll("operations") List<int[]> ops, @ForAll @IntRange(max = 300) int presized) {
        RowIndex index = new RowIndex(presized);
        Map<SocketKey, SocketRow> model = new HashMap<>();
        for (int[] op : ops) {
            SocketKey key = key(op[1]);
            SocketRow row = new SocketRow(key, TcpState.ESTABLISHED, TimerKind.OFF, 0, 0, 0, op[2], 0, 0);
            switch (op[0]) {
                case 0 -> assertThat(index.putIfAbsent(row)).isSameAs(model.putIfAbsent(key, row));
                case 1 -> assertThat(index.put(row)).isSameAs(model.put(key, row));
                default -> {
                    assertThat(index.get(key)).isSameAs(model.get(key));
                    assertThat(index.containsKey(key)).isEqualTo(model.containsKey(key));
                }
            }
            assertThat(index.size()).isEqualTo(model.size());
        }
        List<SocketRow> all = new ArrayList<>(index);
        assertThat(all).containsExactlyInAnyOrderElementsOf(model.values());
    }

    /** Ports of one connection's neighbours, as a listener's accepted sockets have, and an ordinal now and then. */
    private static SocketKey key(int n) {
        return new SocketKey(4026531840L, 4, 0, 0x7f000001L, 8080, 0, 0x7f000001L, 40000 + n % 500, n / 500);
    }

    @Provide
    Arbitrary<List<int[]>> operations() {
        Arbitrary<int[]> op = Arbitraries.integers().between(0, 2).flatMap(kind ->
                Arbitraries.integers().between(0, 1200).flatMap(n ->
                        Arbitraries.integers().between(1, 3).map(inode -> new int[] {kind, n, inode})));
        return op.list().ofMaxSize(2000);
    }
}
