package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.MutableClock;
import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A state whose entry the socket's own tcp_info does not tell takes the time the kernel announced it: a real
 * loopback connection whose peer stopped reading, so that its FIN waits behind unacknowledged data and the socket
 * stays in FIN_WAIT1 after shutdown(). Without the state-change feed that state would be timed by the poll
 * (here a clock far from the real one).
 */
class AnnouncedEntryTest {
    /** The feed's times are CLOCK_MONOTONIC plus an offset taken at open: the wall clock may slew a little since. */
    private static final long SLACK_MS = 5;

    @Test
    void aSocketHeldInFinWait1TakesTheKernelsTimeOfEnteringIt() throws Exception {
        MutableClock pollClock = new MutableClock(Instant.parse("2026-11-22T00:00:00Z"));
        try (ServerSocketChannel listener = ServerSocketChannel.open();
             HostReader reader = HostReader.open(Procfs.system(), SocketSource.Kind.NETLINK, NetnsSelection.all(),
                     false, true)) {
            assertThat(reader.feed()).as(reader.feedProblem()).isNotNull();
            listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                 SocketChannel server = listener.accept()) {
                client.configureBlocking(false);
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                // The peer never reads: fill its receive buffer and our send buffer, so data stays unacknowledged.
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    chunk.clear();
                    return client.write(chunk) == 0;
                });
                HostState state = new HostState(pollClock, HostState.Settings.defaults()
                        .withWholeReadEvery(Duration.ofHours(1)), reader.finTimeouts(), null);
                state.apply(reader.read(state.nextRead()));
                int port = ((InetSocketAddress) client.getLocalAddress()).getPort();

                long before = System.currentTimeMillis();
                client.shutdownOutput();
                long after = System.currentTimeMillis();
                SocketRow[] row = new SocketRow[1];
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    pollClock.advance(Duration.ofSeconds(1));
                    PollResult p = state.apply(reader.read(state.nextRead()));
                    row[0] = p.table().rows().stream().filter(r -> r.key().localPort() == port
                            && r.key().remotePort() == server.socket().getLocalPort()).findFirst().orElse(null);
                    return row[0] != null && row[0].state() == TcpState.FIN_WAIT1;
                });
                assertThat(row[0].sinceKernel()).isTrue();
                assertThat(row[0].stateSinceMs()).isBetween(before - SLACK_MS, after + SLACK_MS);
            }
        }
    }
}
