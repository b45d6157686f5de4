package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.kernel.MutableClock;
import io.finwatch.collector.kernel.NetnsScanner;
import io.finwatch.collector.kernel.ProcessFiles;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.TestNetns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OwnerIndexTest {
    private static final int ESTABLISHED = 0x01;
    private static final int LISTEN = 0x0A;

    private final Procfs proc = Procfs.system();
    private final int self = (int) ProcessHandle.current().pid();
    private final long ownNetns = TestNetns.netnsOf(self);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private OwnerIndex owners() {
        return OwnerIndexes.onThisHost(clock);
    }

    /** The whole table the index is given: these inodes of these namespaces, and nothing else. */
    private static Map<Long, Owner> resolve(OwnerIndex owners, NamespaceSet namespaces, Map<Long, Set<Long>> live) {
        return OwnerIndexes.wholeTable(owners, namespaces, live);
    }

    /**
     * Socket inodes in a process's tcp and tcp6 tables with the given state and local (or remote) port.
     * A minimal reading of the columns: sl, local, remote, st, queues, tr, retrnsmt, uid, timeout, inode.
     */
    private static Set<Long> inodes(long pid, int state, int localPort, int remotePort) throws IOException {
        Set<Long> found = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                long inode = Long.parseLong(f[9]);
                if (Integer.parseInt(f[3], 16) == state && (localPort < 0 || local == localPort)
                        && (remotePort < 0 || remote == remotePort) && inode != 0) {
                    found.add(inode);
                }
            }
        }
        return found;
    }

    /** All non-zero inodes in this namespace's tables now. */
    private Set<Long> liveInodes() throws IOException {
        Set<Long> all = new HashSet<>();
        for (int state = 1; state <= 0x0C; state++) {
            all.addAll(inodes(self, state, -1, -1));
        }
        return all;
    }

    private static long only(Set<Long> inodes) {
        assertThat(inodes).hasSize(1);
        return inodes.iterator().next();
    }

    /** A child that connects to {@code port} on fd 3, then runs {@code then}. */
    private Process connectingChild(int port, String then) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + "; " + then)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        children.add(p);
        return p;
    }

    @Test
    void thisJvmsListeningSocketBelongsToThisPid() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long inode = only(inodes(self, LISTEN, server.getLocalPort(), -1));
            OwnerIndex owners = owners();
            NamespaceSet namespaces = new NetnsScanner(proc).scan();

            Map<Long, Owner> result = resolve(owners, namespaces, Map.of(ownNetns, Set.of(inode)));

            Owner owner = result.get(inode);
            assertThat(owner.process().pid()).isEqualTo(self);
            assertThat(owner.process().comm()).isEqualTo("java");
            assertThat(Files.readSymbolicLink(proc.pid(self, "fd", Integer.toString(owner.fd()))).toString())
                    .isEqualTo("socket:[" + inode + "]");
            assertThat(owners.scans()).isEqualTo(1);

            long readlinks = owners.readlinks();
            assertThat(resolve(owners, new NetnsScanner(proc).scan(), Map.of(ownNetns, Set.of(inode))))
                    .containsEntry(inode, owner);
            assertThat(owners.scans()).as("a known inode needs no scan").isEqualTo(1);
            assertThat(owners.readlinks()).isEqualTo(readlinks);
        }
    }

    @Test
    void aChildsSocketBelongsToTheChildUntilItIsKilled() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Process child = connectingChild(server.getLocalPort(), "exec sleep 300");
            try (Socket accepted = server.accept()) {
                long inode = only(inodes(self, ESTABLISHED, -1, server.getLocalPort()));
                OwnerIndex owners = owners();
                NetnsScanner scanner = new NetnsScanner(proc);

                // The child may still be bash for a moment; it keeps the socket across exec.
                await().until(() -> {
                    Owner o = resolve(owners, scanner.scan(), Map.of(ownNetns, Set.of(inode))).get(inode);
                    return o != null && o.process().comm().equals("sleep");
                });
                Owner owner = owners.owner(inode);
                assertThat(owner.process().pid()).isEqualTo((int) child.pid());
                assertThat(owner.fd()).isEqualTo(3);
                assertThat(owners.scans()).isEqualTo(1);

                TestNetns.run("kill", "-9", Long.toString(child.pid()));
                child.waitFor();
                Process newcomer = new ProcessBuilder("sleep", "300").start();
                children.add(newcomer);

                // The kernel closed the child's fd: its socket is an orphan now (inode 0) or gone.
                Set<Long> live = liveInodes();
                assertThat(live).doesNotContain(inode);
                assertThat(resolve(owners, scanner.scan(), Map.of(ownNetns, live))).doesNotContainKey(inode);
                assertThat(owners.owner(inode)).isNull();

                // Even if a table still listed the inode, the dead owner is not kept.
                assertThat(resolve(owners, scanner.scan(), Map.of(ownNetns, Set.of(inode)))).isEmpty();
                assertThat(owners.unresolved()).isEqualTo(1);
            }
        }
    }

    @Test
    void aSocketSharedAfterForkGoesToTheLowestPidAndMovesToTheSurvivorWithoutAScan() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // bash forks a sleep that inherits fd 3, then becomes a sleep itself: two holders.
            Process parent = connectingChild(server.getLocalPort(), "sleep 300 & exec sleep 301");
            try (Socket accepted = server.accept()) {
                await().until(() -> parent.children().count() == 1
                        && new ProcessFiles(proc).stat((int) parent.pid()).comm().equals("sleep"));
                int parentPid = (int) parent.pid();
                int childPid = (int) parent.children().findFirst().orElseThrow().pid();
                long inode = only(inodes(self, ESTABLISHED, -1, server.getLocalPort()));
                OwnerIndex owners = owners();
                NetnsScanner scanner = new NetnsScanner(proc);

                Owner first = resolve(owners, scanner.scan(), Map.of(ownNetns, Set.of(inode))).get(inode);
                int lower = Math.min(parentPid, childPid);
                int higher = Math.max(parentPid, childPid);
                assertThat(first.process().pid()).isEqualTo(lower);
                assertThat(first.fd()).isEqualTo(3);
                assertThat(owners.scans()).isEqualTo(1);

                TestNetns.run("kill", "-9", Integer.toString(lower));
                await().until(() -> !scanner.scan().allPids().contains(lower));

                Owner after = resolve(owners, scanner.scan(), Map.of(ownNetns, Set.of(inode))).get(inode);
                assertThat(after.process().pid()).isEqualTo(higher);
                assertThat(after.fd()).isEqualTo(3);
                assertThat(owners.scans()).as("re-homed from the scan's record").isEqualTo(1);
                assertThat(owners.rehomed()).isEqualTo(1);
            }
        }
    }

    @Test
    void anUnresolvedInodeIsSearchedAgainOnlyAfterTheRetryInterval() throws Exception {
        try (TestNetns netns = TestNetns.create()) {
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());
            NamespaceSet namespaces = new NetnsScanner(proc).scan();
            // Socket inodes are never this large: nobody holds it.
            long nobodys = Long.MAX_VALUE - 1;
            OwnerIndex owners = owners();

            assertThat(resolve(owners, namespaces, Map.of(insideNetns, Set.of(nobodys)))).isEmpty();
            assertThat(owners.scans()).isEqualTo(1);
            assertThat(owners.unresolved()).isEqualTo(1);

            resolve(owners, namespaces, Map.of(insideNetns, Set.of(nobodys)));
            clock.advance(Duration.ofSeconds(29));
            resolve(owners, namespaces, Map.of(insideNetns, Set.of(nobodys)));
            assertThat(owners.scans()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            resolve(owners, namespaces, Map.of(insideNetns, Set.of(nobodys)));
            assertThat(owners.scans()).isEqualTo(2);

            assertThat(resolve(owners, namespaces, Map.of(insideNetns, Set.of())))
                    .isEmpty();
            assertThat(owners.unresolved()).as("left the table, forgotten").isZero();
        }
    }

    @Test
    void aForgottenInodeIsLookedUpAgainAndAnotherNamespacesPidsAreNotSearched() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TestNetns netns = TestNetns.create()) {
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());
            long inode = only(inodes(self, LISTEN, server.getLocalPort(), -1));
            NamespaceSet namespaces = new NetnsScanner(proc).scan();
            OwnerIndex owners = owners();

            // Listed under the wrong namespace: only that namespace's processes are searched.
            resolve(owners, namespaces, Map.of(insideNetns, Set.of(inode)));
            assertThat(owners.owner(inode)).isNull();
            assertThat(owners.scans()).isEqualTo(1);

            resolve(owners, namespaces, Map.of(ownNetns, Set.of(inode)));
            assertThat(owners.owner(inode).process().pid()).isEqualTo(self);
            assertThat(owners.scans()).isEqualTo(2);

            resolve(owners, namespaces, Map.of());
            assertThat(owners.owner(inode)).isNull();
            assertThat(owners.knownInodes()).isZero();
            resolve(owners, namespaces, Map.of(ownNetns, Set.of(inode)));
            assertThat(owners.owner(inode).process().pid()).isEqualTo(self);
            assertThat(owners.scans()).isEqualTo(3);
        }
    }
}
