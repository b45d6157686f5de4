package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.Shutdown;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.collector.track.ReapTime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's facts about closing sockets, read through sock_diag from real sockets in a namespace of their own
 * (made on a setns thread, so the test records shutdown() and close() on the collector's clock).
 */
class KernelTimesTest {
    /** One jiffy at HZ 100, the coarsest: ages are whole jiffies. */
    private static final long TICK_MS = 10;

    private TestNetns netns;
    private NetNamespace ns;
    private Path nsLink;
    private final NetnsThread inside = new NetnsThread("test-in-netns");
    private SockDiagReader reader;
    private final List<AutoCloseable> sockets = new ArrayList<>();
    /** When the last {@link #row} read began. */
    private long readStartedMs;

    @BeforeEach
    void namespace() throws Exception {
        netns = TestNetns.create();
        TestNetns.run("ip", "-n", netns.name(), "link", "set", "lo", "up");
        Process sleeper = netns.startSleeper();
        long inode = TestNetns.netnsOf(sleeper.pid());
        ns = new NetNamespace(inode, (int) sleeper.pid(), List.of((int) sleeper.pid()));
        nsLink = Path.of("/proc", Long.toString(sleeper.pid()), "ns", "net");
        reader = new SockDiagReader(Procfs.system());
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : sockets) {
            c.close();
        }
        reader.close();
        inside.close();
        netns.close();
    }

    /**
     * shutdown(SHUT_WR) on a connection that carried no data: the FIN is acknowledged at once, so FIN_WAIT2 and
     * CLOSE_WAIT both begin within a tick of the call, and a read long after still says so.
     */
    @Test
    void shutdownWithoutCloseIsReadWithTheKernelsTimeOnBothEnds() throws Exception {
        Pair p = connect();
        // The rule trusts a socket's last ACK only once its connection is older than an RTO (docs/events.md):
        // the scenario is a connection that was quiet before it was shut down.
        Thread.sleep(600);
        long[] shut = inside.call(nsLink, ns.inode(), () -> {
            long before = System.currentTimeMillis();
            p.client.shutdownOutput();
            return new long[] {before, System.currentTimeMillis()};
        });
        // Read well after the shutdown: the time must come from the kernel, not from the read.
        Thread.sleep(1_000);

        List<SocketRow> read = await().atMost(Duration.ofSeconds(10)).until(this::rows,
                rows -> find(rows, p.clientPort, TcpState.FIN_WAIT2).isPresent()
                        && find(rows, p.serverPort, TcpState.CLOSE_WAIT).isPresent());
        SocketRow client = find(read, p.clientPort, TcpState.FIN_WAIT2).orElseThrow();
        SocketRow server = find(read, p.serverPort, TcpState.CLOSE_WAIT).orElseThrow();

        // Within a tick of the call, widened only by what this machine's scheduler adds to the measurement: the
        // time shutdown() itself took, and how long after the kernel filled the datagram its stamp was taken
        // (the read began at readStartedMs; on a quiet machine both are under a millisecond).
        long late = TICK_MS + (shut[1] - shut[0]) + (Math.max(client.readAtMs(), server.readAtMs()) - readStartedMs);
        assertThat(client.shutdown()).isEqualTo(Shutdown.WR);
        assertThat(client.sinceKernel()).as("%s", client).isTrue();
        assertThat(client.stateSinceMs()).isBetween(shut[0] - TICK_MS, shut[0] + late);
        assertThat(server.shutdown()).isEqualTo(Shutdown.RD);
        assertThat(server.rxQueue()).as("the unread FIN").isEqualTo(1);
        assertThat(server.sinceKernel()).as("%s", server).isTrue();
        assertThat(server.stateSinceMs()).isBetween(shut[0] - TICK_MS, shut[0] + late);
    }

    /** An orphan in a namespace with tcp_fin_timeout=1: reap_at_ms is when it disappears, within 100 ms. */
    @Test
    void anOrphansReapTimeIsWhenTheKernelReapsIt() throws Exception {
        netns.sysctl("net.ipv4.tcp_fin_timeout", "1");
        Pair p = connect();
        inside.call(nsLink, ns.inode(), () -> {
            p.client.close();
            return null;
        });
        SocketRow orphan = await().atMost(Duration.ofSeconds(5))
                .until(() -> row(p.clientPort, TcpState.FIN_WAIT2), Optional::isPresent).get();
        Long reapAt = ReapTime.reapAtMs(orphan, 0, 1);
        assertThat(reapAt).as("%s", orphan).isNotNull();

        long lastSeen = System.currentTimeMillis();
        long goneAt;
        while (true) {
            long before = System.currentTimeMillis();
            if (row(p.clientPort, TcpState.FIN_WAIT2).isEmpty()) {
                goneAt = (lastSeen + before) / 2;
                break;
            }
            lastSeen = before;
            assertThat(before).as("still there 3 s after its reap time").isLessThan(reapAt + 3_000);
        }
        // The kernel never reaps before the timer; its wheel rounds a 1 s timer up by at most 32 ms at HZ 250.
        assertThat(goneAt - reapAt).as("reaped %d ms after reap_at_ms (last seen %d ms before)", goneAt - reapAt,
                goneAt - lastSeen).isBetween(-TICK_MS - (goneAt - lastSeen), 100L);
    }

    private record Pair(SocketChannel client, SocketChannel accepted, int clientPort, int serverPort) {
    }

    private Pair connect() throws IOException {
        return inside.call(nsLink, ns.inode(), () -> {
            ServerSocketChannel listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            SocketChannel accepted = listener.accept();
            sockets.add(listener);
            sockets.add(client);
            sockets.add(accepted);
            return new Pair(client, accepted, ((InetSocketAddress) client.getLocalAddress()).getPort(),
                    ((InetSocketAddress) listener.getLocalAddress()).getPort());
        });
    }

    /** The socket in {@code state} whose local port is {@code port}, read now. */
    private Optional<SocketRow> row(int port, TcpState state) throws IOException {
        return find(rows(), port, state);
    }

    /** Every socket of the namespace, read now. */
    private List<SocketRow> rows() throws IOException {
        List<SocketRow> rows = new ArrayList<>();
        List<ParseError> errors = new ArrayList<>();
        readStartedMs = System.currentTimeMillis();
        reader.read(ns, -1, rows::add, errors::add);
        assertThat(errors).isEmpty();
        return rows;
    }

    private static Optional<SocketRow> find(List<SocketRow> rows, int port, TcpState state) {
        return rows.stream().filter(r -> r.key().localPort() == port && r.state() == state).findFirst();
    }
}
