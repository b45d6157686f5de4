package io.finwatch.collector.daemon;

import static io.finwatch.collector.daemon.CollectorHarness.declaredShed;
import static io.finwatch.collector.daemon.CollectorHarness.missing;
import static io.finwatch.collector.daemon.CollectorHarness.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.testkit.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real collector, as a separate JVM, polling real socket churn, against a real broker; the bounce-test
 * standard: any gap in the per-collector sequence fails; duplicates are allowed only after an unclean stop.
 */
class CollectorFaultTest {
    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private CollectorHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = CollectorHarness.start(dir);
        kafka = harness.kafka;
    }

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /**
     * Waits until the topics hold a gap-free sequence with a heartbeat past {@code atLeast} (a heartbeat closes
     * each poll, so everything before it was appended).
     */
    private List<SpecificRecord> awaitGapFree(long atLeast) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(harness::events, ev -> missing(ev).isEmpty()
                        && ev.stream().anyMatch(e -> e instanceof CollectorHeartbeat h && h.getSeq() > atLeast));
    }

    private static List<Long> duplicates(List<SpecificRecord> events) {
        Set<Long> seen = new java.util.HashSet<>();
        return events.stream().map(CollectorHarness::seq).filter(s -> !seen.add(s)).sorted().toList();
    }

    private long maxSeq() {
        return harness.events().stream().mapToLong(CollectorHarness::seq).max().orElse(-1);
    }

    @Test
    void brokerDownUnderChurnThenBackLosesNothing() throws Exception {
        harness.startCollector();
        harness.awaitHealthy();
        await().atMost(Duration.ofSeconds(30)).until(() -> maxSeq() > 20);

        kafka.stopBroker();
        // While Kafka is away the collector keeps polling into its buffer, and the lag is the age of the oldest
        // event not acknowledged: it grows with every sample, it does not report an old acknowledgement's latency.
        double before = harness.metric("finwatch_buffer_depth_events");
        List<Double> lag = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(700)).until(() -> {
            lag.add(harness.metric("finwatch_publish_lag_seconds"));
            return lag.size() >= 8 && harness.metric("finwatch_buffer_depth_events") > before + 50;
        });
        assertThat(lag).as("lag samples during the outage").isSorted();
        assertThat(lag.get(lag.size() - 1) - lag.get(0)).as("%s", lag).isGreaterThan(3.0);
        kafka.startBroker();

        long reached = (long) harness.metric("finwatch_publish_acknowledged_total");
        List<SpecificRecord> events = awaitGapFree(reached + 50);
        Set<Long> seqs = events.stream().map(CollectorHarness::seq).collect(Collectors.toSet());
        // No unclean stop happened, so no duplicates either.
        assertThat(events).as("duplicates: %s", duplicates(events)).hasSameSizeAs(seqs);
        await().atMost(Duration.ofSeconds(30)).until(() -> harness.metric("finwatch_publish_lag_seconds") < 5);
        assertThat(events).anyMatch(e -> e instanceof SocketTransition t && t.getHost().equals("churnhost"));
        assertThat(events).anyMatch(e -> e instanceof CollectorHeartbeat);
    }

    @Test
    void killNineAtRandomMomentsThenRestartLosesNothing() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long lastSeen = -1;
        for (int round = 0; round < 3; round++) {
            Process p = harness.startCollector();
            harness.awaitHealthy();
            long target = lastSeen + 5 + random.nextInt(40);
            long from = lastSeen;
            await().atMost(Duration.ofSeconds(30)).until(() -> maxSeq() > target);
            // A random extra moment so the kill lands anywhere in a poll, an append or a send.
            TimeUnit.MILLISECONDS.sleep(random.nextInt(300));
            p.destroyForcibly().waitFor();
            lastSeen = maxSeq();
            assertThat(lastSeen).as("seed %d round %d progressed", seed, round).isGreaterThan(from);
        }
        harness.startCollector();
        harness.awaitHealthy();
        List<SpecificRecord> events = awaitGapFree(lastSeen + 20);
        assertThat(missing(events)).as("seed %d", seed).isEmpty();
        // Numbering continued across restarts instead of starting again at 0.
        assertThat(events.stream().filter(e -> seq(e) == 0)).as("seed %d", seed).isNotEmpty();
        assertThat(events.stream().mapToLong(CollectorHarness::seq).max().orElse(-1)).isGreaterThan(lastSeen);
    }

    @Test
    void diskCapWhileBrokerDownShedsCountsAndShowsTheGapDownstream() throws Exception {
        harness.startCollector("--buffer-max-bytes", "96k");
        harness.awaitHealthy();
        await().atMost(Duration.ofSeconds(30)).until(() -> maxSeq() > 10);
        kafka.stopBroker();
        await().atMost(Duration.ofSeconds(60)).until(() -> harness.metric("finwatch_buffer_shed_events_total") > 100
                && harness.metric("finwatch_transitions_shed_total") > 0);
        // Polling went on: the collector stayed healthy (only the publisher waits).
        assertThat(harness.httpGet("/healthz").status()).isEqualTo(200);
        kafka.startBroker();

        // Everything not shed arrives, and the gap in the sequence is exactly what the heartbeats declared.
        List<SpecificRecord> events = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(harness::events, ev -> {
                    TreeSet<Long> gap = missing(ev);
                    return !gap.isEmpty() && declaredShed(ev).containsAll(gap);
                });
        TreeSet<Long> gap = missing(events);
        TreeSet<Long> shed = declaredShed(events);
        assertThat(shed).containsAll(gap);
        assertThat(gap).hasSizeGreaterThan(100);
        // Once the buffer had room again the collector re-sent its full table as first-seen transitions, so
        // consumers rebuild what the gap took from them: the listener of the churn is in it though it never changed.
        long lastShed = shed.last();
        long churnNetns = harness.churnNetns();
        await().atMost(Duration.ofSeconds(30)).until(() -> harness.events().stream().anyMatch(e ->
                e instanceof SocketTransition t && t.getSeq() > lastShed && t.getFromState() == null
                        && t.getToState() == io.finwatch.schemas.TcpState.LISTEN && t.getNetns() == churnNetns));
    }
}
