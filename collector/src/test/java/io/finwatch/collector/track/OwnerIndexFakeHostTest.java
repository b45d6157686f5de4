package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.kernel.MutableClock;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The owner index against a host made up in the test, through its {@link ProcessPort}: every read is counted. */
class OwnerIndexFakeHostTest {
    private static final long NETNS = 4026532500L;

    /** Processes with their socket fds; a pid in {@link #denied} refuses its fd directory. */
    private static final class FakeHost implements ProcessPort {
        final Map<Integer, ProcessInfo> processes = new HashMap<>();
        final Map<Integer, Map<Integer, Long>> sockets = new HashMap<>();
        final Set<Integer> denied = new HashSet<>();
        final List<String> reads = new ArrayList<>();

        void process(int pid, String comm, Map<Integer, Long> fdToInode) {
            processes.put(pid, new ProcessInfo(pid, 1000L + pid, comm, 0, null));
            sockets.put(pid, fdToInode);
        }

        @Override
        public ProcessStat stat(int pid) {
            reads.add("stat " + pid);
            ProcessInfo p = processes.get(pid);
            return p == null ? null : new ProcessStat(p.comm(), p.startTimeTicks());
        }

        @Override
        public ProcessInfo describe(int pid, ProcessStat stat) {
            reads.add("describe " + pid);
            return processes.get(pid);
        }

        @Override
        public SocketFds socketFds(int pid) throws IOException {
            reads.add("fds " + pid);
            if (denied.contains(pid)) {
                throw new AccessDeniedException("/proc/" + pid + "/fd");
            }
            Map<Integer, Long> fds = sockets.get(pid);
            if (fds == null) {
                return null;
            }
            int[] numbers = fds.keySet().stream().sorted().mapToInt(Integer::intValue).toArray();
            long[] inodes = new long[numbers.length];
            for (int i = 0; i < numbers.length; i++) {
                inodes[i] = fds.get(numbers[i]);
            }
            return new SocketFds(numbers, inodes, numbers.length);
        }

        @Override
        public long socketInode(int pid, int fd) {
            reads.add("readlink " + pid + " " + fd);
            return sockets.getOrDefault(pid, Map.of()).getOrDefault(fd, -1L);
        }
    }

    private final FakeHost host = new FakeHost();
    private final OwnerIndex owners = new OwnerIndex(host, new ProcessTable(host),
            new MutableClock(Instant.parse("2026-01-01T00:00:00Z")), Duration.ofSeconds(30));
    private final NamespaceSet namespaces = new NamespaceSet(
            Map.of(NETNS, new NetNamespace(NETNS, 10, List.of(10, 20))), NETNS, 0, 0, 0);

    private static SocketChange firstSeen(long inode) {
        SocketKey key = new SocketKey(NETNS, 4, 0, 0x7F00_0001L, (int) inode, 0, 0x7F00_0001L, 80, 0);
        return SocketChange.firstSeen(new SocketRow(key, TcpState.ESTABLISHED, TimerKind.OFF, 0, 0, 0, inode, 0, 0));
    }

    @Test
    void aRefusedFdDirectoryLeavesItsSocketsUnresolvedAndIsCounted() {
        host.process(10, "secret", Map.of(4, 5L));
        host.process(20, "nginx", Map.of(3, 7L));
        host.denied.add(10);

        owners.update(namespaces, List.of(firstSeen(5), firstSeen(7)));

        assertThat(owners.owner(7)).isEqualTo(new Owner(host.processes.get(20), 3));
        assertThat(owners.owner(5)).isNull();
        assertThat(owners.unresolved()).isEqualTo(1);
        assertThat(owners.deniedFdDirs()).isEqualTo(1);
        assertThat(owners.scans()).isEqualTo(1);
        assertThat(owners.readlinks()).as("pid 20's one fd").isEqualTo(1);
    }

    @Test
    void aQuietPollReadsOnlyEachOwnersStat() {
        host.process(10, "java", Map.of(4, 5L, 6, 6L));
        host.process(20, "nginx", Map.of(3, 7L));
        owners.update(namespaces, List.of(firstSeen(5), firstSeen(6), firstSeen(7)));
        host.reads.clear();

        owners.update(namespaces, List.of());

        assertThat(host.reads).containsExactlyInAnyOrder("stat 10", "stat 20");
        assertThat(owners.ownerChecks()).isEqualTo(2);
        assertThat(owners.knownInodes()).isEqualTo(3);
    }
}
