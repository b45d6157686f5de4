package io.finwatch.testkit.net;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network test bed of real namespaces, links, routes and nftables rules, for tests that need more than loopback:
 * two "hosts" joined by a veth pair, a router that DNATs a virtual IP to a server as kube-proxy does, a FIN-eating
 * rule. Every namespace is named {@code fwbed-<jvm pid>-<bed id>-<role>}; {@link #close} kills every process in
 * them and deletes them (also from a JVM shutdown hook), and {@link #create} first deletes the namespaces of beds
 * whose JVM is gone (a run killed with kill -9), never those of a live JVM (another test running at the same time).
 *
 * <p>Links are made directly inside their namespaces ({@code ip link add ... netns}), so interface names never meet
 * in the host's namespace and concurrent beds do not collide. Needs root, iproute2, and nftables for the NAT and
 * drop rules.
 *
 * <pre>{@code
 * try (NetBed bed = NetBed.create()) {
 *     Netns client = bed.namespace("client"), router = bed.namespace("router"), server = bed.namespace("server");
 *     bed.link(client, "10.217.1.2/24", router, "10.217.1.1/24");
 *     bed.link(router, "10.217.2.1/24", server, "10.217.2.2/24");
 *     client.route("default", "10.217.1.1");
 *     server.route("default", "10.217.2.1");
 *     router.forwarding();
 *     router.dnat("10.217.99.10", 80, "10.217.2.2", 8080);
 *     Peer s = Peer.server(server, "10.217.2.2", 8080);
 *     Peer c = Peer.client(client, "10.217.99.10", 80);
 *     s.accepted();
 *     s.shutdownOutput();          // server FIN_WAIT2, client CLOSE_WAIT
 * }
 * }</pre>
 */
public final class NetBed implements AutoCloseable {
    static final String PREFIX = "fwbed-";
    private static final Pattern NAME = Pattern.compile("fwbed-(\\d+)-[0-9a-f]+-.*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final List<Netns> namespaces = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private NetBed(String id) {
        this.id = id;
        this.hook = new Thread(this::closeQuietly, "netbed-" + id + "-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** A new, empty bed; first deletes what beds of dead JVMs left behind. */
    public static NetBed create() {
        sweep();
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return new NetBed(HexFormat.of().formatHex(b));
    }

    /** This bed's id: the random part of its namespaces' names. */
    public String id() {
        return id;
    }

    /** A new namespace of this bed, loopback up. {@code role} is a short word (letters, digits). */
    public synchronized Netns namespace(String role) throws IOException {
        if (!role.matches("[a-z0-9]{1,16}")) {
            throw new IllegalArgumentException("role: 1-16 lower-case letters or digits, not '" + role + "'");
        }
        String name = PREFIX + ProcessHandle.current().pid() + "-" + id + "-" + role;
        Cmd.run("ip", "netns", "add", name);
        Netns ns = new Netns(name, role);
        namespaces.add(ns);
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up");
        return ns;
    }

    /**
     * Joins two namespaces with a veth pair, each end named after the other's role ({@code to-<role>}), given its
     * address (CIDR, e.g. {@code 10.217.1.2/24}) and brought up.
     *
     * @return the two interface names, {@code a}'s first
     */
    public List<String> link(Netns a, String addressA, Netns b, String addressB) throws IOException {
        String ifA = ("to-" + b.role());
        String ifB = ("to-" + a.role());
        ifA = ifA.substring(0, Math.min(15, ifA.length()));
        ifB = ifB.substring(0, Math.min(15, ifB.length()));
        Cmd.run("ip", "link", "add", "name", ifA, "netns", a.name(), "type", "veth", "peer", "name", ifB, "netns",
                b.name());
        Cmd.run("ip", "-n", a.name(), "addr", "add", addressA, "dev", ifA);
        Cmd.run("ip", "-n", b.name(), "addr", "add", addressB, "dev", ifB);
        Cmd.run("ip", "-n", a.name(), "link", "set", ifA, "up");
        Cmd.run("ip", "-n", b.name(), "link", "set", ifB, "up");
        return List.of(ifA, ifB);
    }

    /** Deletes one namespace now (its processes killed first), as a vanished host; the rest of the bed stays. */
    public synchronized void delete(Netns ns) {
        ns.killAll();
        Cmd.quietly("ip", "netns", "delete", ns.name());
        namespaces.remove(ns);
    }

    /** Kills every process in the bed's namespaces and deletes them. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Netns ns : namespaces) {
            ns.killAll();
            Cmd.quietly("ip", "netns", "delete", ns.name());
        }
        namespaces.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    private void closeQuietly() {
        close();
    }

    /** Deletes the namespaces of beds whose JVM no longer runs. */
    public static void sweep() {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                Matcher m = NAME.matcher(name);
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    killPidsIn(name);
                    Cmd.quietly("ip", "netns", "delete", name);
                }
            }
        } catch (IOException e) {
            // nothing to sweep
        }
    }

    /** A client, a router that DNATs a virtual IP as kube-proxy does, and the server behind it. */
    public record Dnat(Netns client, Netns router, Netns server) {
    }

    /**
     * Three namespaces named {@code <role>c}, {@code <role>r}, {@code <role>s}... by the given roles: the client on
     * {@code <net>.1.2/24} routed through the router ({@code <net>.1.1}, {@code <net>.2.1}) to the server on
     * {@code <net>.2.2/24}; the router forwards, and DNATs {@code vip:80} to the server's port 8080.
     *
     * @param net the first two octets, e.g. {@code "10.217"}
     */
    public Dnat dnat(String clientRole, String routerRole, String serverRole, String net, String vip) throws IOException {
        Netns client = namespace(clientRole);
        Netns router = namespace(routerRole);
        Netns server = namespace(serverRole);
        link(client, net + ".1.2/24", router, net + ".1.1/24");
        link(router, net + ".2.1/24", server, net + ".2.2/24");
        client.route("default", net + ".1.1");
        server.route("default", net + ".2.1");
        router.forwarding();
        router.dnat(vip, 80, net + ".2.2", 8080);
        return new Dnat(client, router, server);
    }

    static void killPidsIn(String name) {
        for (String line : Cmd.quietly("ip", "netns", "pids", name).split("\n")) {
            String pid = line.strip();
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
