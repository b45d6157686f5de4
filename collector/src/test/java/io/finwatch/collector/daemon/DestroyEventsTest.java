package io.finwatch.collector.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.buffer.BufferReader;
import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.StoredEvent;
import io.finwatch.collector.events.EventFactory;
import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.NetnsThread;
import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.kernel.TestNetns;
import io.finwatch.collector.track.HostState;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TransitionSource;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's destroy notifications through the real poll loop into the buffer, on real sockets in a namespace of
 * their own (tcp_fin_timeout 1): a connection that lived and died between two polls is reported, seen only at
 * destruction, and a polled socket's end carries the time it ended, not the next poll's.
 */
class DestroyEventsTest {
    /** How late a notification may be read on a loaded machine: the kernel sends it within a millisecond. */
    private static final long RECEIPT_SLACK_MS = 50;

    @TempDir
    Path dir;
    private TestNetns netns;
    private long inode;
    private Path nsLink;
    private final NetnsThread inside = new NetnsThread("test-in-netns");
    private final List<AutoCloseable> sockets = new ArrayList<>();

    @BeforeEach
    void namespace() throws Exception {
        netns = TestNetns.create();
        TestNetns.run("ip", "-n", netns.name(), "link", "set", "lo", "up");
        netns.sysctl("net.ipv4.tcp_fin_timeout", "1");
        Process sleeper = netns.startSleeper();
        inode = TestNetns.netnsOf(sleeper.pid());
        nsLink = Path.of("/proc", Long.toString(sleeper.pid()), "ns", "net");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : sockets) {
            c.close();
        }
        inside.close();
        netns.close();
    }

    @Test
    void aShortConnectionIsReportedAndAPolledSocketsEndIsTimedByTheKernel() throws Exception {
        Clock clock = Clock.systemUTC();
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir.resolve("buffer")));
             BufferReader reader = buffer.openReader("test");
             HostReader host = HostReader.open(Procfs.system(), SocketSource.Kind.NETLINK, NetnsSelection.all(), true)) {
            HostState state = new HostState(clock, HostState.Settings.defaults(), host.finTimeouts(), null);
            PollLoop loop = new PollLoop(host, state, new EventFactory("test-host", "test-1"),
                    FinwatchSerde.shared(), buffer, () -> { }, new CollectorMetrics(new SimpleMeterRegistry()), clock,
                    5_000, 64L << 20, "test");

            ServerSocketChannel listener = inside.call(nsLink, inode, () -> {
                ServerSocketChannel l = ServerSocketChannel.open();
                l.bind(new InetSocketAddress("127.0.0.1", 0));
                return l;
            });
            sockets.add(listener);
            int listenPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            SocketChannel[] polled = connect(listener);
            loop.tick();
            assertThat(transitions(reader)).as("the first poll").anySatisfy(t -> {
                assertThat(t.getLocalPort()).isEqualTo(listenPort);
                assertThat(t.getToState()).isEqualTo(TcpState.ESTABLISHED);
            });

            // Four full sockets end below: both ends of the short connection, and both polled ends.
            long base = host.destroys().notifications();
            // Opened and closed between two polls: the client closes first (it lives on in TIME_WAIT, which the
            // next poll sees), the server's end is freed and gone before any poll.
            long[] shortLived = inside.call(nsLink, inode, () -> {
                long opened = System.currentTimeMillis();
                SocketChannel[] c = connectHere(listener);
                int port = ((InetSocketAddress) c[0].getLocalAddress()).getPort();
                c[0].close();
                c[1].close();
                return new long[] {opened, System.currentTimeMillis(), port};
            });
            assertThat(shortLived[1] - shortLived[0]).as("the connection's life, ms").isLessThan(100);
            int shortClientPort = (int) shortLived[2];

            // The polled connection ends: the client closes (its full socket becomes a TIME_WAIT minisocket once
            // the server's FIN comes), then the server closes its CLOSE_WAIT end.
            int polledClientPort = ((InetSocketAddress) polled[1].getRemoteAddress()).getPort();
            long[] serverClose = inside.call(nsLink, inode, () -> {
                polled[0].close();
                long before = System.currentTimeMillis();
                polled[1].close();
                return new long[] {before, System.currentTimeMillis()};
            });

            await().atMost(Duration.ofSeconds(10)).until(() -> host.destroys().notifications() >= base + 4);
            loop.tick();
            List<SocketTransition> second = transitions(reader);

            assertThat(second).as("the short connection's server end (open %d, closed %d)", shortLived[0],
                            shortLived[1]).anySatisfy(t -> {
                assertThat(t.getLocalPort()).isEqualTo(listenPort);
                assertThat(t.getRemotePort()).isEqualTo(shortClientPort);
                assertThat(t.getSeenOnlyAtDestruction()).isTrue();
                assertThat(t.getSource()).isEqualTo(TransitionSource.DESTROY);
                assertThat(t.getFromState()).isEqualTo(TcpState.CLOSE);
                assertThat(t.getToState()).isEqualTo(TcpState.GONE);
                assertThat(t.getObservedAt().toEpochMilli())
                        .isBetween(shortLived[0], shortLived[1] + RECEIPT_SLACK_MS);
            });
            assertThat(second).as("the short connection's client end, in TIME_WAIT").anySatisfy(t -> {
                assertThat(t.getLocalPort()).isEqualTo(shortClientPort);
                assertThat(t.getToState()).isEqualTo(TcpState.TIME_WAIT);
                assertThat(t.getSource()).isEqualTo(TransitionSource.POLL);
                assertThat(t.getSeenOnlyAtDestruction()).isFalse();
            });
            assertThat(second).as("the polled server end (closing %d to %d)", serverClose[0], serverClose[1]).anySatisfy(t -> {
                assertThat(t.getLocalPort()).isEqualTo(listenPort);
                assertThat(t.getRemotePort()).isEqualTo(polledClientPort);
                assertThat(t.getFromState()).isEqualTo(TcpState.ESTABLISHED);
                assertThat(t.getToState()).isEqualTo(TcpState.GONE);
                assertThat(t.getSource()).isEqualTo(TransitionSource.DESTROY);
                assertThat(t.getSeenOnlyAtDestruction()).isFalse();
                assertThat(t.getObservedAt().toEpochMilli())
                        .isBetween(serverClose[0], serverClose[1] + RECEIPT_SLACK_MS);
            });
            assertThat(second).as("the polled client end lives on as a minisocket, which polling follows")
                    .anySatisfy(t -> {
                        assertThat(t.getLocalPort()).isEqualTo(polledClientPort);
                        assertThat(t.getToState()).isEqualTo(TcpState.TIME_WAIT);
                        assertThat(t.getSource()).isEqualTo(TransitionSource.POLL);
                    })
                    .noneSatisfy(t -> {
                        assertThat(t.getLocalPort()).isEqualTo(polledClientPort);
                        assertThat(t.getToState()).isEqualTo(TcpState.GONE);
                    });
        }
    }

    /** A connection to {@code listener} inside the namespace: client, accepted. */
    private SocketChannel[] connect(ServerSocketChannel listener) throws java.io.IOException {
        return inside.call(nsLink, inode, () -> connectHere(listener));
    }

    /** As {@link #connect}, on the thread already inside the namespace. */
    private SocketChannel[] connectHere(ServerSocketChannel listener) throws java.io.IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel accepted = listener.accept();
        sockets.add(client);
        sockets.add(accepted);
        return new SocketChannel[] {client, accepted};
    }

    /** The transitions of the test's namespace one tick appended, up to its heartbeat. */
    private List<SocketTransition> transitions(BufferReader reader) {
        List<SocketTransition> out = new ArrayList<>();
        for (StoredEvent e = reader.next(); e != null; e = reader.next()) {
            SpecificRecord r = FinwatchSerde.shared().decodeAny(e.event().payload());
            if (!(r instanceof SocketTransition t)) {
                return out;
            }
            if (t.getNetns() == inode) {
                out.add(t);
            }
        }
        throw new AssertionError("the tick appended no heartbeat");
    }
}
