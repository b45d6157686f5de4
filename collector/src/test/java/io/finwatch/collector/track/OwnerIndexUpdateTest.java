package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.finwatch.collector.kernel.LoopbackTable;
import io.finwatch.collector.kernel.MutableClock;
import io.finwatch.collector.kernel.NetnsScanner;
import io.finwatch.collector.kernel.ProcessFiles;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.TestNetns;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The change-driven path: {@link OwnerIndex#update} fed with diffs of real tables. */
class OwnerIndexUpdateTest {
    private final Procfs proc = Procfs.system();
    private final int self = (int) ProcessHandle.current().pid();
    private final long ownNetns = TestNetns.netnsOf(self);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final NetnsScanner scanner = new NetnsScanner(proc);
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

    private SocketTable table(ServerSocket server) throws IOException {
        return LoopbackTable.read(proc, ownNetns, server.getLocalPort());
    }

    private static List<SocketChange> firstPoll(SocketTable table) {
        return TwoPassDiff.diff(SocketTable.empty(), table);
    }

    /** A child that connects to {@code port} on fd 3, then runs {@code then}. */
    private Process connectingChild(int port, String then) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + "; " + then)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        children.add(p);
        return p;
    }

    private String comm(long pid) throws IOException {
        return new ProcessFiles(proc).stat((int) pid).comm();
    }

    /** Waits until bash forked {@code sleep 300} and became {@code sleep 301}: two holders of fd 3. */
    private int forkedChildOf(Process parent) {
        await().until(() -> parent.children().count() == 1 && comm(parent.pid()).equals("sleep")
                && comm(parent.children().findFirst().orElseThrow().pid()).equals("sleep"));
        return (int) parent.children().findFirst().orElseThrow().pid();
    }

    @Test
    void aWholeTableGivesTheSameOwnersAsResolve() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Process alone = connectingChild(port, "exec sleep 300");
            Process sharing = connectingChild(port, "sleep 300 & exec sleep 301");
            try (Socket a = server.accept(); Socket b = server.accept()) {
                await().until(() -> comm(alone.pid()).equals("sleep"));
                int forked = forkedChildOf(sharing);
                SocketTable table = table(server);
                assertThat(table.size()).as("listener, two clients, two accepted").isEqualTo(5);
                Set<Long> inodes = table.rows().stream().map(SocketRow::inode).collect(Collectors.toSet());
                NamespaceSet namespaces = scanner.scan();

                OwnerIndex updated = owners();
                updated.update(namespaces, firstPoll(table));
                Map<Long, Owner> resolved = OwnerIndexes.wholeTable(owners(), namespaces, Map.of(ownNetns, inodes));

                assertThat(OwnerIndexes.known(updated, inodes)).isEqualTo(resolved).hasSize(5);
                assertThat(updated.scans()).isEqualTo(1);
                for (SocketRow row : table.rows()) {
                    assertThat(updated.owner(row.inode())).isEqualTo(resolved.get(row.inode()));
                }
                // Each client is its child's fd 3; the shared one goes to the lower of its two holders.
                Owner listener = updated.owner(LoopbackTable.only(table, port, 0).inode());
                assertThat(listener.process().pid()).isEqualTo(self);
                for (Socket accepted : List.of(a, b)) {
                    assertThat(updated.owner(LoopbackTable.only(table, port, accepted.getPort()).inode())
                            .process().pid()).isEqualTo(self);
                }
                Set<Integer> clientOwners = List.of(a, b).stream()
                        .map(s -> updated.owner(LoopbackTable.only(table, s.getPort(), port).inode()))
                        .peek(o -> assertThat(o.fd()).isEqualTo(3))
                        .map(o -> o.process().pid())
                        .collect(Collectors.toSet());
                assertThat(clientOwners).containsExactlyInAnyOrder(
                        (int) alone.pid(), Math.min((int) sharing.pid(), forked));
            }
        }
    }

    @Test
    void aSocketOpenedAfterTheFirstPollCostsOneScanAndQuietPollsReadNoLinks() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            OwnerIndex owners = owners();
            SocketTable first = table(server);
            owners.update(scanner.scan(), firstPoll(first));
            long listener = LoopbackTable.only(first, port, 0).inode();
            assertThat(owners.owner(listener).process().pid()).isEqualTo(self);
            assertThat(owners.scans()).isEqualTo(1);

            long readlinks = owners.readlinks();
            long checks = owners.ownerChecks();
            for (int i = 0; i < 3; i++) {
                owners.update(scanner.scan(), List.of());
            }
            assertThat(owners.readlinks()).as("no fd link read without a change").isEqualTo(readlinks);
            assertThat(owners.scans()).isEqualTo(1);
            assertThat(owners.ownerChecks()).as("one owning process, one check a poll").isEqualTo(checks + 3);

            Process child = connectingChild(port, "exec sleep 300");
            try (Socket accepted = server.accept()) {
                SocketTable second = table(server);
                List<SocketChange> changes = TwoPassDiff.diff(first, second);
                assertThat(changes).extracting(SocketChange::kind)
                        .containsExactly(SocketChange.Kind.FIRST_SEEN, SocketChange.Kind.FIRST_SEEN);

                owners.update(scanner.scan(), changes);

                assertThat(owners.scans()).as("both new inodes found by one scan").isEqualTo(2);
                long clientInode = clientInode(second, accepted, port);
                Owner client = owners.owner(clientInode);
                assertThat(client.process().pid()).isEqualTo((int) child.pid());
                assertThat(client.fd()).isEqualTo(3);
                assertThat(owners.owner(LoopbackTable.only(second, port, accepted.getPort()).inode())
                        .process().pid()).isEqualTo(self);

                // The child may have been found as bash; it keeps the socket across exec, and quiet polls
                // pick up the new name from its stat alone.
                long afterScan = owners.readlinks();
                await().until(() -> {
                    owners.update(scanner.scan(), List.of());
                    return owners.owner(clientInode).process().comm().equals("sleep");
                });
                assertThat(owners.readlinks()).isEqualTo(afterScan);
                assertThat(owners.scans()).isEqualTo(2);

                checks = owners.ownerChecks();
                owners.update(scanner.scan(), List.of());
                assertThat(owners.ownerChecks()).as("this JVM and the child").isEqualTo(checks + 2);
                assertThat(owners.knownInodes()).isEqualTo(3);
            }
        }
    }

    private static long clientInode(SocketTable table, Socket accepted, int port) {
        return LoopbackTable.only(table, accepted.getPort(), port).inode();
    }

    @Test
    void orphanedAndGoneSocketsAreForgottenWithoutAnyLinkRead() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        Process child = connectingChild(port, "exec sleep 300");
        try (Socket accepted = server.accept()) {
            SocketTable first = table(server);
            OwnerIndex owners = owners();
            owners.update(scanner.scan(), firstPoll(first));
            SocketRow client = LoopbackTable.only(first, accepted.getPort(), port);
            SocketRow listener = LoopbackTable.only(first, port, 0);
            assertThat(owners.owner(client.inode()).process().pid()).isEqualTo((int) child.pid());
            assertThat(owners.knownInodes()).isEqualTo(3);
            long readlinks = owners.readlinks();

            // The kernel closes the killed child's fd; its socket lives on, orphaned, in FIN_WAIT.
            TestNetns.run("kill", "-9", Long.toString(child.pid()));
            child.waitFor();
            await().until(() -> table(server).get(client.key()) != null
                    && table(server).get(client.key()).inode() == 0);
            SocketTable second = table(server);
            List<SocketChange> changes = TwoPassDiff.diff(first, second);
            assertThat(changes).anySatisfy(c -> {
                assertThat(c.key()).isEqualTo(client.key());
                assertThat(c.kind()).isEqualTo(SocketChange.Kind.CHANGED);
                assertThat(c.becameOrphaned()).isTrue();
            });

            owners.update(scanner.scan(), changes);

            assertThat(owners.owner(client.inode())).isNull();
            assertThat(owners.knownInodes()).isEqualTo(2);
            assertThat(owners.unresolved()).as("forgotten, not searched for").isZero();

            server.close();
            SocketTable third = table(server);
            List<SocketChange> closed = TwoPassDiff.diff(second, third);
            assertThat(closed).anySatisfy(c -> {
                assertThat(c.key()).isEqualTo(listener.key());
                assertThat(c.kind()).isEqualTo(SocketChange.Kind.GONE);
            });

            owners.update(scanner.scan(), closed);

            assertThat(owners.owner(listener.inode())).isNull();
            assertThat(OwnerIndexes.known(owners, third.rows().stream().map(SocketRow::inode).toList()))
                    .containsOnlyKeys(LoopbackTable.only(third, port, accepted.getPort()).inode());
            assertThat(owners.readlinks()).isEqualTo(readlinks);
            assertThat(owners.scans()).isEqualTo(1);
        } finally {
            server.close();
        }
    }

    @Test
    void anOwnerKilledWhileAForkedChildHoldsItsSocketIsRehomedByOneLinkRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Process parent = connectingChild(server.getLocalPort(), "sleep 300 & exec sleep 301");
            try (Socket accepted = server.accept()) {
                int forked = forkedChildOf(parent);
                int lower = Math.min((int) parent.pid(), forked);
                int higher = Math.max((int) parent.pid(), forked);
                SocketTable table = table(server);
                long inode = clientInode(table, accepted, server.getLocalPort());
                OwnerIndex owners = owners();
                owners.update(scanner.scan(), firstPoll(table));
                assertThat(owners.owner(inode).process().pid()).isEqualTo(lower);

                TestNetns.run("kill", "-9", Integer.toString(lower));
                await().until(() -> !scanner.scan().allPids().contains(lower));
                long readlinks = owners.readlinks();

                // The socket is still attached (to the survivor): the tables show no change.
                owners.update(scanner.scan(), List.of());

                Owner after = owners.owner(inode);
                assertThat(after.process().pid()).isEqualTo(higher);
                assertThat(after.fd()).isEqualTo(3);
                assertThat(owners.rehomed()).isEqualTo(1);
                assertThat(owners.scans()).isEqualTo(1);
                assertThat(owners.readlinks()).as("only the survivor's fd 3").isEqualTo(readlinks + 1);
            }
        }
    }

    @Test
    void anOwnerThatClosedItsCopyKeepsTheSocketUntilItDiesThenTheHolderALaterScanSawGetsIt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            // bash forks a sleep that inherits fd 3, waits for a line, closes its own fd 3, becomes a sleep.
            Process parent = new ProcessBuilder("bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/" + port + "; sleep 300 & read line; exec 3>&-; exec sleep 301")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            children.add(parent);
            try (Socket accepted = server.accept()) {
                await().until(() -> parent.children().count() == 1
                        && comm(parent.children().findFirst().orElseThrow().pid()).equals("sleep"));
                int forked = (int) parent.children().findFirst().orElseThrow().pid();
                // The parent must be the lower pid to own the socket first; only a pid wrap breaks that.
                assumeTrue(parent.pid() < forked, "pids wrapped between fork and exec");
                SocketTable first = table(server);
                long inode = clientInode(first, accepted, port);
                OwnerIndex owners = owners();
                owners.update(scanner.scan(), firstPoll(first));
                assertThat(owners.owner(inode).process().pid()).isEqualTo((int) parent.pid());

                parent.getOutputStream().write('\n');
                parent.getOutputStream().flush();
                await().until(() -> comm(parent.pid()).equals("sleep"));
                // A new socket makes the next poll scan: it sees only the child holding the old one.
                try (Socket another = new Socket(InetAddress.getLoopbackAddress(), port);
                     Socket anotherAccepted = server.accept()) {
                    SocketTable second = table(server);
                    owners.update(scanner.scan(), TwoPassDiff.diff(first, second));
                    assertThat(owners.scans()).isEqualTo(2);
                    assertThat(owners.owner(inode).process().pid()).as("not re-examined while it lives")
                            .isEqualTo((int) parent.pid());

                    TestNetns.run("kill", "-9", Long.toString(parent.pid()));
                    parent.waitFor();
                    await().until(() -> !scanner.scan().allPids().contains((int) parent.pid()));
                    owners.update(scanner.scan(), List.of());

                    assertThat(owners.owner(inode).process().pid()).isEqualTo(forked);
                    assertThat(owners.rehomed()).isEqualTo(1);
                    assertThat(owners.scans()).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void aSocketRenumberedToAnotherKeyKeepsItsOwnerInEitherOrder() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SocketTable table = table(server);
            SocketRow listener = LoopbackTable.only(table, server.getLocalPort(), 0);
            SocketRow renumbered = listener.withKey(listener.key().withOrdinal(1));
            OwnerIndex owners = owners();
            owners.update(scanner.scan(), firstPoll(table));
            Owner owner = owners.owner(listener.inode());
            long readlinks = owners.readlinks();

            owners.update(scanner.scan(), List.of(SocketChange.gone(listener), SocketChange.firstSeen(renumbered)));
            assertThat(owners.owner(listener.inode())).isEqualTo(owner);
            // SO_REUSEPORT listeners trading ordinals: one's FIRST_SEEN can come before its GONE.
            owners.update(scanner.scan(), List.of(SocketChange.firstSeen(listener), SocketChange.gone(renumbered)));
            assertThat(owners.owner(listener.inode())).isEqualTo(owner);

            assertThat(owners.readlinks()).isEqualTo(readlinks);
            assertThat(owners.scans()).isEqualTo(1);
        }
    }

    @Test
    void afterResyncTheWholeTableDecidesWhatStaysAndKnownOwnersCostNoScan() throws Exception {
        try (ServerSocket kept = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            SocketRow keptRow = LoopbackTable.only(table(kept), kept.getLocalPort(), 0);
            SocketRow closedRow = LoopbackTable.only(table(closed), closed.getLocalPort(), 0);
            OwnerIndex owners = owners();
            owners.update(scanner.scan(),
                    List.of(SocketChange.firstSeen(keptRow), SocketChange.firstSeen(closedRow)));
            assertThat(owners.knownInodes()).isEqualTo(2);
            closed.close();
            long readlinks = owners.readlinks();

            // A resync dropped the previous table: no GONE for the closed listener, only the survivors.
            owners.resync();
            owners.update(scanner.scan(), firstPoll(table(kept)));

            assertThat(owners.owner(closedRow.inode())).isNull();
            assertThat(owners.owner(keptRow.inode()).process().pid()).isEqualTo(self);
            assertThat(owners.knownInodes()).isEqualTo(1);
            assertThat(owners.readlinks()).isEqualTo(readlinks);
            assertThat(owners.scans()).isEqualTo(1);
        }
    }

    @Test
    void anUnresolvedInodeIsRetriedAfterTheIntervalAndForgottenWhenGone() throws Exception {
        try (TestNetns netns = TestNetns.create()) {
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());
            // Socket inodes are never this large: nobody holds it.
            SocketRow nobodys = new SocketRow(new SocketKey(insideNetns, 4, 0, 0x7f000001L, 40000, 0, 0x7f000001L,
                    40001, 0), TcpState.ESTABLISHED, TimerKind.OFF, 0, 0, 0, Long.MAX_VALUE - 1, 0, 0);
            NamespaceSet namespaces = scanner.scan();
            OwnerIndex owners = owners();

            owners.update(namespaces, List.of(SocketChange.firstSeen(nobodys)));
            assertThat(owners.unresolved()).isEqualTo(1);
            assertThat(owners.scans()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(29));
            owners.update(namespaces, List.of());
            assertThat(owners.scans()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(1));
            owners.update(namespaces, List.of());
            assertThat(owners.scans()).isEqualTo(2);

            owners.update(namespaces, List.of(SocketChange.gone(nobodys)));
            assertThat(owners.unresolved()).isZero();
            clock.advance(Duration.ofSeconds(30));
            owners.update(namespaces, List.of());
            assertThat(owners.scans()).as("nothing left to retry").isEqualTo(2);
        }
    }
}
