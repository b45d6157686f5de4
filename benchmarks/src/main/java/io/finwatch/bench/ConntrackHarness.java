package io.finwatch.bench;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.track.ConntrackStats;
import io.finwatch.collector.track.HostState;
import io.finwatch.collector.track.PollResult;
import io.finwatch.testkit.net.NetBed;
import io.finwatch.testkit.net.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What conntrack lookups add to a poll, at a steady churn of closing connections through a DNAT router.
 *
 * <pre>
 *   ./bench/run conntrack [connections per second] [rounds]     # defaults 200 30
 * </pre>
 *
 * <p>Builds a test bed (testkit {@link NetBed}): a client namespace reaches a server namespace through a router
 * that DNATs a virtual IP to the server, as kube-proxy does. {@link ChurnMain} opens and closes connections to the
 * virtual IP at the given rate, so every poll finds that many new closing sockets at each end (and about 60 times
 * as many client sockets in TIME_WAIT in the table). Two pollers watch client and server with the router as their
 * host namespace, one with conntrack lookups and one without (the anchor); each round polls both, alternating which
 * goes first, one second apart, so both see a second's churn and the machine's drift hits both alike. Reports the
 * median poll-thread CPU time (user + system, where the kernel answers the lookups) and wall time of each, their
 * ratio, the lookups per poll, and the load average.
 */
public final class ConntrackHarness {
    private ConntrackHarness() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (NetBed bed = NetBed.create()) {
            NetBed.Dnat nat = bed.dnat("client", "router", "server", "10.217", "10.217.99.10");
            Netns client = nat.client();
            Netns router = nat.router();
            Netns server = nat.server();
            client.sysctl("net.ipv4.ip_local_port_range", "10000 65000");
            start(server, "listening", "server", "10.217.2.2", "8080");
            start(client, "churning", "client", "10.217.99.10", "80", Integer.toString(rate));

            NetnsSelection watched = NetnsSelection.of(List.of(client.name(), server.name()), router.name());
            try (Poller on = new Poller(watched, true); Poller off = new Poller(watched, false)) {
                System.out.printf("churn %d connections/s through DNAT; %d rounds after 10 s of warm-up%n", rate, rounds);
                long warmUpEnd = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < warmUpEnd) {
                    on.poll(cpu);
                    off.poll(cpu);
                    Thread.sleep(500);
                }
                on.reset();
                off.reset();
                for (int r = 0; r < rounds; r++) {
                    Poller first = r % 2 == 0 ? on : off;
                    Poller second = first == on ? off : on;
                    first.poll(cpu);
                    Thread.sleep(500);
                    second.poll(cpu);
                    Thread.sleep(500);
                }
                double cpuOn = median(on.cpuNanos);
                double cpuOff = median(off.cpuNanos);
                double wallOn = median(on.wallNanos);
                double wallOff = median(off.wallNanos);
                ConntrackStats stats = on.last.conntrack().stats();
                System.out.printf("table: %d sockets; changes per poll (median): %.0f%n", on.last.table().size(),
                        median(on.changes));
                System.out.printf("lookups on:  cpu %.2f ms, wall %.2f ms per poll; lookups per poll %.0f "
                                + "(found %d, translated %d, denied %d, errors %d in all)%n", cpuOn / 1e6,
                        wallOn / 1e6, (double) (stats.lookups() - on.lookupsAtReset) / rounds, stats.found(),
                        stats.translated(), stats.denied(), stats.errors());
                System.out.printf("lookups off: cpu %.2f ms, wall %.2f ms per poll%n", cpuOff / 1e6, wallOff / 1e6);
                System.out.printf("ratio on/off: cpu %.2f, wall %.2f%n", cpuOn / cpuOff, wallOn / wallOff);
                System.out.printf("load average: %s", Files.readString(Path.of("/proc/loadavg")));
            }
        }
    }

    private static void start(Netns ns, String ready, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), java,
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ChurnMain.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!ready.equals(line)) {
            p.destroyForcibly();
            throw new IOException("churn " + args[0] + " did not start: " + line);
        }
        // The bed kills every process in its namespaces when it closes.
    }

    private static double median(List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    private static final class Poller implements AutoCloseable {
        private final HostReader host;
        private final HostState state;
        final List<Long> cpuNanos = new ArrayList<>();
        final List<Long> wallNanos = new ArrayList<>();
        final List<Long> changes = new ArrayList<>();
        PollResult last;
        long lookupsAtReset;

        Poller(NetnsSelection watched, boolean conntrack) {
            host = HostReader.open(Procfs.system(), SocketSource.Kind.NETLINK, watched);
            state = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), host.finTimeouts(), null,
                    conntrack ? host.conntrack() : null, host.addresses());
        }

        void poll(ThreadMXBean cpu) throws IOException {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            last = state.apply(host.read(state.nextRead()));
            wallNanos.add(System.nanoTime() - t0);
            cpuNanos.add(cpu.getCurrentThreadCpuTime() - c0);
            changes.add((long) last.changes().size());
        }

        void reset() {
            cpuNanos.clear();
            wallNanos.clear();
            changes.clear();
            lookupsAtReset = last.conntrack().stats().lookups();
        }

        @Override
        public void close() {
            host.close();
        }
    }
}
