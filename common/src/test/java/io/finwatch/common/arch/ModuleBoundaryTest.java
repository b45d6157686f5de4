package io.finwatch.common.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What runs on a fleet host must not drag in what runs elsewhere: the collector never refers to the streams
 * app or the all-in-one module (which carries a broker), and so on. Maven's dependency graph already stops
 * most of this at compile time; this also catches a fully qualified reference and a dependency added to a pom.
 */
class ModuleBoundaryTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** module -> packages of other modules its main code must never mention. */
    private static final Map<String, Set<String>> FORBIDDEN = Map.of(
            "schemas", Set.of("io.finwatch.common", "io.finwatch.collector", "io.finwatch.streams", "io.finwatch.local"),
            "common", Set.of("io.finwatch.collector", "io.finwatch.streams", "io.finwatch.local"),
            "collector", Set.of("io.finwatch.streams", "io.finwatch.local"),
            "streams", Set.of("io.finwatch.collector", "io.finwatch.local"));

    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.finwatch\\.[a-z]+)\\.");

    @Test
    void mainCodeOfEachModuleStaysInsideItsBoundary() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : FORBIDDEN.entrySet()) {
            Path src = ROOT.resolve(e.getKey()).resolve("src/main/java");
            assertThat(src).as("module sources").isDirectory();
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        Matcher m = REFERENCE.matcher(lines.get(i));
                        while (m.find()) {
                            if (e.getValue().contains(m.group(1))) {
                                violations.add(ROOT.relativize(f) + ":" + (i + 1) + " refers to " + m.group(1));
                            }
                        }
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void fleetModulesNeverDependOnABrokerOrTheAllInOneModule() throws IOException {
        for (String module : List.of("collector", "streams")) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            // Test-scoped brokers are fine; anything else would ship a broker to every host.
            String runtime = pom.replaceAll("(?s)<dependency>(?:(?!</dependency>).)*<scope>test</scope>(?:(?!</dependency>).)*</dependency>", "")
                    .replaceAll("(?s)<dependency><groupId>[^<]*</groupId><artifactId>[^<]*</artifactId><scope>test</scope></dependency>", "");
            assertThat(runtime).as(module + "/pom.xml runtime dependencies")
                    .doesNotContain("<artifactId>kafka_2.13</artifactId>")
                    .doesNotContain("<artifactId>kafka-server</artifactId>")
                    .doesNotContain("kafka-test-common-runtime")
                    .doesNotContain("<artifactId>finwatch-testkit</artifactId>")
                    .doesNotContain("<artifactId>finwatch-local</artifactId>");
        }
    }
}
