package io.finwatch.collector.kernel;

import static io.finwatch.collector.socket.TcpState.CLOSE;
import static io.finwatch.collector.socket.TcpState.CLOSE_WAIT;
import static io.finwatch.collector.socket.TcpState.ESTABLISHED;
import static io.finwatch.collector.socket.TcpState.FIN_WAIT1;
import static io.finwatch.collector.socket.TcpState.FIN_WAIT2;
import static io.finwatch.collector.socket.TcpState.LAST_ACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.track.StateChange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The feed on the real kernel, with real loopback connections. Other processes may change TCP states meanwhile:
 * changes are picked out by address and port.
 */
class StateChangeFeedTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** currentTimeMillis truncates to the millisecond; the rest is scheduling. */
    private static final long SLACK_NANOS = 5_000_000L;
    private static final String V4 = "127.0.0.1";

    private StateChangeFeed feed;
    private final List<StateChange> seen = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (feed != null) {
            feed.close();
        }
    }

    private static long nowNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private record Pair(ServerSocket server, Socket client, Socket accepted) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.close();
            accepted.close();
            server.close();
        }

        int serverPort() {
            return server.getLocalPort();
        }

        int clientPort() {
            return client.getLocalPort();
        }
    }

    private Pair connect(String address) throws IOException {
        InetAddress ip = InetAddress.getByName(address);
        ServerSocket server = closing(new ServerSocket(0, 50, ip));
        Socket client = closing(new Socket(ip, server.getLocalPort()));
        Socket accepted = closing(server.accept());
        return new Pair(server, client, accepted);
    }

    /** The changes of one socket seen so far, oldest first: the rings of two CPUs come out in no common order. */
    private List<StateChange> of(String local, int localPort, int remotePort) {
        return seen.stream()
                .filter(c -> c.localAddress().equals(local) && c.localPort() == localPort
                        && c.remotePort() == remotePort)
                .sorted(Comparator.comparingLong(StateChange::atNanos))
                .toList();
    }

    private void drainUntil(BooleanSupplier done) {
        await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
            feed.drain(seen::add);
            return done.getAsBoolean();
        });
    }

    private List<StateChange> drainUntil(String local, int localPort, int remotePort, int count) {
        drainUntil(() -> of(local, localPort, remotePort).size() >= count);
        return of(local, localPort, remotePort);
    }

    @ParameterizedTest(name = "CLOCK_REALTIME tried first: {0}")
    @ValueSource(booleans = {true, false})
    void shutdownThenCloseOfALoopbackConnectionArriveAsTheyHappenWithEpochTimes(boolean realtimeFirst)
            throws IOException {
        feed = realtimeFirst ? StateChangeFeed.open(Path.of("/"))
                : StateChangeFeed.open(Path.of("/"), StateChangeFeed.DEFAULT_PAGES_PER_CPU, false);
        if (realtimeFirst) {
            assertThat(feed.clock()).isIn("REALTIME", "MONOTONIC");
        } else {
            assertThat(feed.clock()).isEqualTo("MONOTONIC");
        }
        Pair p = connect(V4);
        int cp = p.clientPort();
        int sp = p.serverPort();

        long before = nowNanos();
        p.client().shutdownOutput();
        long after = nowNanos();
        List<StateChange> client = drainUntil(V4, cp, sp, 2);
        long clientSeen = nowNanos();
        List<StateChange> server = drainUntil(V4, sp, cp, 1);

        assertThat(client)
                .extracting(StateChange::localAddress, StateChange::localPort, StateChange::remoteAddress,
                        StateChange::remotePort, StateChange::from, StateChange::to)
                .containsExactly(tuple(V4, cp, V4, sp, ESTABLISHED, FIN_WAIT1),
                        tuple(V4, cp, V4, sp, FIN_WAIT1, FIN_WAIT2));
        assertThat(server)
                .extracting(StateChange::localAddress, StateChange::localPort, StateChange::remoteAddress,
                        StateChange::remotePort, StateChange::from, StateChange::to)
                .containsExactly(tuple(V4, sp, V4, cp, ESTABLISHED, CLOSE_WAIT));
        // The FIN goes out and is received within shutdown(2)...
        assertThat(client.get(0).atNanos()).isBetween(before - SLACK_NANOS, after + SLACK_NANOS);
        assertThat(server.get(0).atNanos()).isBetween(before - SLACK_NANOS, after + SLACK_NANOS);
        // ...but its ACK is delayed: a socket entering CLOSE_WAIT expects to answer with data of its own.
        assertThat(client.get(1).atNanos()).isBetween(client.get(0).atNanos(), clientSeen + SLACK_NANOS);

        // tcp_close() sets FIN_WAIT2 again, then (tcp_fin_timeout not past 60 s) hands the connection to a
        // time-wait socket in the FIN_WAIT2 substate: the full socket ends there.
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/tcp_fin_timeout")).strip())
                .as("tcp_fin_timeout").satisfies(t -> assertThat(Integer.parseInt(t)).isLessThanOrEqualTo(60));
        long closing = nowNanos();
        p.client().close();
        long closed = nowNanos();
        client = drainUntil(V4, cp, sp, 4);
        assertThat(client).extracting(StateChange::from, StateChange::to)
                .containsExactly(tuple(ESTABLISHED, FIN_WAIT1), tuple(FIN_WAIT1, FIN_WAIT2),
                        tuple(FIN_WAIT2, FIN_WAIT2), tuple(FIN_WAIT2, CLOSE));
        assertThat(client.subList(2, 4)).extracting(StateChange::atNanos)
                .allSatisfy(t -> assertThat(t).isBetween(closing - SLACK_NANOS, closed + SLACK_NANOS));

        assertThat(feed.changesTotal()).isEqualTo(seen.size());
        assertThat(feed.lostTotal()).isZero();
        assertThat(feed.malformedTotal()).isZero();
    }

    @Test
    void anIpv6LoopbackConnectionIsWrittenWithItsIpv6Addresses() throws IOException {
        feed = StateChangeFeed.open(Path.of("/"));
        Pair p = connect("::1");
        int cp = p.clientPort();
        int sp = p.serverPort();

        p.client().shutdownOutput();

        assertThat(drainUntil("::1", cp, sp, 2))
                .extracting(StateChange::remoteAddress, StateChange::from, StateChange::to)
                .containsExactly(tuple("::1", ESTABLISHED, FIN_WAIT1), tuple("::1", FIN_WAIT1, FIN_WAIT2));
        assertThat(drainUntil("::1", sp, cp, 1))
                .extracting(StateChange::remoteAddress, StateChange::from, StateChange::to)
                .containsExactly(tuple("::1", ESTABLISHED, CLOSE_WAIT));
    }

    @Test
    void aDualStackSocketsIpv4MappedAddressesAreWrittenAsIpv4() throws IOException {
        feed = StateChangeFeed.open(Path.of("/"));
        ServerSocket server = closing(new ServerSocket());
        server.bind(new InetSocketAddress(0));
        Socket client = closing(new Socket());
        client.bind(new InetSocketAddress("0.0.0.0", 0));
        client.connect(new InetSocketAddress(V4, server.getLocalPort()));
        closing(server.accept());
        int cp = client.getLocalPort();
        int sp = server.getLocalPort();
        // The kernel's own word that these are AF_INET6 sockets with ::ffff:127.0.0.1 at both ends.
        String mapped = "0000000000000000FFFF00000100007F";
        assertThat(Files.readAllLines(Path.of("/proc/net/tcp6")))
                .anySatisfy(l -> assertThat(l).contains(String.format(Locale.ROOT, "%s:%04X %s:%04X", mapped, cp,
                        mapped, sp)))
                .anySatisfy(l -> assertThat(l).contains(String.format(Locale.ROOT, "%s:%04X %s:%04X", mapped, sp,
                        mapped, cp)));

        client.shutdownOutput();

        assertThat(drainUntil(V4, cp, sp, 2))
                .extracting(StateChange::remoteAddress, StateChange::from, StateChange::to)
                .containsExactly(tuple(V4, ESTABLISHED, FIN_WAIT1), tuple(V4, FIN_WAIT1, FIN_WAIT2));
        assertThat(drainUntil(V4, sp, cp, 1))
                .extracting(StateChange::remoteAddress, StateChange::from, StateChange::to)
                .containsExactly(tuple(V4, ESTABLISHED, CLOSE_WAIT));
    }

    @Test
    void theKernelFilterKeepsListenersAndHandshakesOut() throws IOException {
        feed = StateChangeFeed.open(Path.of("/"));
        Pair open = connect(V4);
        // A later closing connection marks how far the rings have been read: every change of the first
        // connection (CLOSE -> LISTEN, SYN_SENT -> ESTABLISHED, SYN_RECV -> ESTABLISHED) happened before it.
        Pair marker = connect(V4);
        marker.client().shutdownOutput();

        assertThat(drainUntil(V4, marker.clientPort(), marker.serverPort(), 2))
                .extracting(StateChange::from, StateChange::to)
                .containsExactly(tuple(ESTABLISHED, FIN_WAIT1), tuple(FIN_WAIT1, FIN_WAIT2));
        assertThat(seen)
                .noneMatch(c -> c.localPort() == open.serverPort() || c.localPort() == open.clientPort())
                .noneMatch(c -> c.localPort() == marker.serverPort() && c.remotePort() == 0);
    }

    @Test
    void aOnePageRingReadsRecordsThatWrapAroundItsEnd() throws IOException {
        // 4 KiB per CPU: a sample is 96 bytes, so the ring wraps every 43 and records straddle its end at 64 and
        // 32 bytes in. Every change of every connection must come out whole, exactly once.
        feed = StateChangeFeed.open(Path.of("/"), 1);
        int connections = 100;
        List<int[]> ports = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            try (Pair p = connect(V4)) {
                int cp = p.clientPort();
                int sp = p.serverPort();
                ports.add(new int[] {cp, sp});
                p.client().shutdownOutput();
                drainUntil(V4, cp, sp, 2); // closed in FIN_WAIT1 it would take another way
                p.client().close();
                p.accepted().close();
                drainUntil(() -> of(V4, cp, sp).size() >= 4 && of(V4, sp, cp).size() >= 3);
            }
        }
        feed.drain(seen::add);
        for (int[] cs : ports) {
            assertThat(of(V4, cs[0], cs[1])).extracting(StateChange::from, StateChange::to)
                    .containsExactly(tuple(ESTABLISHED, FIN_WAIT1), tuple(FIN_WAIT1, FIN_WAIT2),
                            tuple(FIN_WAIT2, FIN_WAIT2), tuple(FIN_WAIT2, CLOSE));
            assertThat(of(V4, cs[1], cs[0])).extracting(StateChange::from, StateChange::to)
                    .containsExactly(tuple(ESTABLISHED, CLOSE_WAIT), tuple(CLOSE_WAIT, LAST_ACK),
                            tuple(LAST_ACK, CLOSE));
        }
        assertThat(feed.malformedTotal()).isZero();
        assertThat(feed.lostTotal()).isZero();
    }

    @Test
    void aFullRingLosesChangesAndSaysHowMany() throws IOException {
        feed = StateChangeFeed.open(Path.of("/"), 1);
        int connections = 100;
        List<Pair> flood = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Pair p = connect(V4);
            p.client().shutdownOutput();
            flood.add(p);
        }
        long[] lost = {0};
        // The kernel writes its count of lost records into a ring only with the next record it can hold: so
        // each round makes one more change after draining.
        await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
            lost[0] += feed.drain(seen::add).lost();
            try (Pair nudge = connect(V4)) {
                nudge.client().shutdownOutput();
            }
            return lost[0] > 0;
        });

        long ours = seen.stream().filter(c -> flood.stream().anyMatch(p -> c.localPort() == p.clientPort()
                || c.localPort() == p.serverPort() && c.remotePort() == p.clientPort())).count();
        assertThat(ours).as("changes of the flood that arrived").isLessThan(3L * connections);
        assertThat(feed.lostTotal()).isEqualTo(lost[0]);
        assertThat(feed.malformedTotal()).isZero();
    }

    @Test
    void withoutTheCapabilityTheMessageSaysWhatIsNeeded() throws Exception {
        // perf_event_paranoid 2 here: a system-wide event needs CAP_PERFMON or CAP_SYS_ADMIN, which root has and
        // this thread gives up.
        assertThat(Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip()).isNotEqualTo("-1");
        IOException refused = ThreadCaps.withoutCapabilities(() -> {
            try (StateChangeFeed unexpected = StateChangeFeed.open(Path.of("/"))) {
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).startsWith("perf_event_open on tracepoint sock:inet_sock_set_state refused (errno ")
                .endsWith("needs CAP_PERFMON or CAP_SYS_ADMIN, or kernel.perf_event_paranoid <= -1");
    }

    /** As a DaemonSet mounts the node: its /proc and its tracefs under /host, and nothing else of its /sys. */
    @Test
    void aHostRootWithOnlyTracefsUnderItIsEnough(@TempDir Path host) throws IOException {
        Files.createDirectories(host.resolve("sys/kernel"));
        Files.createSymbolicLink(host.resolve("sys/kernel/tracing"), Path.of("/sys/kernel/tracing"));
        try (StateChangeFeed feed = StateChangeFeed.open(host)) {
            assertThat(feed.clock()).isIn("REALTIME", "MONOTONIC");
        }
    }

    @Test
    void withoutTracefsTheMessageNamesWhereItWasLookedFor() {
        assertThatThrownBy(() -> StateChangeFeed.open(Path.of("/nonexistent-root")))
                .isInstanceOf(IOException.class)
                .hasMessage("tracefs is not mounted at "
                        + "/nonexistent-root/sys/kernel/tracing/events/sock/inet_sock_set_state nor at "
                        + "/nonexistent-root/sys/kernel/debug/tracing/events/sock/inet_sock_set_state "
                        + "(or the kernel has no tracepoint sock:inet_sock_set_state); as root: mount -t tracefs "
                        + "nodev /sys/kernel/tracing");
    }

    @Test
    void closeIsIdempotentAndAClosedFeedIsNotRead() throws IOException {
        feed = StateChangeFeed.open(Path.of("/"));
        feed.close();
        feed.close();
        assertThatThrownBy(() -> feed.drain(seen::add)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readsSysfsCpuListsAndKnowsTwoArchitectures() throws IOException {
        Path online = Path.of("online");
        assertThat(StateChangeFeed.onlineCpus("0-1", online)).containsExactly(0, 1);
        assertThat(StateChangeFeed.onlineCpus("0,2-5", online)).containsExactly(0, 2, 3, 4, 5);
        assertThat(StateChangeFeed.onlineCpus("3", online)).containsExactly(3);
        assertThatThrownBy(() -> StateChangeFeed.onlineCpus("0-x", online)).isInstanceOf(IOException.class)
                .hasMessage("online: not a cpu list: 0-x");

        assertThat(StateChangeFeed.perfEventOpenNumber("amd64")).isEqualTo(298);
        assertThat(StateChangeFeed.perfEventOpenNumber("x86_64")).isEqualTo(298);
        assertThat(StateChangeFeed.perfEventOpenNumber("aarch64")).isEqualTo(241);
        assertThatThrownBy(() -> StateChangeFeed.perfEventOpenNumber("riscv64")).isInstanceOf(IOException.class)
                .hasMessageStartingWith("unsupported architecture riscv64");
        assertThatThrownBy(() -> StateChangeFeed.open(Path.of("/"), 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
