package io.finwatch.collector.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector started while Kafka cannot be reached, by name or by address, polls into its buffer, says why it
 * is not publishing, and publishes everything once a broker answers: no exit, no gap.
 */
class KafkaUnreachableAtStartTest {
    @TempDir
    Path dir;

    private CollectorHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = CollectorHarness.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** Buffers while unable to publish: depth grows, RETRYING, /healthz 200 with the reason. */
    private void awaitBuffering(String reason) {
        harness.awaitHealthy();
        await().atMost(Duration.ofSeconds(60)).until(() -> harness.metric("finwatch_buffer_depth_events") > 100
                && harness.metric("finwatch_publish_state") == 2.0);
        assertThat(harness.startedCollector().isAlive()).isTrue();
        assertThat(harness.metric("finwatch_publish_acknowledged_total")).isZero();
        CollectorHarness.Answer health = harness.httpGet("/healthz");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("RETRYING").contains(reason);
    }

    /** Everything buffered reaches Kafka: one run, no gap, nothing waiting. */
    private void awaitEverythingPublished() {
        SeqAudit audit = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(harness::audit, a -> a.seen.size() == 1 && a.undeclaredGaps().isEmpty()
                        && a.seen.values().iterator().next().first() == 0
                        && harness.metric("finwatch_buffer_depth_events") < 50);
        assertThat(audit.clashes).isEmpty();
        assertThat(audit.declaredLost()).isZero();
        assertThat(harness.metric("finwatch_publish_state")).isEqualTo(1.0);
    }

    @Test
    void aClosedPortAtStartBuffersThenPublishesOnceTheBrokerListensThere() throws Exception {
        harness.kafka.stopBroker();
        harness.startCollector();
        awaitBuffering("Kafka unreachable");
        harness.kafka.startBroker();
        awaitEverythingPublished();
    }

    @Test
    void anUnresolvableBrokerNameAtStartBuffersThenPublishesOnceTheNameResolves() throws Exception {
        // The child resolves names from this file only (the JDK's hosts-file resolver): the broker's name is in it
        // only once the test adds it, as a DNS record would appear.
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n");
        String name = "fw-broker-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
        String port = harness.kafka.bootstrapServers().substring(harness.kafka.bootstrapServers().lastIndexOf(':') + 1);
        harness.startCollector(name + ":" + port, List.of("-Djdk.net.hosts.file=" + hosts,
                "-Dsun.net.inetaddr.negative.ttl=0"));
        awaitBuffering("No resolvable bootstrap urls");
        assertThat(harness.httpGet("/healthz").body()).contains(name);
        Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 " + name + "\n");
        awaitEverythingPublished();
    }
}
