package io.finwatch.bench;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.NetnsScanner;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.track.HostState;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.collector.track.PollResult;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * Full poll against the cost of merely reading the same /proc files, on the real socket table of this host.
 *
 * <pre>
 *   ../shared/tools/socket-load start 200000 20 fwload     # 200k real sockets in their own namespace
 *   ./bench/run poll [iterations]                           # this harness
 *   ../shared/tools/socket-load stop fwload
 * </pre>
 *
 * <p>Each round reads every namespace's tcp and tcp6 (the anchor), then polls without attribution, then with
 * it (a steady-state poll: the same poller, so only new inodes are looked up), in that order, so drift in
 * the machine's load hits all three alike. Reports medians and the ratios to the anchor, and the heap in use
 * with the poller's state (two tables at the moment of the diff) after a full GC. The pollers read through the
 * collector's default source (netlink sock_diag); SOURCE=procfs in the environment makes them read the same
 * files as the anchor.
 */
public final class PollHarness {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("narrowed")) {
            NarrowedPollHarness.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("heap")) {
            heap(args.length > 1 ? Integer.parseInt(args[1]) : 5);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Procfs procfs = Procfs.system();
        byte[] buf = new byte[256 * 1024];

        SocketSource.Kind source = source(procfs);
        System.out.println("pollers read through " + source + " (SOURCE=procfs|netlink to choose)");
        try (Poller plain = new Poller(procfs, false, source);
             Poller attributed = new Poller(procfs, true, source)) {
            // Warm-up: JIT, the fin-timeout cache, and the attribution cache's first full scan.
            long firstAttributed = 0;
            for (int i = 0; i < 3; i++) {
                plain.poll();
                long t = System.nanoTime();
                attributed.poll();
                if (i == 0) {
                    firstAttributed = System.nanoTime() - t;
                }
                readAll(procfs, buf);
            }
            long[] read = new long[rounds];
            long[] poll = new long[rounds];
            long[] pollOwners = new long[rounds];
            int sockets = 0;
            long bytes = 0;
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                bytes = readAll(procfs, buf);
                long t1 = System.nanoTime();
                PollResult r = plain.poll();
                long t2 = System.nanoTime();
                attributed.poll();
                long t3 = System.nanoTime();
                read[i] = t1 - t0;
                poll[i] = t2 - t1;
                pollOwners[i] = t3 - t2;
                sockets = r.table().size();
            }
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heap = mem.getHeapMemoryUsage().getUsed();

            double a = median(read);
            System.out.printf("sockets=%d bytes=%d rounds=%d max-heap=%dMB%n", sockets, bytes, rounds,
                    Runtime.getRuntime().maxMemory() >> 20);
            System.out.printf("read only (anchor)        median %8.1f ms%n", a / 1e6);
            System.out.printf("poll, no attribution      median %8.1f ms  ratio %.3f%n", median(poll) / 1e6, median(poll) / a);
            System.out.printf("poll, with attribution    median %8.1f ms  ratio %.3f%n", median(pollOwners) / 1e6, median(pollOwners) / a);
            System.out.printf("first poll with attribution (cold fd scan) %8.1f ms  ratio %.3f%n", firstAttributed / 1e6, firstAttributed / a);
            System.out.printf("heap used after GC with both pollers' state: %d MB%n", heap >> 20);
        }
    }

    /**
     * The collector's own configuration (one poller, with attribution) polling repeatedly in this JVM's heap
     * (run it with -Xmx128m: finishing at all proves the budget); prints the heap in use after a full GC with the
     * poller's state alive, and the peak seen after each poll.
     */
    static void heap(int polls) throws IOException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long peak = 0;
        int sockets = 0;
        try (Poller poller = new Poller(Procfs.system(), true, source(Procfs.system()))) {
            for (int i = 0; i < polls; i++) {
                PollResult r = poller.poll();
                sockets = r.table().size();
                peak = Math.max(peak, mem.getHeapMemoryUsage().getUsed());
            }
            System.gc();
            long live = mem.getHeapMemoryUsage().getUsed();
            System.out.printf("sockets=%d polls=%d max-heap=%dMB live-after-gc=%dMB peak-used=%dMB%n", sockets, polls,
                    Runtime.getRuntime().maxMemory() >> 20, live >> 20, peak >> 20);
        }
    }

    /** The collector's poll: the host read, then applied to what the collector knows of it. */
    private static final class Poller implements AutoCloseable {
        private final HostReader host;
        private final HostState state;

        Poller(Procfs procfs, boolean attribution, SocketSource.Kind source) {
            host = HostReader.open(procfs, source);
            state = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), host.finTimeouts(),
                    attribution ? host.processes() : null);
        }

        PollResult poll() throws IOException {
            return state.apply(host.read(state.nextRead()));
        }

        @Override
        public void close() {
            host.close();
        }
    }

    private static SocketSource.Kind source(Procfs procfs) {
        String chosen = System.getenv("SOURCE");
        return chosen == null ? SocketSource.Kind.defaultFor(procfs) : SocketSource.Kind.valueOf(chosen.toUpperCase());
    }

    /** Reads every namespace's tables once, as the poller would, and discards the bytes. */
    static long readAll(Procfs procfs, byte[] buf) throws IOException {
        NamespaceSet set = new NetnsScanner(procfs).scan();
        long total = 0;
        for (NetNamespace ns : set.namespaces()) {
            for (String f : List.of("tcp", "tcp6")) {
                total += drain(procfs.pid(ns.representativePid(), "net", f), buf);
            }
        }
        return total;
    }

    private static long drain(Path file, byte[] buf) throws IOException {
        long n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
            }
        } catch (NoSuchFileException gone) {
            return 0;
        }
        return n;
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private PollHarness() {
    }

}
