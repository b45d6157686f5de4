package io.finwatch.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.BufferedEvent;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.EventKind;
import io.finwatch.testkit.EmbeddedKafka;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaPublisherTest {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /** Fresh topics per test so tests never see each other's records. */
    static PublisherSettings settings(EmbeddedKafka kafka, int partitions) {
        int n = TOPICS.incrementAndGet();
        Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        topics.put(EventKind.TRANSITION, "transitions-" + n);
        topics.put(EventKind.HEARTBEAT, "heartbeats-" + n);
        topics.values().forEach(t -> kafka.createTopic(t, partitions));
        return PublisherSettings.defaults(kafka.bootstrapServers()).withTopics(topics);
    }

    static BufferedEvent event(long seq) {
        EventKind kind = seq % 10 == 0 ? EventKind.HEARTBEAT : EventKind.TRANSITION;
        String host = seq % 2 == 0 ? "host-even" : "host-odd";
        return new BufferedEvent(kind, seq, host, ("event-" + seq).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void deliversEveryEventToItsKindsTopicKeyedByHostInOrderWithSeqHeader() {
        PublisherSettings settings = settings(kafka, 3);
        int n = 3_000;
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             KafkaPublisher publisher = new KafkaPublisher(buffer, settings)) {
            publisher.start();
            for (long seq = 0; seq < n; seq++) {
                buffer.append(event(seq));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> publisher.acknowledged() == n);
            await().atMost(Duration.ofSeconds(5)).until(() -> buffer.stats().depthEvents() == 0);
            assertThat(publisher.retried()).isZero();
            assertThat(publisher.failed()).isZero();
            assertThat(publisher.producerMetrics()).isNotEmpty();
        }
        String transitions = settings.topics().get(EventKind.TRANSITION);
        String heartbeats = settings.topics().get(EventKind.HEARTBEAT);
        List<Published> all = Published.all(kafka.consumeAll(transitions, heartbeats));
        assertThat(all).hasSize(n);
        for (Published p : all) {
            assertThat(p.topic()).isEqualTo(p.seq() % 10 == 0 ? heartbeats : transitions);
            assertThat(p.key()).isEqualTo(p.seq() % 2 == 0 ? "host-even" : "host-odd");
            assertThat(p.payload()).isEqualTo("event-" + p.seq());
        }
        // One host, one partition per topic, and within it the buffer's order.
        Map<String, List<Published>> byTopicAndKey = all.stream()
                .collect(Collectors.groupingBy(p -> p.topic() + "/" + p.key()));
        for (List<Published> stream : byTopicAndKey.values()) {
            assertThat(stream).extracting(Published::partition).containsOnly(stream.get(0).partition());
            assertThat(stream).extracting(Published::seq).isSorted();
        }
    }

    @Test
    void aPublisherOnTheSameDirectoryAfterACleanCloseSendsNothingTwice() {
        PublisherSettings settings = settings(kafka, 1);
        for (int round = 0; round < 3; round++) {
            try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
                 KafkaPublisher publisher = new KafkaPublisher(buffer, settings)) {
                long first = buffer.lastSeq() + 1;
                for (long seq = first; seq < first + 500; seq++) {
                    buffer.append(event(seq));
                }
                publisher.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> buffer.stats().depthEvents() == 0);
            }
        }
        List<Published> all = Published.all(kafka.consumeAll(settings.topics().values().toArray(String[]::new)));
        assertThat(all).hasSize(1_500);
        assertThat(Published.seqs(all)).hasSize(1_500).first().isEqualTo(0L);
        assertThat(Published.seqs(all).last()).isEqualTo(1_499L);
    }

    @Test
    void userPropertiesCannotWeakenTheDeliveryGuarantee() {
        Properties user = new Properties();
        user.put(ProducerConfig.ACKS_CONFIG, "1");
        user.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        user.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "20");
        user.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "x");
        user.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        user.put("security.protocol", "SSL");
        Properties p = ProducerSettings.build("localhost:1", user);
        assertThat(p.getProperty(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
        assertThat(p.getProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo("true");
        assertThat(p.getProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)).isEqualTo("5");
        assertThat(p).doesNotContainKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        assertThat(p.getProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG)).isEqualTo("lz4");
        assertThat(p.getProperty("security.protocol")).isEqualTo("SSL");
    }
}
