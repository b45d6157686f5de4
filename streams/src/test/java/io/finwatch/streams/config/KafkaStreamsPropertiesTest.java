package io.finwatch.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaStreamsPropertiesTest {

    @TempDir
    Path dir;

    static Map<String, String> owned() {
        Map<String, String> m = new HashMap<>();
        m.put("bootstrap.servers", "kafka:9092");
        m.put("application.id", "finwatch-streams");
        m.put("state.dir", "/var/lib/finwatch");
        m.put("application.server", null);
        return m;
    }

    @Test
    void environmentVariablesNameAnyPropertyWithDotsAsUnderscores() {
        Map<String, String> env = KafkaStreamsProperties.fromEnvironment(Map.of(
                "KAFKA_STREAMS_NUM_STREAM_THREADS", "4",
                "KAFKA_STREAMS_CONSUMER_MAX_POLL_RECORDS", "5000",
                "KAFKA_STREAMS_", "ignored",
                "FINWATCH_BOOTSTRAP_SERVERS", "not a kafka property",
                "PATH", "/usr/bin"));

        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of("num.stream.threads", "4", "consumer.max.poll.records", "5000"));
    }

    @Test
    void laterLayersWinAndExactlyOnceIsAlwaysOn() throws Exception {
        Path file = dir.resolve("streams.properties");
        Files.writeString(file, "num.stream.threads=2\ncommit.interval.ms=250\nproducer.linger.ms=20\n");

        Properties p = KafkaStreamsProperties.assemble(KafkaStreamsProperties.fromFile(file), file.toString(),
                Map.of("num.stream.threads", "3"), owned());

        assertThat(p.getProperty("num.stream.threads")).as("environment over file").isEqualTo("3");
        assertThat(p.getProperty("commit.interval.ms")).isEqualTo("250");
        assertThat(p.getProperty("producer.linger.ms")).isEqualTo("20");
        assertThat(p.getProperty("statestore.cache.max.bytes")).as("finwatch default").isEqualTo(Long.toString(64L << 20));
        assertThat(p.getProperty("bootstrap.servers")).isEqualTo("kafka:9092");
        assertThat(p.getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
        assertThat(p).doesNotContainKey("application.server");
    }

    @Test
    void theTransactionTimeoutOutlastsTheCommitInterval() {
        assertThat(KafkaStreamsProperties.assemble(Map.of(), "none", Map.of(), owned()).getProperty("producer.transaction.timeout.ms"))
                .as("the fleet's 100 ms commits keep the 10 s default").isEqualTo("10000");
        // local's defaults come in as the file layer: 10 s commits, which the 10 s timeout did not outlast on a busy machine.
        assertThat(KafkaStreamsProperties.assemble(Map.of("commit.interval.ms", "10000"), "local's defaults", Map.of(), owned())
                .getProperty("producer.transaction.timeout.ms")).isEqualTo("30000");
        assertThat(KafkaStreamsProperties.assemble(Map.of("commit.interval.ms", "10000"), "f",
                Map.of("producer.transaction.timeout.ms", "45000"), owned()).getProperty("producer.transaction.timeout.ms"))
                .as("one that is set and long enough is kept").isEqualTo("45000");
        assertThatThrownBy(() -> KafkaStreamsProperties.assemble(Map.of("commit.interval.ms", "10000", "producer.transaction.timeout.ms", "10000"),
                "/etc/fw.properties", Map.of(), owned()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("file /etc/fw.properties sets producer.transaction.timeout.ms=10000, not above commit.interval.ms=10000");
    }

    @Test
    void taskIdlingIsOffUnlessAnOperatorTurnsItBackOn() {
        assertThat(KafkaStreamsProperties.assemble(Map.of(), "none", Map.of(), owned()).getProperty("max.task.idle.ms"))
                .as("heartbeats come in order on the transitions topic").isEqualTo("-1");
        assertThat(KafkaStreamsProperties.assemble(Map.of(), "none",
                KafkaStreamsProperties.fromEnvironment(Map.of("KAFKA_STREAMS_MAX_TASK_IDLE_MS", "0")), owned()).getProperty("max.task.idle.ms"))
                .as("for collectors of earlier releases in a catch-up (docs/operations.md)").isEqualTo("0");
    }

    @Test
    void anotherProcessingGuaranteeIsRefusedNamingTheSource() {
        assertThatThrownBy(() -> KafkaStreamsProperties.assemble(Map.of("processing.guarantee", "at_least_once"), "/etc/fw.properties",
                Map.of(), owned()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/etc/fw.properties")
                .hasMessageContaining("exactly_once_v2");
    }

    @Test
    void anOwnedPropertySetElsewhereToAnotherValueIsRefused() {
        assertThatThrownBy(() -> KafkaStreamsProperties.assemble(Map.of(), "none", Map.of("application.id", "other"), owned()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KAFKA_STREAMS_")
                .hasMessageContaining("application.id=other");
        // The same value is no conflict.
        assertThat(KafkaStreamsProperties.assemble(Map.of("application.id", "finwatch-streams"), "f", Map.of(), owned())
                .getProperty("application.id")).isEqualTo("finwatch-streams");
    }

    @Test
    void credentialsAreMaskedForTheLog() {
        Properties p = new Properties();
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"x\";");
        p.put("ssl.keystore.password", "secret");
        p.put("num.stream.threads", "1");

        assertThat(KafkaStreamsProperties.forLog(p)).containsEntry("sasl.jaas.config", "****").containsEntry("ssl.keystore.password", "****")
                .containsEntry("num.stream.threads", "1");
    }
}
