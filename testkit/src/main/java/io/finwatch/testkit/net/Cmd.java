package io.finwatch.testkit.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a tool (ip, nft, sysctl, conntrack) to its end and returns its output; a failure names the command. */
final class Cmd {
    private static final long TIMEOUT_SECONDS = 30;

    private Cmd() {
    }

    static String run(String... command) throws IOException {
        return run(null, List.of(command));
    }

    /** Runs {@code command} with {@code stdin} written to its standard input (null: none). */
    static String run(String stdin, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no end after " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.strip());
        }
        return out;
    }

    /** As {@link #run(String...)}, but a failure is only returned, for cleanup that must go on. */
    static String quietly(String... command) {
        try {
            return run(command);
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
