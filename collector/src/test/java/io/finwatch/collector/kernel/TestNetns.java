package io.finwatch.collector.kernel;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real network namespace made with {@code ip netns add} under a unique name, with processes started
 * inside it. {@link #close()} kills those processes and deletes the namespace.
 */
public final class TestNetns implements AutoCloseable {
    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private TestNetns(String name) {
        this.name = name;
    }

    public static TestNetns create() throws IOException, InterruptedException {
        String name = "fwtest-" + UUID.randomUUID().toString().substring(0, 8);
        run("ip", "netns", "add", name);
        return new TestNetns(name);
    }

    public String name() {
        return name;
    }

    public void sysctl(String key, String value) throws IOException, InterruptedException {
        run("ip", "netns", "exec", name, "sysctl", "-q", "-w", key + "=" + value);
    }

    /**
     * Starts {@code sleep} inside the namespace and waits until the kernel shows it there
     * ({@code ip netns exec} joins the namespace before it execs the command).
     */
    public Process startSleeper() throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", name, "sleep", "300")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        long own = netnsOf(ProcessHandle.current().pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long ns = netnsOf(p.pid());
            return ns != 0 && ns != own;
        });
        return p;
    }

    /** The namespace inode of a process in the real /proc, 0 when it cannot be read. */
    public static long netnsOf(long pid) {
        try {
            return NetnsScanner.readNetns(Path.of("/proc", Long.toString(pid), "ns", "net"));
        } catch (IOException e) {
            return 0;
        }
    }

    public static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor();
        }
        run("ip", "netns", "delete", name);
        if (Files.exists(Path.of("/run/netns", name))) {
            throw new IOException("namespace " + name + " still present after delete");
        }
    }
}
