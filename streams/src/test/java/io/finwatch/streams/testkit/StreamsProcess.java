package io.finwatch.streams.testkit;

import io.finwatch.streams.cli.StreamsMain;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The streams application as a separate JVM ({@code StreamsMain streams ...} on the test class path), so a
 * test can kill it with SIGKILL the way a machine loses a process: no shutdown hook, no final commit.
 */
public final class StreamsProcess implements AutoCloseable {

    private final Process process;

    private StreamsProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code StreamsMain} with the arguments; its output is appended to {@code log}. */
    public static StreamsProcess start(List<String> args, Path log) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath, StreamsMain.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new StreamsProcess(pb.start());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until it is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM (a clean stop: the shutdown hook closes Streams); returns the exit code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("process " + process.pid() + " did not stop within 90 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
