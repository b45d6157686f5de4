package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.kernel.ProcessFiles;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Owner indexes over this host's real /proc, and the two questions the tests ask of one. */
final class OwnerIndexes {
    private OwnerIndexes() {
    }

    static OwnerIndex onThisHost(Clock clock) {
        ProcessFiles files = new ProcessFiles(Procfs.system());
        return new OwnerIndex(files, new ProcessTable(files), clock, Duration.ofSeconds(30));
    }

    /**
     * Gives the index a whole table, as a poll does after a resync: every inode of {@code liveInodes} (per
     * namespace) first seen, everything else forgotten.
     *
     * @return the owner found for each of those inodes that has one
     */
    static Map<Long, Owner> wholeTable(OwnerIndex owners, NamespaceSet namespaces, Map<Long, Set<Long>> liveInodes) {
        List<SocketChange> firstSeen = new ArrayList<>();
        for (Map.Entry<Long, Set<Long>> e : liveInodes.entrySet()) {
            for (long inode : e.getValue()) {
                // Only the inode and its namespace matter to the index; the tuple just has to be a key.
                SocketKey key = new SocketKey(e.getKey(), 4, 0, inode, 1, 0, 0, 0, 0);
                firstSeen.add(SocketChange.firstSeen(
                        new SocketRow(key, TcpState.ESTABLISHED, TimerKind.OFF, 0, 0, 0, inode, 0, 0)));
            }
        }
        owners.resync();
        owners.update(namespaces, firstSeen);
        List<Long> all = liveInodes.values().stream().flatMap(Set::stream).toList();
        return known(owners, all);
    }

    /** Every known owner, given every live inode the index may know: asserts it knows no other. */
    static Map<Long, Owner> known(OwnerIndex owners, Collection<Long> liveInodes) {
        Map<Long, Owner> known = new HashMap<>();
        for (long inode : liveInodes) {
            Owner o = inode == 0 ? null : owners.owner(inode);
            if (o != null) {
                known.put(inode, o);
            }
        }
        assertThat(owners.knownInodes()).as("owners known beyond the inodes given").isEqualTo(known.size());
        return Map.copyOf(known);
    }
}
