package io.finwatch.streams.dashboard;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real browser a dashboard test loads the page in: Debian's {@code chromium}, headless, each run with its own
 * profile directory. {@link #dumpDom} returns the DOM after the page's scripts ran for {@code virtualTimeMs} of
 * virtual time (network answers are waited for), so what it shows is what the page rendered from the API.
 */
public final class HeadlessChromium {

    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");

    private final Path binary;
    private final Path work;

    private HeadlessChromium(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /**
     * Fails the calling test, saying how to install Chromium, when there is none on the PATH: a dashboard test that
     * skipped would pass a build that never loaded the page ({@code .ci/run} installs it).
     */
    public static HeadlessChromium require(Path work) {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            throw new AssertionError("no Chromium on the PATH (looked for " + NAMES + "); install it with"
                    + " 'apt-get install -y chromium' (Debian/Ubuntu) to run the dashboard tests");
        }
        return new HeadlessChromium(found.get(), work);
    }

    static Optional<Path> find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : NAMES) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    public String dumpDom(URI page, int virtualTimeMs) throws IOException, InterruptedException {
        Path out = run(page, List.of("--virtual-time-budget=" + virtualTimeMs, "--dump-dom"), "dom");
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    public void screenshot(URI page, Path png, int virtualTimeMs) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(page, List.of("--virtual-time-budget=" + virtualTimeMs, "--window-size=1280,900", "--hide-scrollbars",
                "--screenshot=" + png.toAbsolutePath()), "screenshot");
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new IllegalStateException("chromium wrote no screenshot to " + png + "; see " + work);
        }
    }

    private Path run(URI page, List<String> what, String name) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        Path stdout = work.resolve(name + "-" + profile.getFileName() + ".out");
        Path stderr = work.resolve(name + "-" + profile.getFileName() + ".err");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile));
        cmd.addAll(what);
        cmd.add(page.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("chromium did not finish " + name + " of " + page + " within 120 s; see " + stderr);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chromium exited " + p.exitValue() + " on " + name + " of " + page + ": "
                    + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        return stdout;
    }
}
