package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JVM-wide opt-in, checked in a fresh JVM so no other test sees the changed validator. */
class GeneratedClassTrustTest {

    @Test
    void installingTrustsOurClassesAndNothingElse(@TempDir Path dir) throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("probe.log");
        Process probe = new ProcessBuilder(java.toString(), "-cp", classpath, GeneratedClassTrustProbe.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = probe.waitFor(2, TimeUnit.MINUTES);
        if (!exited) {
            probe.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exited).as("probe did not exit: %s", output).isTrue();

        assertThat(output).as(output).contains(List.of(
                "OK copy builder before install",
                "OK installed once",
                "OK copy builder after install",
                "OK generated decoder after install",
                "OK stock deepCopy after install",
                "OK other classes stay refused"));
        assertThat(probe.exitValue()).as(output).isZero();
    }
}
