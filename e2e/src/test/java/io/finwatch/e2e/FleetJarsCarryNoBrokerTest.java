package io.finwatch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a fleet host runs (the collector's and the streams app's jar and lib/, as the launcher and the images ship
 * them) never carries a Kafka broker; only the local module does. Checks the packaged class files, so a broker that
 * sneaks in transitively is caught as surely as one added to a pom.
 */
class FleetJarsCarryNoBrokerTest {
    /** Classes that only a broker or controller has: the server, the controller, the Raft log, the log layer. */
    private static final Set<String> BROKER_CLASSES = Set.of(
            "kafka/server/KafkaRaftServer.class",
            "kafka/server/BrokerServer.class",
            "org/apache/kafka/controller/QuorumController.class",
            "org/apache/kafka/raft/KafkaRaftClient.class",
            "org/apache/kafka/storage/internals/log/UnifiedLog.class");

    @BeforeAll
    static void packaged() {
        Launched.requirePackaged("collector", "streams", "local");
    }

    @Test
    void collectorAndStreamsShipNoBrokerClasses() throws IOException {
        assertThat(brokerClassesIn("collector")).isEmpty();
        assertThat(brokerClassesIn("streams")).isEmpty();
    }

    @Test
    void theCheckFindsTheBrokerThatLocalDoesShip() throws IOException {
        assertThat(brokerClassesIn("local")).anyMatch(s -> s.contains("KafkaRaftServer"));
    }

    /** Every broker class found in the module's jar and lib/, as "jar!entry". */
    private static List<String> brokerClassesIn(String module) throws IOException {
        Path target = Launched.ROOT.resolve(module).resolve("target");
        List<Path> jars = new ArrayList<>(List.of(target.resolve("finwatch-" + module + ".jar")));
        try (Stream<Path> lib = Files.list(target.resolve("lib"))) {
            lib.filter(p -> p.toString().endsWith(".jar")).forEach(jars::add);
        }
        List<String> found = new ArrayList<>();
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (String cls : BROKER_CLASSES) {
                    if (zip.getEntry(cls) != null) {
                        found.add(jar.getFileName() + "!" + cls);
                    }
                }
            }
        }
        return found;
    }
}
