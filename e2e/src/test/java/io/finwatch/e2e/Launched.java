package io.finwatch.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code ./finwatch} command run the way a user runs it: the launcher script in the project root, as its own
 * process. Its stdout lines are kept with the instant each was read; stderr goes to a log file for diagnosis.
 *
 * <p>{@code FINWATCH_REBUILD=0}: the launcher runs the jars the Maven reactor packaged before the e2e module and
 * never starts a build of its own inside a test.
 */
final class Launched implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    record Line(Instant at, String text) {
    }

    private final Process process;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Path stderr;

    private Launched(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(new Line(Instant.now(), l));
                }
            } catch (IOException closed) {
                // the process ended
            }
        }, "stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Fails with the reason when a module's jar is missing: these tests need {@code mvn verify}, not just {@code test}. */
    static void requirePackaged(String... modules) {
        for (String m : modules) {
            Path jar = ROOT.resolve(m).resolve("target/finwatch-" + m + ".jar");
            if (!Files.isRegularFile(jar) || !Files.isDirectory(ROOT.resolve(m).resolve("target/lib"))) {
                throw new IllegalStateException(jar + " (and its lib/) is missing: the e2e tests run ./finwatch, which needs "
                        + "the packaged jars; run 'mvn -B verify' (or -pl e2e -am verify)");
            }
        }
    }

    static Launched start(String name, Map<String, String> env, String... args) throws IOException {
        // A JVM whose SIGINT was ignored when it started (Maven run in the background of a script) ignores Ctrl-C;
        // these tests send SIGINT as a terminal would, so the launched command starts with the default disposition.
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT"));
        cmd.add(ROOT.resolve("finwatch").toString());
        cmd.addAll(List.of(args));
        Path logs = Files.createDirectories(Path.of("target/child-logs"));
        Path err = logs.resolve(name + ".stderr.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(err.toFile()));
        pb.environment().put("FINWATCH_REBUILD", "0");
        pb.environment().putAll(env);
        return new Launched(pb.start(), err);
    }

    long pid() {
        return process.pid();
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    Optional<Line> line(Predicate<String> p) {
        return lines.stream().filter(l -> p.test(l.text())).findFirst();
    }

    String stdout() {
        return String.join("\n", lines.stream().map(Line::text).toList());
    }

    String stderr() throws IOException {
        return Files.exists(stderr) ? Files.readString(stderr) : "";
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** @return the exit code, or empty if it did not exit within {@code timeout} */
    Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue()) : Optional.empty();
    }

    /** kill -9 of the process and everything it started. */
    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
