package io.finwatch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command says the version it was built as: the packaged jars carry it in their manifests (the collector
 * also puts it in every heartbeat, which the API's hosts list shows), and a subcommand's --version is its root's.
 */
class LauncherVersionTest {

    @BeforeAll
    static void packaged() {
        Launched.requirePackaged("collector", "streams", "local");
    }

    @ParameterizedTest
    @ValueSource(strings = {"collect", "snapshot", "streams", "query", "local"})
    void eachCommandPrintsTheProjectsVersion(String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Launched.ROOT.resolve("finwatch").toString(), command, "--version").redirectErrorStream(true);
        pb.environment().put("FINWATCH_REBUILD", "0");
        pb.environment().put("FINWATCH_CLASS_ARCHIVE", "0");
        Process p = pb.start();
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).as("./finwatch %s --version ended", command).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo("finwatch " + projectVersion());
    }

    private static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>finwatch-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Launched.ROOT.resolve("pom.xml")));
        assertThat(m.find()).as("the project version in pom.xml").isTrue();
        return m.group(1);
    }
}
