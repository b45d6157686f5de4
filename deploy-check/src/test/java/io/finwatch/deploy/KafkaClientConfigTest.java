package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.collector.publish.ProducerSettings;
import io.finwatch.deploy.Manifests.K8sObject;
import io.finwatch.streams.config.KafkaStreamsProperties;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shared client.properties, with the Secret's files where each workload mounts them, gives the real Kafka
 * clients that workload's own SCRAM credentials: the config provider, the Secret keys and the mount paths agree.
 */
class KafkaClientConfigTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"DaemonSet,finwatch-collector,collector,--kafka-config", "StatefulSet,finwatch-streams,streams,--streams-config"})
    void credentialsResolveFromTheMountedSecret(String kind, String name, String containerName, String option,
                                                @TempDir Path tmp) throws IOException {
        K8sObject workload = Manifests.one(kind, name);
        JsonNode container = Manifests.container(workload, containerName);
        String file = Args.required(Manifests.strings(container.path("args")), option, workload.toString());
        Path dir = Path.of(file).getParent();
        JsonNode configMapVolume = Manifests.volume(workload, Manifests.volumeMount(container, dir.toString()).path("name").asText());
        String text = configMap(configMapVolume.path("configMap").path("name").asText())
                .path("data").path(Path.of(file).getFileName().toString()).asText();
        assertThat(text).as("%s in the ConfigMap", file).isNotBlank();

        // The credentials volume: the one Secret volume the container mounts.
        String credentialsMount = null;
        JsonNode secretVolume = null;
        for (JsonNode v : Manifests.podSpec(workload).path("volumes")) {
            for (JsonNode m : container.path("volumeMounts")) {
                if (v.has("secret") && m.path("name").asText().equals(v.path("name").asText())) {
                    credentialsMount = m.path("mountPath").asText();
                    secretVolume = v.path("secret");
                }
            }
        }
        assertThat(credentialsMount).as("a Secret mounted in %s", workload).isNotNull();
        assertThat(text).contains(credentialsMount + ":username", credentialsMount + ":password");

        // Lay out the Secret's files as the kubelet would, in a temporary directory standing for the mount.
        Map<String, String> secret = Manifests.stringMap(
                Manifests.one("Secret", secretVolume.path("secretName").asText()).node().path("stringData"));
        Map<String, String> expected = new TreeMap<>();
        for (JsonNode item : secretVolume.path("items")) {
            String value = secret.get(item.path("key").asText());
            assertThat(value).as("Secret key %s", item.path("key").asText()).isNotNull();
            Files.writeString(tmp.resolve(item.path("path").asText()), value);
            expected.put(item.path("path").asText(), value);
        }
        Properties props = new Properties();
        props.load(new StringReader(text.replace(credentialsMount, tmp.toString())));

        String jaas = kind.equals("DaemonSet") ? producerJaas(props) : streamsJaas(props);
        assertThat(jaas).contains("username=\"" + expected.get("username") + "\"",
                "password=\"" + expected.get("password") + "\"");
    }

    private static String producerJaas(Properties user) {
        ProducerConfig config = new ProducerConfig(ProducerSettings.build("localhost:9092", user));
        return config.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value();
    }

    private static String streamsJaas(Properties file) {
        Map<String, String> fromFile = new TreeMap<>();
        file.stringPropertyNames().forEach(n -> fromFile.put(n, file.getProperty(n)));
        Properties p = KafkaStreamsProperties.assemble(fromFile, "client.properties", Map.of(),
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092", StreamsConfig.APPLICATION_ID_CONFIG, "t"));
        Object jaas = new StreamsConfig(p).getMainConsumerConfigs("t", "c", 0).get(SaslConfigs.SASL_JAAS_CONFIG);
        return jaas instanceof Password pw ? pw.value() : String.valueOf(jaas);
    }

    private static JsonNode configMap(String name) {
        return Manifests.one("ConfigMap", name).node();
    }
}
