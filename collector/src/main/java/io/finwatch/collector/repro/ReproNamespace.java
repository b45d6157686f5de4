package io.finwatch.collector.repro;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A named network namespace for {@code finwatch repro --netns}, made and removed with iproute2 ({@code ip netns}):
 * loopback up and its own {@code tcp_fin_timeout}, so the repro's orphan is reaped in seconds without touching the
 * host's setting. The name carries the pid of the repro that made it, so a namespace left behind by a repro that
 * was killed with -9 is recognised and removed by the next one.
 */
public final class ReproNamespace implements AutoCloseable {
    static final String PREFIX = "finwatch-repro-";

    private final String name;

    private ReproNamespace(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** @throws IOException naming the failed {@code ip} command and its output; nothing is left behind then */
    public static ReproNamespace create(int finTimeoutS) throws IOException, InterruptedException {
        ReproNamespace ns = new ReproNamespace(PREFIX + ProcessHandle.current().pid());
        ip("netns", "add", ns.name);
        try {
            ip("-n", ns.name, "link", "set", "lo", "up");
            ip("netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=" + finTimeoutS);
        } catch (IOException | InterruptedException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The command that runs {@code command} inside the namespace. */
    public List<String> exec(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(command);
        return cmd;
    }

    /** Deletes namespaces of earlier repros whose process is gone (killed with -9, so no cleanup ran). */
    public static void removeLeftovers(PrintStream out) throws IOException, InterruptedException {
        for (String line : ip("netns", "list").split("\n")) {
            String ns = line.trim().split("\\s+")[0];
            Optional<Long> pid = ownerPid(ns);
            if (pid.isPresent() && !isRepro(pid.get())) {
                ip("netns", "delete", ns);
                out.println("finwatch repro: removed namespace " + ns + ", left behind by a repro that was killed");
            }
        }
    }

    static Optional<Long> ownerPid(String namespace) {
        if (!namespace.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(namespace.substring(PREFIX.length())));
        } catch (NumberFormatException notOurs) {
            return Optional.empty();
        }
    }

    /** The pid may have been reused by now: only a live repro keeps its namespace. */
    private static boolean isRepro(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().commandLine())
                .map(cmd -> cmd.contains("CollectorMain") && cmd.contains("repro")).orElse(false);
    }

    /** Deletes the namespace; its sockets go once the last process inside it has exited. */
    @Override
    public void close() throws IOException, InterruptedException {
        ip("netns", "delete", name);
    }

    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run 'ip' (iproute2 is needed for --netns): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within 30 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
        }
        return out;
    }
}
