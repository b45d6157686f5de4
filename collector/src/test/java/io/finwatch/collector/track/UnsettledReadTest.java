package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.kernel.MutableClock;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Polls between whole reads ask the kernel only for unsettled sockets: on real loopback connections in this
 * process's namespace, read through netlink, the settled ones are carried rather than reported gone, the
 * closing ones are seen at once with their owner, and the next whole read reports what the narrowed ones hid.
 */
class UnsettledReadTest {
    private static final Duration WHOLE_EVERY = Duration.ofSeconds(10);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T00:00:00Z"));
    private final List<Socket> open = new ArrayList<>();
    private ServerSocket server;
    private HostPoller poller;
    private long netns;
    private final int self = (int) ProcessHandle.current().pid();

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        poller = new HostPoller(Procfs.system(), clock, true, SocketSource.Kind.NETLINK, WHOLE_EVERY);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : open) {
            s.close();
        }
        server.close();
        poller.close();
    }

    @Test
    void settledSocketsAreCarriedAndClosingOnesSeenAtEveryPoll() throws IOException {
        Socket a = connect();
        Socket aServer = server.accept();
        open.add(aServer);

        PollResult first = poller.poll();
        assertThat(first.unsettledOnly()).isEmpty();
        netns = first.namespaces().namespaces().stream()
                .filter(ns -> ns.pids().contains(self)).findFirst().orElseThrow().inode();
        assertThat(ours(first.changes(), c -> c.kind() == SocketChange.Kind.FIRST_SEEN)).hasSize(3);

        Socket b = connect();
        open.add(server.accept());
        a.shutdownOutput(); // a: FIN_WAIT2 once the peer acknowledges; its accepted end: CLOSE_WAIT
        List<SocketChange> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            clock.advance(Duration.ofMillis(100));
            PollResult p = poller.poll();
            assertThat(p.unsettledOnly()).contains(netns);
            seen.addAll(ours(p.changes(), c -> true));
            return p.table().rows().stream().anyMatch(r -> isLocal(r, a) && r.state() == TcpState.FIN_WAIT2);
        });
        // The listener, the ESTABLISHED b and its accepted end sit outside the narrowed reads: no event, still
        // in the table as last seen.
        assertThat(seen).noneMatch(c -> c.kind() == SocketChange.Kind.GONE);
        assertThat(seen).noneMatch(c -> c.kind() == SocketChange.Kind.FIRST_SEEN);
        assertThat(seen).anyMatch(c -> isLocal(c.after(), a) && c.after().state() == TcpState.FIN_WAIT2
                || isLocal(c.after(), a) && c.after().state() == TcpState.FIN_WAIT1);
        PollResult narrowed = poller.poll();
        SocketRow listener = only(narrowed, r -> r.state() == TcpState.LISTEN);
        assertThat(listener).isNotNull();
        SocketRow leaking = only(narrowed, r -> isLocal(r, a));
        assertThat(leaking.inode()).isNotZero();
        assertThat(narrowed.ownerOf(leaking).process().pid()).isEqualTo(self);
        assertThat(ours(narrowed.table().rows(), r -> isLocal(r, b))).isEmpty();

        clock.advance(WHOLE_EVERY);
        PollResult whole = poller.poll();
        assertThat(whole.unsettledOnly()).doesNotContain(netns);
        assertThat(ours(whole.changes(), c -> c.kind() == SocketChange.Kind.FIRST_SEEN)).hasSize(2)
                .allMatch(c -> c.after().state() == TcpState.ESTABLISHED);

        b.close(); // orphaned at once (inode 0): its owner is known only because the whole read saw it attached
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            clock.advance(Duration.ofMillis(100));
            PollResult p = poller.poll();
            SocketRow orphan = p.table().rows().stream().filter(r -> isLocal(r, b)).findFirst().orElse(null);
            if (orphan == null || !orphan.orphaned()) {
                return false;
            }
            assertThat(p.unsettledOnly()).contains(netns);
            assertThat(p.lastOwnerOf(orphan).owner().process().pid()).isEqualTo(self);
            return true;
        });
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
        open.add(s);
        return s;
    }

    private boolean isLocal(SocketRow row, Socket s) {
        return row != null && row.key().netns() == netns && row.key().localPort() == s.getLocalPort()
                && row.key().remotePort() == server.getLocalPort();
    }

    /**
     * The listener, or either end of a connection this test made (each end is in {@code open}). Not any socket on the
     * listener's port: the port is ephemeral, and an earlier test's connection to an earlier listener on the same
     * number may still sit in TIME_WAIT (CI saw one, 42336 -> 40463, in the first poll).
     */
    private boolean ours(SocketRow row) {
        if (row == null || row.key().netns() != netns) {
            return false;
        }
        if (row.state() == TcpState.LISTEN) {
            return row.key().localPort() == server.getLocalPort();
        }
        return open.stream().anyMatch(s -> row.key().localPort() == s.getLocalPort() && row.key().remotePort() == s.getPort());
    }

    private List<SocketChange> ours(List<SocketChange> changes, Predicate<SocketChange> which) {
        return changes.stream().filter(c -> ours(c.after() != null ? c.after() : c.before())).filter(which).toList();
    }

    private List<SocketRow> ours(java.util.Collection<SocketRow> rows, Predicate<SocketRow> which) {
        return rows.stream().filter(this::ours).filter(which).toList();
    }

    private SocketRow only(PollResult p, Predicate<SocketRow> which) {
        List<SocketRow> rows = ours(p.table().rows(), which);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }
}
