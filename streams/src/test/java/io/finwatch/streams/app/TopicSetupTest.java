package io.finwatch.streams.app;

import io.finwatch.testkit.EmbeddedKafka;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.streams.config.StreamsSettings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TopicSetupTest {

    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    static Properties props() {
        Properties p = new Properties();
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topic-setup-test");
        return p;
    }

    static Map<String, TopicDescription> describe(List<String> topics) throws Exception {
        try (Admin admin = Admin.create(props())) {
            return admin.describeTopics(topics).allTopicNames().get();
        }
    }

    @Test
    void createsMissingTopicsWithTheGivenPartitionsAndLeavesExistingOnes() throws Exception {
        StreamsSettings s = StreamsSettings.builder().topics("a.transitions", "a.heartbeats", "a.anomalies", "a.dlq")
                .pairingTopics("a.pairing", "a.pair-facts", "a.host-directory").build();
        kafka.createTopics(2, "a.anomalies");

        TopicSetup.ensure(props(), s, true, 4, (short) 1);
        TopicSetup.ensure(props(), s, true, 4, (short) 1);

        Map<String, TopicDescription> d = describe(List.of("a.transitions", "a.heartbeats", "a.anomalies", "a.dlq"));
        assertThat(d.get("a.transitions").partitions()).hasSize(4);
        assertThat(d.get("a.heartbeats").partitions()).hasSize(4);
        assertThat(d.get("a.dlq").partitions()).hasSize(4);
        assertThat(d.get("a.anomalies").partitions()).as("existing topic untouched").hasSize(2);
        assertThat(describe(List.of("a.pairing", "a.pair-facts", "a.host-directory")).values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(4));
    }

    @Test
    void pairFactsWithAnotherPartitionCountThanTheTransitionsAreRefused() {
        StreamsSettings s = StreamsSettings.builder().topics("d.transitions", "d.heartbeats", "d.anomalies", "d.dlq")
                .pairingTopics("d.pairing", "d.pair-facts", "d.host-directory").build();
        kafka.createTopics(3, "d.transitions", "d.heartbeats");
        kafka.createTopics(2, "d.pair-facts");

        assertThatThrownBy(() -> TopicSetup.ensure(props(), s, true, 3, (short) 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("d.pair-facts").hasMessageContaining("must be equal");
    }

    @Test
    void missingTopicsWithoutCreationAreNamedInTheError() {
        StreamsSettings s = StreamsSettings.builder().topics("b.transitions", "b.heartbeats", "b.anomalies", "b.dlq")
                .pairingTopics("b.pairing", "b.pair-facts", "b.host-directory").build();
        kafka.createTopics(1, "b.transitions", "b.heartbeats");

        assertThatThrownBy(() -> TopicSetup.ensure(props(), s, false, 1, (short) 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("b.anomalies").hasMessageContaining("b.dlq").hasMessageContaining("--create-topics");
    }

    @Test
    void transitionsAndHeartbeatsWithDifferentPartitionCountsAreRefused() {
        StreamsSettings s = StreamsSettings.builder().topics("c.transitions", "c.heartbeats", "c.anomalies", "c.dlq")
                .pairingTopics("c.pairing", "c.pair-facts", "c.host-directory").build();
        kafka.createTopics(3, "c.transitions");
        kafka.createTopics(2, "c.heartbeats");

        assertThatThrownBy(() -> TopicSetup.ensure(props(), s, true, 6, (short) 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("c.transitions has 3 partitions but c.heartbeats has 2");
    }
}
