package io.finwatch.collector.repro;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Real loopback sockets in the states finwatch cares about, held open by this process.
 *
 * <p>The attached FIN_WAIT2 is the kube-proxy leak: the client called {@code shutdownOutput()} and never
 * {@code close()}, so the socket keeps its inode and no timer ever reaps it. The orphaned one was closed:
 * its inode is 0 and the kernel reaps it after the namespace's {@code tcp_fin_timeout}.
 */
public final class SocketScenario implements AutoCloseable {

    /** One socket the scenario created, described from the side whose state is named. */
    public record Created(String role, int family, InetSocketAddress local, InetSocketAddress remote, String state) {
    }

    private final List<AutoCloseable> held = new ArrayList<>();
    private final List<Created> created = new ArrayList<>();

    public List<Created> created() {
        return created;
    }

    /**
     * Creates, on the loopback address of {@code family}: a listener, an established pair, an attached and an
     * orphaned FIN_WAIT2 (with their CLOSE_WAIT peers) and a TIME_WAIT.
     */
    public static SocketScenario full(int family) throws IOException {
        SocketScenario s = new SocketScenario();
        ServerSocketChannel server = s.listen(family);
        s.established(server, family);
        s.attachedFinWait2(server, family);
        s.orphanedFinWait2(server, family);
        s.timeWait(server, family);
        return s;
    }

    /** Just the two FIN_WAIT2 kinds, which is what {@code finwatch repro} shows a user. */
    public static SocketScenario finWait2Pair(int family) throws IOException {
        SocketScenario s = new SocketScenario();
        ServerSocketChannel server = s.listen(family);
        s.attachedFinWait2(server, family);
        s.orphanedFinWait2(server, family);
        return s;
    }

    public ServerSocketChannel listen(int family) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(protocol(family));
        server.bind(new InetSocketAddress(loopback(family), 0), 64);
        held.add(server);
        created.add(new Created("listener", family, (InetSocketAddress) server.getLocalAddress(), null, "LISTEN"));
        return server;
    }

    public void established(ServerSocketChannel server, int family) throws IOException {
        Pair p = connect(server, family);
        held.add(p.client);
        held.add(p.accepted);
        created.add(describe("established client", family, p.client, "ESTABLISHED"));
        created.add(describe("established server", family, p.accepted, "ESTABLISHED"));
    }

    /** shutdown() without close(): FIN_WAIT2 forever on the client, CLOSE_WAIT on the server. */
    public SocketChannel attachedFinWait2(ServerSocketChannel server, int family) throws IOException {
        Pair p = connect(server, family);
        created.add(describe("attached FIN_WAIT2 (shutdown, never closed)", family, p.client, "FIN_WAIT2"));
        created.add(describe("its peer", family, p.accepted, "CLOSE_WAIT"));
        p.client.shutdownOutput();
        held.add(p.client);
        held.add(p.accepted);
        return p.client;
    }

    /** close() while the peer stays open: an orphan the kernel reaps after tcp_fin_timeout. */
    public void orphanedFinWait2(ServerSocketChannel server, int family) throws IOException {
        Pair p = connect(server, family);
        created.add(describe("orphaned FIN_WAIT2 (closed; the kernel reaps it)", family, p.client, "FIN_WAIT2"));
        created.add(describe("its peer", family, p.accepted, "CLOSE_WAIT"));
        p.client.close();
        held.add(p.accepted);
    }

    /** Both sides closed, client first: the client's end waits in TIME_WAIT. */
    public void timeWait(ServerSocketChannel server, int family) throws IOException {
        Pair p = connect(server, family);
        created.add(describe("closed first", family, p.client, "TIME_WAIT"));
        p.client.close();
        p.accepted.close();
    }

    private record Pair(SocketChannel client, SocketChannel accepted) {
    }

    private static Pair connect(ServerSocketChannel server, int family) throws IOException {
        SocketChannel client = SocketChannel.open(protocol(family));
        client.connect(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        return new Pair(client, accepted);
    }

    private static Created describe(String role, int family, SocketChannel ch, String state) throws IOException {
        return new Created(role, family, (InetSocketAddress) ch.getLocalAddress(),
                (InetSocketAddress) ch.getRemoteAddress(), state);
    }

    private static ProtocolFamily protocol(int family) {
        return family == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    private static InetAddress loopback(int family) throws IOException {
        return InetAddress.getByName(family == 4 ? "127.0.0.1" : "::1");
    }

    @Override
    public void close() {
        for (AutoCloseable c : held) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the process is going away
            }
        }
        held.clear();
    }

    /**
     * Holds a full scenario in v4 and v6 until stdin closes: for tests that run it inside a namespace.
     * Prints one line per socket ({@code role|family|local|remote|state}), then READY.
     */
    public static void main(String[] args) throws Exception {
        try (SocketScenario v4 = full(4); SocketScenario v6 = full(6)) {
            for (SocketScenario s : List.of(v4, v6)) {
                for (Created c : s.created()) {
                    System.out.println(c.role() + "|" + c.family() + "|" + c.local() + "|" + c.remote() + "|" + c.state());
                }
            }
            System.out.println("READY pid=" + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the sockets until the parent closes our stdin or kills us
            }
        }
    }
}
