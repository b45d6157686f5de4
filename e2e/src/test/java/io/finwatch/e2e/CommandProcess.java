package io.finwatch.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A finwatch command ({@code CollectorMain collect ...}, {@code StreamsMain streams ...}) in its own JVM with this
 * JVM's class path and Chronicle flags, as an operator runs it: its own environment, its stdout and stderr in files.
 */
final class CommandProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CommandProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code main} with {@code args}; {@code logs/<name>.out} and {@code logs/<name>.log} receive its output. */
    static CommandProcess start(Class<?> main, Path logs, String name, Map<String, String> env, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.to(err.toFile()));
        pb.environment().putAll(env);
        return new CommandProcess(pb.start(), out, err);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or an AssertionError with the log when it still runs after {@code limit}. */
    int awaitExit(Duration limit) throws InterruptedException, IOException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + limit + "; its log:\n" + log());
        }
        return process.exitValue();
    }

    String stdout() throws IOException {
        return Files.readString(stdout);
    }

    /** What it logged (stderr) so far. */
    String log() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
