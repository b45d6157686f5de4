package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.NetnsThread;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.kernel.TestNetns;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the kernel's state-change feed, polls between whole reads leave unread the namespaces where nothing changed,
 * and still see every change: on real connections in two namespaces of the test's own, each with an address of its
 * own, polled as the collector polls them (one whole read, then only narrowed or no reads). A quiet namespace is
 * skipped; a socket shut down in one is seen at once; an orphan's time-wait minisocket, whose end no event
 * announces, is seen gone when its timer runs out; and the table at the end is what a whole read finds.
 */
class QuietReadTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Side a;
    private Side b;
    private HostReader reader;
    private HostState state;

    /** A namespace with one address of its own, and a thread inside it to make sockets there. */
    private record Side(TestNetns ns, long inode, Path link, String address, NetnsThread thread) {
        SocketChannel[] connect() throws Exception {
            return thread.call(link, inode, () -> {
                ServerSocketChannel l = ServerSocketChannel.open();
                l.bind(new InetSocketAddress(address, 0));
                SocketChannel client = SocketChannel.open();
                client.setOption(StandardSocketOptions.SO_LINGER, -1);
                client.connect(l.getLocalAddress());
                SocketChannel server = l.accept();
                l.close();
                return new SocketChannel[] {client, server};
            });
        }
    }

    @BeforeEach
    void namespaces() throws Exception {
        a = side("10.201.0.1", "1");
        b = side("10.202.0.1", "60");
        reader = HostReader.open(Procfs.system(), SocketSource.Kind.NETLINK,
                NetnsSelection.of(List.of(a.ns().name(), b.ns().name()), null), false, true);
        assertThat(reader.feedProblem()).isNull();
        assertThat(reader.feed()).isNotNull();
        state = new HostState(Clock.systemUTC(), HostState.Settings.defaults().withWholeReadEvery(Duration.ofHours(1)),
                reader.finTimeouts(), null, null, reader.addresses());
    }

    private Side side(String address, String finTimeout) throws Exception {
        TestNetns ns = TestNetns.create();
        closeables.add(ns);
        // On lo, but of global scope: an interface address of this namespace only, unlike 127.0.0.1.
        TestNetns.run("ip", "-n", ns.name(), "addr", "add", address + "/32", "dev", "lo");
        TestNetns.run("ip", "-n", ns.name(), "link", "set", "lo", "up");
        ns.sysctl("net.ipv4.tcp_fin_timeout", finTimeout);
        Process sleeper = ns.startSleeper();
        NetnsThread thread = new NetnsThread("test-" + ns.name());
        closeables.add(thread::close);
        return new Side(ns, TestNetns.netnsOf(sleeper.pid()), Path.of("/proc", Long.toString(sleeper.pid()), "ns", "net"),
                address, thread);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (reader != null) {
            reader.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void quietNamespacesAreSkippedAndEveryChangeIsStillSeen() throws Exception {
        SocketChannel[] inA = a.connect();
        SocketChannel[] inB = b.connect();
        closeables.add(inA[1]);
        closeables.add(inB[0]);
        closeables.add(inB[1]);
        PollResult first = poll();
        assertThat(first.unread()).isEmpty();
        assertThat(first.unsettledOnly()).isEmpty();
        List<SocketChange> seen = new ArrayList<>();

        // Nothing changes in either: once their addresses are known, a poll reads neither (other activity on the
        // machine, on loopback or on addresses no watched namespace owns, makes a poll read both).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            PollResult p = poll();
            seen.addAll(p.changes());
            return p.unread().containsAll(Set.of(a.inode(), b.inode()));
        });
        assertThat(seen).as("changes while nothing changed").isEmpty();

        // B's client shuts its sending side: FIN_WAIT2, its peer CLOSE_WAIT, seen by the poll after the change.
        int bClient = port(inB[0]);
        b.thread().call(b.link(), b.inode(), () -> inB[0].shutdownOutput());
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            PollResult p = poll();
            seen.addAll(p.changes());
            return state(p, b.inode(), bClient) == TcpState.FIN_WAIT2;
        });
        assertThat(seen).anySatisfy(c -> {
            assertThat(c.kind()).isEqualTo(SocketChange.Kind.CHANGED);
            assertThat(c.after().key().localPort()).isEqualTo(bClient);
        });

        // A's client shuts down and closes: an orphan in FIN_WAIT2 becomes a time-wait minisocket with a 1 s timer
        // (A's tcp_fin_timeout), whose end no state change announces. It must still be reported gone.
        int aClient = port(inA[0]);
        a.thread().call(a.link(), a.inode(), () -> {
            inA[0].shutdownOutput();
            inA[0].close();
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            PollResult p = poll();
            seen.addAll(p.changes());
            SocketRow row = row(p, a.inode(), aClient);
            return row != null && row.orphaned();
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            PollResult p = poll();
            seen.addAll(p.changes());
            return row(p, a.inode(), aClient) == null;
        });
        assertThat(seen).anySatisfy(c -> {
            assertThat(c.kind()).isEqualTo(SocketChange.Kind.GONE);
            assertThat(c.before().key().netns()).isEqualTo(a.inode());
            assertThat(c.before().key().localPort()).isEqualTo(aClient);
        });

        // What the skipping polls kept is what a whole read of both namespaces finds now.
        PollResult last = poll();
        try (HostReader whole = HostReader.open(Procfs.system(), SocketSource.Kind.NETLINK,
                NetnsSelection.of(List.of(a.ns().name(), b.ns().name()), null))) {
            HostState fresh = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), whole.finTimeouts(), null);
            PollResult truth = fresh.apply(whole.read(fresh.nextRead()));
            assertThat(identities(last)).isEqualTo(identities(truth));
        }
    }

    private PollResult poll() throws Exception {
        return state.apply(reader.read(state.nextRead()));
    }

    private static int port(SocketChannel c) throws Exception {
        return ((InetSocketAddress) c.getLocalAddress()).getPort();
    }

    private static SocketRow row(PollResult p, long netns, int localPort) {
        return p.table().rows().stream().filter(r -> r.key().netns() == netns && r.key().localPort() == localPort)
                .findFirst().orElse(null);
    }

    private static TcpState state(PollResult p, long netns, int localPort) {
        SocketRow r = row(p, netns, localPort);
        return r == null ? null : r.state();
    }

    private static Set<List<Object>> identities(PollResult p) {
        return p.table().rows().stream().map(r -> List.<Object>of(r.key().withOrdinal(0), r.state(), r.inode()))
                .collect(Collectors.toSet());
    }
}
