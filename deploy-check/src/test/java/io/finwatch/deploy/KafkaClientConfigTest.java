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
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * In every overlay, the shared client.properties, with the Secret's files where each workload mounts them, gives the
 * real Kafka clients that workload's own credentials: its SCRAM user (the SASL_SSL overlays), or its client
 * certificate and the brokers' CA (kafka-tls). The config provider, the Secret keys and the mount paths agree.
 */
class KafkaClientConfigTest {

    static Stream<Arguments> workloads() {
        List<Arguments> out = new ArrayList<>();
        for (Overlay overlay : Overlay.values()) {
            out.add(Arguments.of(overlay, "DaemonSet", "finwatch-collector", "collector", "--kafka-config"));
            out.add(Arguments.of(overlay, "StatefulSet", "finwatch-streams", "streams", "--streams-config"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {3}")
    @MethodSource("workloads")
    void credentialsResolveFromTheMountedSecret(Overlay overlay, String kind, String name, String containerName, String option,
                                                @TempDir Path tmp) throws Exception {
        K8sObject workload = overlay.one(kind, name);
        JsonNode container = Manifests.container(workload, containerName);
        String file = Args.required(Manifests.strings(container.path("args")), option, workload.toString());
        Path dir = Path.of(file).getParent();
        JsonNode configMapVolume = Manifests.volume(workload, Manifests.volumeMount(container, dir.toString()).path("name").asText());
        String text = overlay.one("ConfigMap", configMapVolume.path("configMap").path("name").asText()).node()
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
        K8sObject secret = Manifests.template("Secret", secretVolume.path("secretName").asText());
        Map<String, String> templateData = Manifests.stringMap(secret.node().path("stringData"));
        Map<String, String> itemPaths = new TreeMap<>();
        for (JsonNode item : secretVolume.path("items")) {
            assertThat(templateData).as("keys of %s", secret).containsKey(item.path("key").asText());
            itemPaths.put(item.path("key").asText(), item.path("path").asText());
        }
        Properties props = new Properties();
        props.load(new StringReader(text.replace(credentialsMount, tmp.toString())));
        String protocol = props.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);

        switch (protocol) {
            case "SASL_SSL" -> {
                assertThat(text).contains(credentialsMount + ":username", credentialsMount + ":password");
                // Lay out the Secret's files as the kubelet would, in a temporary directory standing for the mount.
                Map<String, String> expected = new TreeMap<>();
                itemPaths.forEach((key, path) -> expected.put(path, templateData.get(key)));
                for (Map.Entry<String, String> f : expected.entrySet()) {
                    Files.writeString(tmp.resolve(f.getKey()), f.getValue());
                }
                Object jaas = clientConfig(kind, props).values().get(SaslConfigs.SASL_JAAS_CONFIG);
                assertThat(jaas instanceof Password pw ? pw.value() : String.valueOf(jaas))
                        .contains("username=\"" + expected.get("username") + "\"", "password=\"" + expected.get("password") + "\"");
            }
            case "SSL" -> {
                assertThat(secret.node().path("type").asText()).isEqualTo("kubernetes.io/tls");
                assertThat(itemPaths).containsKeys("tls.crt", "tls.key", "ca.crt");
                TestCertificates certs = TestCertificates.make(tmp.resolve("pki"), name);
                Files.copy(certs.certificate(), tmp.resolve(itemPaths.get("tls.crt")));
                Files.copy(certs.key(), tmp.resolve(itemPaths.get("tls.key")));
                Files.copy(certs.ca(), tmp.resolve(itemPaths.get("ca.crt")));
                AbstractConfig config = clientConfig(kind, props);
                assertThat(config.values().get(SaslConfigs.SASL_JAAS_CONFIG)).as("no SASL with client certificates").isNull();
                try (DefaultSslEngineFactory ssl = new DefaultSslEngineFactory()) {
                    Map<String, Object> sslConfigs = new HashMap<>();
                    config.values().forEach((k, v) -> {
                        if (k.startsWith("ssl.")) {
                            sslConfigs.put(k, v);
                        }
                    });
                    ssl.configure(sslConfigs);
                    assertThat(subjects(ssl.keystore())).as("the client certificate the clients present").containsExactly("CN=" + name);
                    assertThat(subjects(ssl.truststore())).as("the CA the clients trust").containsExactly("CN=" + TestCertificates.CA_NAME);
                    ssl.createClientSslEngine("kafka-bootstrap.kafka.svc.cluster.local", 9093, "https");
                }
            }
            default -> throw new AssertionError("security.protocol " + protocol + " in " + overlay + ": no check for it here");
        }
    }

    /** The configuration the workload's real client builds from the file (config providers resolved). */
    private static AbstractConfig clientConfig(String kind, Properties file) {
        if (kind.equals("DaemonSet")) {
            return new ProducerConfig(ProducerSettings.build("localhost:9092", file));
        }
        Map<String, String> fromFile = new TreeMap<>();
        file.stringPropertyNames().forEach(n -> fromFile.put(n, file.getProperty(n)));
        Properties p = KafkaStreamsProperties.assemble(fromFile, "client.properties", Map.of(),
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092", StreamsConfig.APPLICATION_ID_CONFIG, "t"));
        Map<String, Object> consumer = new HashMap<>(new StreamsConfig(p).getMainConsumerConfigs("t", "c", 0));
        // Kafka Streams passes its deserializers to the consumer's constructor rather than in the configs.
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new ConsumerConfig(consumer);
    }

    private static List<String> subjects(KeyStore store) throws KeyStoreException {
        List<String> out = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            out.add(((X509Certificate) store.getCertificate(alias)).getSubjectX500Principal().getName());
        }
        return out;
    }
}
