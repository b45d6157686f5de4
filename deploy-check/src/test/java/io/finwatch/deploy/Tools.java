package io.finwatch.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools these checks run as a user would (kubectl, promtool, openssl). A missing tool fails the
 * check with the way to get it; it never skips.
 */
final class Tools {
    private Tools() {
    }

    record Result(int exit, String stdout, String stderr) {
    }

    /** Runs {@code command}; throws when its program is not installed or it runs longer than a minute. */
    static Result run(String howToInstall, String... command) {
        try {
            Path out = Files.createTempFile("deploy-check-", ".out");
            Path err = Files.createTempFile("deploy-check-", ".err");
            try {
                Process p;
                try {
                    p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                } catch (IOException notFound) {
                    throw new AssertionError(command[0] + " is not installed (" + notFound.getMessage() + "): " + howToInstall);
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** As {@link #run}, and fails with the tool's own output unless it exits 0. */
    static String ok(String howToInstall, String... command) {
        Result r = run(howToInstall, command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ":\n" + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    static final String KUBECTL = "deploy-check renders the overlays with `kubectl kustomize`, which needs kubectl 1.21 or "
            + "later for kustomize components (checked with 1.32; Debian's kubernetes-client package is older): install kubectl "
            + "from the Kubernetes project";
    static final String PROMTOOL = "the alert rules are checked with promtool, from Debian's prometheus package "
            + "(apt-get install --no-install-recommends prometheus; .ci/run installs it)";
    static final String OPENSSL = "the kafka-tls check makes its certificates with openssl (apt-get install openssl; "
            + ".ci/run installs it)";
}
