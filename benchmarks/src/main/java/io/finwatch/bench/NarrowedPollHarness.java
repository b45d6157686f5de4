package io.finwatch.bench;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.track.HostState;
import io.finwatch.collector.track.PollResult;
import io.finwatch.testkit.bench.Machine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A poll between whole reads (every namespace read unsettled-only, as the daemon polls 9 times out of 10) and a
 * whole poll, of one namespace, against the kernel-filtered dump of the same namespace that any tool pays:
 * {@code ss -tan state fin-wait-2} run inside it (fork and exec included).
 *
 * <pre>
 *   ../shared/tools/socket-load start 200000 20 fwload
 *   ./bench/run poll narrowed [rounds]        # NETNS=fwload by default
 * </pre>
 *
 * <p>WHOLE=0 leaves the whole polls out (to profile the narrowed ones alone). Rounds alternate the order of anchor
 * and polls. Prints each round, the medians with min–max, the CPU and the
 * allocation of the poll thread per poll, and the load average before and after.
 */
final class NarrowedPollHarness {
    private NarrowedPollHarness() {
    }

    static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String netns = System.getenv().getOrDefault("NETNS", "fwload");
        boolean wholeToo = !"0".equals(System.getenv("WHOLE"));
        Procfs procfs = Procfs.system();
        System.out.println("this machine: " + Machine.describe());
        System.out.println("load average before: " + loadAverage());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        try (HostReader host = HostReader.open(procfs, SocketSource.Kind.defaultFor(procfs),
                NetnsSelection.of(List.of(netns), null));
             HostReader wholeHost = HostReader.open(procfs, SocketSource.Kind.defaultFor(procfs),
                     NetnsSelection.of(List.of(netns), null))) {
            HostState narrowed = new HostState(Clock.systemUTC(),
                    HostState.Settings.defaults().withWholeReadEvery(Duration.ofDays(1)), host.finTimeouts(),
                    host.processes());
            HostState whole = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), wholeHost.finTimeouts(),
                    wholeHost.processes());
            int sockets = 0;
            for (int i = 0; i < 5; i++) {
                sockets = poll(host, narrowed).table().size();
                poll(wholeHost, whole);
                anchor(netns);
            }
            long[] anchor = new long[rounds];
            long[] narrow = new long[rounds];
            long[] full = new long[rounds];
            long[] narrowCpu = new long[rounds];
            long[] narrowAlloc = new long[rounds];
            System.out.println("round   ss filtered ms   narrowed poll ms  ratio   (cpu ms, alloc MB)   whole poll ms");
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    anchor[r] = anchor(netns);
                }
                long cpu0 = threads.getThreadCpuTime(self);
                long alloc0 = threads.getThreadAllocatedBytes(self);
                long t0 = System.nanoTime();
                PollResult p = poll(host, narrowed);
                narrow[r] = System.nanoTime() - t0;
                narrowCpu[r] = threads.getThreadCpuTime(self) - cpu0;
                narrowAlloc[r] = threads.getThreadAllocatedBytes(self) - alloc0;
                if (!p.unsettledOnly().isEmpty() && p.table().size() < sockets / 2) {
                    System.out.println("WARNING: the table shrank to " + p.table().size());
                }
                if (r % 2 == 1) {
                    anchor[r] = anchor(netns);
                }
                long t1 = System.nanoTime();
                if (wholeToo) {
                    poll(wholeHost, whole);
                }
                full[r] = System.nanoTime() - t1;
                System.out.printf("%5d  %15.1f  %17.1f  %5.2f  (%6.1f, %6.1f)  %14.1f%n", r + 1, anchor[r] / 1e6,
                        narrow[r] / 1e6, (double) narrow[r] / anchor[r], narrowCpu[r] / 1e6, narrowAlloc[r] / 1e6,
                        full[r] / 1e6);
            }
            double a = PollHarness.median(anchor);
            System.out.printf("sockets=%d netns=%s rounds=%d max-heap=%dMB%n", sockets, netns, rounds,
                    Runtime.getRuntime().maxMemory() >> 20);
            System.out.printf("ss -tan state fin-wait-2 (anchor)  median %7.1f ms  (%s)%n", a / 1e6, range(anchor));
            System.out.printf("narrowed poll                      median %7.1f ms  (%s)  ratio %.2f%n",
                    PollHarness.median(narrow) / 1e6, range(narrow), PollHarness.median(narrow) / a);
            System.out.printf("  its thread CPU per poll median %.1f ms, allocation median %.1f MB%n",
                    PollHarness.median(narrowCpu) / 1e6, PollHarness.median(narrowAlloc) / 1e6);
            System.out.printf("whole poll                         median %7.1f ms  (%s)  ratio %.2f%n",
                    PollHarness.median(full) / 1e6, range(full), PollHarness.median(full) / a);
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static PollResult poll(HostReader host, HostState state) throws IOException {
        return state.apply(host.read(state.nextRead()));
    }

    /** Wall time of the filtered dump inside the namespace, as a person would run it. */
    private static long anchor(String netns) throws IOException, InterruptedException {
        long t = System.nanoTime();
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "ss", "-tan", "state", "fin-wait-2")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        if (p.waitFor() != 0) {
            throw new IOException("ss in " + netns + " exited with " + p.exitValue());
        }
        return System.nanoTime() - t;
    }

    private static String range(long[] v) {
        return String.format("%.1f–%.1f", Arrays.stream(v).min().orElse(0) / 1e6, Arrays.stream(v).max().orElse(0) / 1e6);
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
