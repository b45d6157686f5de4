package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The compose trial runs Kafka, streams and a collector set up like the DaemonSet's. */
class ComposeTest {
    private final JsonNode services = Manifests.compose().path("services");

    @Test
    void hasKafkaStreamsAndCollector() {
        assertThat(services.fieldNames()).toIterable().contains("kafka", "streams", "collector");
    }

    @Test
    void kafkaIsASingleKraftNodeWithReplicationFactorOne() {
        JsonNode kafka = services.path("kafka");
        assertThat(kafka.path("image").asText()).isEqualTo("apache/kafka:4.3.1");
        Map<String, String> env = Manifests.stringMap(kafka.path("environment"));
        assertThat(List.of(env.get("KAFKA_PROCESS_ROLES").split(","))).containsExactlyInAnyOrder("broker", "controller");
        assertThat(env).containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .containsKey("CLUSTER_ID");
    }

    @Test
    void collectorHasTheDaemonSetsAccess() {
        JsonNode c = services.path("collector");
        List<String> args = Manifests.strings(c.path("command"));
        assertThat(c.path("pid").asText()).isEqualTo("host");
        assertThat(c.path("network_mode").asText()).isEqualTo("host");
        String procfs = Args.required(args, "--path.procfs", "compose collector");
        assertThat(Manifests.strings(c.path("volumes"))).contains("/proc:" + procfs + ":ro");

        JsonNode dsCaps = Manifests.container(Manifests.one("DaemonSet", "finwatch-collector"), "collector")
                .path("securityContext").path("capabilities");
        assertThat(Manifests.strings(c.path("cap_drop"))).containsExactlyElementsOf(Manifests.strings(dsCaps.path("drop")));
        assertThat(Manifests.strings(c.path("cap_add"))).containsExactlyInAnyOrderElementsOf(Manifests.strings(dsCaps.path("add")));
        assertThat(Manifests.strings(c.path("security_opt"))).contains("apparmor=unconfined");
        assertThat(c.path("read_only").asBoolean()).isTrue();

        String bufferDir = Args.required(args, "--buffer-dir", "compose collector");
        assertThat(Manifests.strings(c.path("volumes"))).anySatisfy(v -> assertThat(v).endsWith(":" + bufferDir));
    }

    @Test
    void streamsPublishesItsHttpPortOnLoopbackAndKeepsStateOnAVolume() {
        JsonNode s = services.path("streams");
        List<String> args = Manifests.strings(s.path("command"));
        int port = Args.port(Args.required(args, "--http", "compose streams"));
        assertThat(Manifests.strings(s.path("ports"))).contains("127.0.0.1:8080:" + port);
        String stateDir = Args.required(args, "--state-dir", "compose streams");
        assertThat(Manifests.strings(s.path("volumes"))).anySatisfy(v -> assertThat(v).endsWith(":" + stateDir));
        assertThat(Manifests.strings(s.path("cap_drop"))).containsExactly("ALL");
    }

    @Test
    void buildsFromTheDockerfilesInThisRepository() {
        for (String name : List.of("streams", "collector")) {
            JsonNode build = services.path(name).path("build");
            assertThat(Files.isRegularFile(Repo.path("docker").resolve(build.path("context").asText())
                    .resolve(build.path("dockerfile").asText()))).as("%s dockerfile", name).isTrue();
        }
    }
}
