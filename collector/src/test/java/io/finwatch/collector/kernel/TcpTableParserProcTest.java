package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Finds this JVM's own loopback sockets in the real /proc/self/net/tcp and tcp6. */
class TcpTableParserProcTest {
    private static final long LOOPBACK_V4 = 0x7F00_0001L;
    private static final long LOOPBACK_MAPPED = 0xffffL << 32 | LOOPBACK_V4;
    private static final Pattern NS_INODE = Pattern.compile("net:\\[(\\d+)]");
    private static final Pattern SOCKET_INODE = Pattern.compile("socket:\\[(\\d+)]");

    private final Procfs procfs = Procfs.system();

    @Test
    void ipv4ChannelsAppearInTcpWithTheirPortsStatesAndInodes() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(any);
             SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            client.connect(listener.getLocalAddress());
            try (SocketChannel server = listener.accept()) {
                int listenPort = port(listener.getLocalAddress());
                int clientPort = port(client.getLocalAddress());
                assertThat(port(server.getRemoteAddress())).isEqualTo(clientPort);
                Set<Long> ownInodes = ownSocketInodes();

                List<SocketRow> rows = parse(4);
                assertThat(rows).allSatisfy(r -> assertThat(r.key().netns()).isEqualTo(netns()));
                assertAttached(find(rows, 4, LOOPBACK_V4, listenPort, 0, 0), TcpState.LISTEN, ownInodes);
                assertAttached(find(rows, 4, LOOPBACK_V4, clientPort, LOOPBACK_V4, listenPort),
                        TcpState.ESTABLISHED, ownInodes);
                assertAttached(find(rows, 4, LOOPBACK_V4, listenPort, LOOPBACK_V4, clientPort),
                        TcpState.ESTABLISHED, ownInodes);
            }
        }
    }

    /** Dual-stack channels are IPv6 sockets: ::ffff:127.0.0.1 in tcp6, or tcp under preferIPv4Stack. */
    @Test
    void defaultChannelsAppearAsIpv4MappedInTcp6() throws IOException {
        boolean v4Stack = Boolean.getBoolean("java.net.preferIPv4Stack");
        int family = v4Stack ? 4 : 6;
        long address = v4Stack ? LOOPBACK_V4 : LOOPBACK_MAPPED;
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(loopback);
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel server = listener.accept()) {
            int listenPort = port(listener.getLocalAddress());
            int clientPort = port(client.getLocalAddress());
            assertThat(port(server.getRemoteAddress())).isEqualTo(clientPort);
            Set<Long> ownInodes = ownSocketInodes();

            List<SocketRow> rows = parse(family);
            SocketRow listening = find(rows, family, address, listenPort, 0, 0);
            assertAttached(listening, TcpState.LISTEN, ownInodes);
            assertAttached(find(rows, family, address, clientPort, address, listenPort), TcpState.ESTABLISHED,
                    ownInodes);
            assertAttached(find(rows, family, address, listenPort, address, clientPort), TcpState.ESTABLISHED,
                    ownInodes);
            if (!v4Stack) {
                assertThat(listening.key().localIp()).isEqualTo("::ffff:127.0.0.1");
            }
        }
    }

    /**
     * shutdownOutput() without close() is the leak: FIN_WAIT2 attached to its process, the peer in CLOSE_WAIT.
     * Closing it orphans it: inode 0 and the kernel's FIN_WAIT2 timer (a timewait socket when
     * tcp_fin_timeout is at most 60 s, else the keepalive timer of the full socket).
     */
    @Test
    void finWait2IsSeenAttachedThenOrphaned() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(any)) {
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            client.connect(listener.getLocalAddress());
            try (client; SocketChannel server = listener.accept()) {
                int listenPort = port(listener.getLocalAddress());
                int clientPort = port(client.getLocalAddress());
                assertThat(port(server.getRemoteAddress())).isEqualTo(clientPort);
                client.shutdownOutput();

                SocketRow attached = await().atMost(Duration.ofSeconds(10)).until(
                        () -> findOptional(parse(4), 4, LOOPBACK_V4, clientPort, LOOPBACK_V4, listenPort),
                        r -> r.isPresent() && r.get().state() == TcpState.FIN_WAIT2).orElseThrow();
                assertAttached(attached, TcpState.FIN_WAIT2, ownSocketInodes());
                assertThat(find(parse(4), 4, LOOPBACK_V4, listenPort, LOOPBACK_V4, clientPort).state())
                        .isEqualTo(TcpState.CLOSE_WAIT);

                client.close();
                int finTimeoutS = Integer.parseInt(
                        Procfs.readSmall(procfs.sysctl("net.ipv4.tcp_fin_timeout")).strip());
                SocketRow orphan = await().atMost(Duration.ofSeconds(10)).until(
                        () -> find(parse(4), 4, LOOPBACK_V4, clientPort, LOOPBACK_V4, listenPort),
                        SocketRow::orphaned);
                assertThat(orphan.state()).isEqualTo(TcpState.FIN_WAIT2);
                assertThat(orphan.timer()).isEqualTo(finTimeoutS <= 60 ? TimerKind.TIMEWAIT : TimerKind.KEEPALIVE);
                assertThat(orphan.timerMs()).isPositive().isLessThanOrEqualTo(finTimeoutS * 1000L);
            }
        }
    }

    private List<SocketRow> parse(int family) throws IOException {
        Path file = procfs.self("net", family == 4 ? "tcp" : "tcp6");
        List<SocketRow> rows = new ArrayList<>();
        List<ParseError> errors = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            TcpTableParser.parse(in, file.toString(), netns(), family, rows::add, errors::add);
        }
        assertThat(errors).as("errors in the real %s", file).isEmpty();
        return rows;
    }

    private void assertAttached(SocketRow row, TcpState state, Set<Long> ownInodes) {
        assertThat(row.state()).isEqualTo(state);
        assertThat(row.inode()).isNotZero().isIn(ownInodes);
        assertThat(row.uid()).isEqualTo(ownUid());
    }

    private static SocketRow find(List<SocketRow> rows, int family, long local, int localPort, long remote,
                                  int remotePort) {
        SocketKey wanted = new SocketKey(0, family, 0, local, localPort, 0, remote, remotePort, 0);
        return findOptional(rows, family, local, localPort, remote, remotePort)
                .orElseThrow(() -> new AssertionError("no row for " + wanted + " in " + rows));
    }

    private static Optional<SocketRow> findOptional(List<SocketRow> rows, int family, long local, int localPort,
                                                    long remote, int remotePort) {
        return rows.stream().filter(r -> {
            SocketKey k = r.key();
            return k.family() == family && k.localHi() == 0 && k.localLo() == local && k.localPort() == localPort
                    && k.remoteHi() == 0 && k.remoteLo() == remote && k.remotePort() == remotePort;
        }).findFirst();
    }

    /** The inodes behind this process's socket file descriptors. */
    private Set<Long> ownSocketInodes() throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(procfs.self("fd"))) {
            for (Path fd : fds) {
                try {
                    Matcher m = SOCKET_INODE.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(Long.parseLong(m.group(1)));
                    }
                } catch (IOException closedMeanwhile) {
                    // the directory stream's own fd, or one closed by another thread
                }
            }
        }
        return inodes;
    }

    private long netns() throws IOException {
        Matcher m = NS_INODE.matcher(Files.readSymbolicLink(procfs.self("ns", "net")).toString());
        assertThat(m.matches()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** /proc/self belongs to the process's effective uid. */
    private int ownUid() {
        try {
            return (Integer) Files.getAttribute(procfs.self(), "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int port(SocketAddress a) {
        return ((InetSocketAddress) a).getPort();
    }
}
