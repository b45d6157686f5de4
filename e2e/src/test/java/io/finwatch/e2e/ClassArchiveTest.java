package io.finwatch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * collector/class-archive, which the launcher runs after a build and the collector image's final stage runs at
 * build time: the archive it writes is loaded by a JVM of the same flags and class path, and supplies the classes
 * a collector reads its tables with (the snapshot command polls every namespace once, as a collector's poll does);
 * a collector that cannot run gives no archive and says why.
 */
class ClassArchiveTest {
    private static final List<String> FLAGS = List.of("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");
    /** -Xlog:class+load: "[info][class,load] io.finwatch.X source: shared objects file (top)" for an archived class. */
    private static final Pattern LOADED = Pattern.compile("\\[class,load\\s*\\] (io\\.finwatch\\.\\S+) source: (.*)$");

    @TempDir
    Path work;

    @BeforeAll
    static void packaged() {
        Launched.requirePackaged("collector");
    }

    @Test
    void theArchiveSuppliesTheClassesOfACollectorsPoll() throws Exception {
        Path archive = work.resolve("collector.jsa");
        Result written = run(script(archive, classPath()));
        assertThat(written.exit()).as(written.output()).isZero();
        assertThat(archive).isRegularFile();

        Path log = work.resolve("class-load.log");
        List<String> snapshot = new ArrayList<>(List.of(java()));
        snapshot.addAll(FLAGS);
        snapshot.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info:file=" + log,
                "-cp", classPath(), "io.finwatch.collector.cli.CollectorMain", "snapshot"));
        Result polled = run(snapshot);
        assertThat(polled.exit()).as(polled.output()).isZero();

        long archived = 0;
        List<String> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = LOADED.matcher(line);
            if (m.find()) {
                if (m.group(2).startsWith("shared objects file")) {
                    archived++;
                } else if (m.group(2).startsWith("file:") || m.group(2).startsWith("jar:")) {
                    // Read from the class path; lambdas and proxies, generated at run time, come from no file.
                    parsed.add(m.group(1));
                }
            }
        }
        assertThat(archived).as("finwatch classes mapped from the archive").isGreaterThan(50);
        assertThat(parsed).as("finwatch classes the snapshot had to parse from the jar").hasSizeLessThan((int) (archived / 10));
    }

    @Test
    void aCollectorThatCannotStartLeavesNoArchiveAndSaysWhy() throws Exception {
        Path archive = work.resolve("collector.jsa");
        Result r = run(script(archive, work.resolve("no-such.jar").toString()));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("class-archive: no usable archive").contains("io.finwatch.collector.cli.CollectorMain");
        assertThat(archive).doesNotExist();
    }

    private static List<String> script(Path archive, String classPath) {
        List<String> cmd = new ArrayList<>(List.of(Launched.ROOT.resolve("collector/class-archive").toString(), archive.toString(), classPath));
        cmd.addAll(FLAGS);
        return cmd;
    }

    private static String classPath() {
        Path target = Launched.ROOT.resolve("collector/target");
        return target.resolve("finwatch-collector.jar") + ":" + target.resolve("lib") + "/*";
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Result(int exit, String output) {
    }

    private Result run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "out", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not end within 2 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out));
    }
}
