package io.finwatch.collector.cli;

import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.repro.ReproNamespace;
import io.finwatch.collector.repro.ReproReport;
import io.finwatch.collector.repro.SocketScenario;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finwatch repro}: real FIN_WAIT_2 sockets, one leaking and one not, to watch finwatch tell them apart. */
@Command(name = "repro", mixinStandardHelpOptions = true,
        description = "Creates, on loopback, an attached FIN_WAIT_2 socket (shutdown() without close(): the kube-proxy "
                + "leak, never reaped) and an orphaned one (closed: the kernel reaps it after tcp_fin_timeout), explains "
                + "them, and holds them until Ctrl-C. With --netns (root) they live in a fresh network namespace with a "
                + "short tcp_fin_timeout, so the leak is reported within seconds.")
public final class ReproCommand implements Callable<Integer> {
    private static final Duration DEFAULT_NETNS_FIN_TIMEOUT = Duration.ofSeconds(5);

    @Option(names = "--netns",
            description = "Run the sockets in a new network namespace (needs root) whose tcp_fin_timeout is --fin-timeout.")
    boolean netns;

    @Option(names = "--fin-timeout", paramLabel = "DURATION",
            description = "tcp_fin_timeout of the --netns namespace, whole seconds (default: 5s). Without --netns the "
                    + "host's value applies.")
    Duration finTimeout;

    /** Set on the copy of this command that runs inside the namespace: it names the namespace in its report. */
    @Option(names = "--inside-namespace", hidden = true)
    String insideNamespace;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (netns) {
            return runInNamespace(out);
        }
        if (finTimeout != null && insideNamespace == null) {
            throw new IllegalArgumentException("--fin-timeout needs --netns: the host's tcp_fin_timeout ("
                    + finTimeoutHere() + " s) applies to every socket on this host and is left alone");
        }
        return holdSockets(out, insideNamespace);
    }

    /** Creates the sockets in this process and holds them until a signal. */
    private static int holdSockets(PrintStream out, String namespace) throws IOException, InterruptedException {
        int fin = finTimeoutHere();
        SocketScenario sockets = SocketScenario.finWait2Pair(4);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sockets.close();
            out.println("finwatch repro: sockets closed (the attached one goes away now; finwatch reports it RESOLVED)");
            out.flush();
            closed.countDown();
        }, "finwatch-repro-close"));
        out.println(ReproReport.describe(sockets.created(), ProcessHandle.current().pid(), namespace, fin));
        out.flush();
        if (namespace != null) {
            exitWhenParentGoes();
        }
        closed.await();
        return 0;
    }

    /**
     * Inside the namespace our stdin is a pipe from the repro that made it: end of file means that repro is gone
     * (even killed with -9), and so must this copy be, or it would hold the sockets in a namespace nobody deletes.
     */
    private static void exitWhenParentGoes() {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent; only the end matters
                }
            } catch (IOException gone) {
                // same as end of file
            }
            System.exit(0);
        }, "finwatch-repro-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /** Makes the namespace, runs a copy of this command inside it, and deletes the namespace when either ends. */
    private int runInNamespace(PrintStream out) throws Exception {
        requireRoot();
        Duration fin = finTimeout == null ? DEFAULT_NETNS_FIN_TIMEOUT : finTimeout;
        if (fin.toMillis() % 1000 != 0 || fin.toSeconds() < 1 || fin.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--fin-timeout must be a whole number of seconds, at least 1s, not " + fin);
        }
        ReproNamespace.removeLeftovers(out);
        ReproNamespace ns = ReproNamespace.create((int) fin.toSeconds());
        out.println("finwatch repro: created network namespace " + ns.name() + " (loopback up, tcp_fin_timeout "
                + fin.toSeconds() + " s); the sockets are made by a process inside it");
        out.flush();
        Process inside;
        try {
            // stdin stays a pipe from us: the copy exits when it closes (see exitWhenParentGoes).
            inside = new ProcessBuilder(ns.exec(selfCommand(ns.name())))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            ns.close();
            throw e;
        }
        // Ctrl-C reaches both processes; SIGTERM or kill of this one alone must still end the copy and the namespace.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            inside.destroy();
            try {
                if (!inside.waitFor(10, TimeUnit.SECONDS)) {
                    inside.destroyForcibly().waitFor();
                }
                ns.close();
                out.println("finwatch repro: namespace " + ns.name() + " deleted");
            } catch (IOException | InterruptedException e) {
                System.err.println("finwatch repro: could not delete namespace " + ns.name() + " (" + e.getMessage()
                        + "); remove it with: ip netns delete " + ns.name());
            }
            out.flush();
        }, "finwatch-repro-netns"));
        return inside.waitFor();
    }

    /** This JVM's command line (flags and class path), running {@code repro} inside the namespace. */
    private static List<String> selfCommand(String namespace) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CollectorMain.class.getName(),
                "repro", "--inside-namespace", namespace));
        return cmd;
    }

    private static void requireRoot() throws IOException {
        String status = Procfs.readSmall(Procfs.system().self("status"));
        for (String line : status == null ? new String[0] : status.split("\n")) {
            // Uid: real effective saved fs
            if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                throw new IllegalStateException("--netns needs root (making a network namespace needs CAP_SYS_ADMIN): "
                        + "run 'sudo ./finwatch repro --netns', or leave out --netns to use this host's namespace");
            }
        }
    }

    /** The calling thread's namespace answers: the host's, or the namespace's inside it. */
    private static int finTimeoutHere() throws IOException {
        String v = Procfs.readSmall(Procfs.system().sysctl("net.ipv4.tcp_fin_timeout"));
        if (v == null || v.isBlank()) {
            throw new IOException("cannot read " + Procfs.system().sysctl("net.ipv4.tcp_fin_timeout"));
        }
        return Integer.parseInt(v.trim());
    }
}
