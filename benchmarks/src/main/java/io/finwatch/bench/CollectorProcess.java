package io.finwatch.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real collector, started the way a user starts it ({@code ./finwatch collect ...} from the repository root,
 * which builds first if needed), with its output in a log file and its /metrics on a free loopback port.
 */
final class CollectorProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final URI metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread killOnExit;

    private CollectorProcess(Process process, Path log, URI metrics) {
        this.process = process;
        this.log = log;
        this.metrics = metrics;
        // Interrupting the harness must not leave a collector polling in the background.
        this.killOnExit = new Thread(process::destroy, "stop-collector");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code <root>/finwatch collect} polling every {@code interval}, buffering under {@code workDir},
     * with {@code extra} arguments after the others (e.g. {@code --netns NAME}).
     */
    static CollectorProcess launch(Path root, String bootstrapServers, Path workDir, String interval, String... extra)
            throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path log = workDir.resolve("collector.log");
        List<String> command = new ArrayList<>(List.of(root.resolve("finwatch").toString(), "collect",
                "--bootstrap-servers", bootstrapServers,
                "--buffer-dir", workDir.resolve("buffer").toString(),
                "--interval", interval,
                "--metrics", "127.0.0.1:" + port));
        command.addAll(List.of(extra));
        System.out.println("$ " + String.join(" ", command));
        Process p = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new CollectorProcess(p, log, URI.create("http://127.0.0.1:" + port + "/metrics"));
    }

    /** The collector JVM's pid: the launcher execs java, so it is the pid that was started. */
    int pid() {
        return Math.toIntExact(process.pid());
    }

    Optional<String> command() {
        return process.info().command();
    }

    /** Waits until the collector has finished a poll, as its own finwatch_poll_duration_seconds_count says. */
    void awaitFirstPoll(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the collector exited with code " + process.exitValue()
                        + " before its first poll; its log " + log + " ends with:\n" + tail());
            }
            try {
                if (scrape().sum("finwatch_poll_duration_seconds_count").orElse(0) >= 1) {
                    return;
                }
            } catch (ConnectException | HttpTimeoutException notYet) {
                // still building or starting (slowly, on a loaded machine)
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException("no poll within " + timeout + "; the collector log " + log
                + " ends with:\n" + tail());
    }

    MetricsPage scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(metrics + " answered " + r.statusCode());
        }
        return MetricsPage.parse(r.body());
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** Stops the collector with SIGTERM, as an init system would, and reports how it went. */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the collector
        }
        if (!process.isAlive()) {
            System.out.println("collector had already exited with code " + process.exitValue() + "; log:\n" + tail());
            return;
        }
        long start = System.nanoTime();
        process.destroy(); // SIGTERM
        boolean exited;
        try {
            exited = process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new InterruptedIOException("interrupted while the collector was stopping; killed it");
        }
        if (exited) {
            System.out.printf("collector stopped by SIGTERM: exit code %d after %.1f s%n", process.exitValue(),
                    (System.nanoTime() - start) / 1e9);
        } else {
            process.destroyForcibly();
            System.out.println("collector did not stop within 30 s of SIGTERM; killed. Log:\n" + tail());
        }
    }
}
