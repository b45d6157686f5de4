package io.finwatch.collector.track;

import io.finwatch.collector.track.InodeGroup.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** The owner index's inode table answers as a {@code HashMap<Long, Member>} would, through growth and shrinking. */
class InodeMembersProperties {

    @Property(tries = 300)
    void agreesWithAHashMap(@ForAll("operations") List<long[]> ops) {
        InodeMembers table = new InodeMembers();
        Map<Long, Member> model = new HashMap<>();
        for (long[] op : ops) {
            long inode = op[1];
            switch ((int) op[0]) {
                case 0, 1 -> {
                    Member m = new Member(inode, 7);
                    assertThat(table.put(m)).isSameAs(model.put(inode, m));
                }
                case 2 -> assertThat(table.remove(inode)).isSameAs(model.remove(inode));
                default -> assertThat(table.get(inode)).isSameAs(model.get(inode));
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        for (Map.Entry<Long, Member> e : model.entrySet()) {
            assertThat(table.get(e.getKey())).isSameAs(e.getValue());
        }
        List<Member> all = new ArrayList<>();
        table.forEach(all::add);
        assertThat(all).containsExactlyInAnyOrderElementsOf(model.values());
    }

    /** Inodes from a narrow range (collisions, re-adds) or a dense run (as the kernel hands them out). */
    @Provide
    Arbitrary<List<long[]>> operations() {
        Arbitrary<Long> inodes = Arbitraries.oneOf(Arbitraries.longs().between(0, 40),
                Arbitraries.longs().between(1_000_000, 1_000_600), Arbitraries.longs());
        Arbitrary<long[]> op = Arbitraries.integers().between(0, 3).flatMap(kind ->
                inodes.map(inode -> new long[] {kind, inode}));
        return op.list().ofMaxSize(1500);
    }
}
