package io.finwatch.streams.eos;

import io.finwatch.testkit.EmbeddedKafka;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.testkit.FreePort;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.eos.AnomalyOracle.Expected;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.StreamsProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under crashes, after Kafka's own streams EOS system test: a script of transitions and
 * heartbeats for several hosts is fed to the streams application running in its own JVM, which is killed
 * with SIGKILL three times while it works and restarted on the same state directory each time. What it
 * published, read with read_committed, must be exactly what an oracle derives from the script: every
 * anomaly once, none missing, including those that came due while it was down.
 */
class CrashRecoveryTest {

    static final String TRANSITIONS = "t.transitions";
    static final String HEARTBEATS = "t.heartbeats";
    static final String ANOMALIES = "t.anomalies";
    static final String DLQ = "t.dlq";
    static final String PAIRING = "t.pairing";
    static final String PAIR_FACTS = "t.pair-facts";
    static final String HOST_DIRECTORY = "t.host-directory";
    static final String APP_ID = "finwatch-eos-test";
    static final int PARTITIONS = 3;
    static final long GRACE_MS = 2000;

    @TempDir
    Path work;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyAnomalyExactlyOnceAcrossThreeKills() throws Exception {
        List<String> live = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            live.add("live-" + i);
        }
        String quiet = "quiet-0";
        // COLLECTOR_SILENT needs its task to have processed a fresh heartbeat (see HostTracker): the silent
        // host must share a partition with a live one. Fixed names, so this is a precondition, not luck.
        Set<Integer> livePartitions = live.stream().map(CrashRecoveryTest::partitionOf).collect(Collectors.toSet());
        assertThat(livePartitions).contains(partitionOf(quiet));

        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // Heartbeats in their host's transitions partition, as collectors send them.
        CrashScript script = new CrashScript(t, live, quiet, 3000, 4, TRANSITIONS, TRANSITIONS, 20260301L);
        Set<Expected> expected = AnomalyOracle.expected(script.episodes, script.paired, GRACE_MS, quiet, script.quietLastHeard,
                CollectorRun.NETNS + "|4|127.0.0.1|{port}|127.0.0.1|8080|0");

        Path streamsConfig = work.resolve("streams.properties");
        // Static membership: a restarted instance takes its old place at once instead of waiting out the dead
        // member's session; the state directory keeps the process id, so its transactional id fences the
        // killed one's open transaction at once.
        Files.writeString(streamsConfig, String.join("\n",
                "group.instance.id=eos-test-instance",
                "consumer.session.timeout.ms=10000",
                "commit.interval.ms=100"));
        int metricsPort = FreePort.belowEphemeralRange();
        List<String> args = List.of("streams", "--bootstrap-servers", "PLACEHOLDER", "--state-dir", work.resolve("state").toString(),
                "--application-id", APP_ID, "--http", "127.0.0.1:" + metricsPort, "--transitions-topic", TRANSITIONS, "--heartbeats-topic",
                HEARTBEATS, "--anomalies-topic", ANOMALIES, "--dlq-topic", DLQ, "--pairing-topic", PAIRING, "--pair-facts-topic", PAIR_FACTS,
                "--host-directory-topic", HOST_DIRECTORY, "--close-wait-threshold", CrashScript.CLOSE_WAIT_THRESHOLD_S + "s",
                "--grace", GRACE_MS + "ms", "--silence-after", "60s",
                "--streams-config", streamsConfig.toString(), "--create-topics", "false");
        Path log = Files.createDirectories(Path.of("target", "crash-recovery")).resolve("streams-" + t.toEpochMilli() + ".log");

        try (EmbeddedKafka kafka = EmbeddedKafka.start(); KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            kafka.createTopics(PARTITIONS, TRANSITIONS, HEARTBEATS, PAIRING, PAIR_FACTS, HOST_DIRECTORY);
            kafka.createTopics(1, ANOMALIES, DLQ);
            List<String> appArgs = args.stream().map(a -> a.equals("PLACEHOLDER") ? kafka.bootstrapServers() : a).toList();
            ScheduledExecutorService heartbeats = keepAlive(producer, live);
            StreamsProcess app = StreamsProcess.start(appArgs, log);
            try {
                assertHealthAndMetrics(metricsPort);
                long produced = 0;
                for (int chunk = 0; chunk < script.chunks.size(); chunk++) {
                    List<ProducerRecord<byte[], byte[]>> records = script.chunks.get(chunk);
                    long before = kafka.committedOffsets(APP_ID, TRANSITIONS);
                    records.forEach(producer::send);
                    producer.flush();
                    produced += records.stream().filter(r -> r.topic().equals(TRANSITIONS)).count();
                    if (chunk == script.chunks.size() - 1) {
                        break;
                    }
                    // Kill while it works on this chunk: once some of it is committed, before all of it is.
                    long target = before + 500;
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                            .until(() -> kafka.committedOffsets(APP_ID, TRANSITIONS) >= target);
                    app.kill9();
                    app = StreamsProcess.start(appArgs, log);
                }
                long allInput = produced;
                Set<String> wanted = expected.stream().map(Expected::anomalyId).collect(Collectors.toSet());
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    List<FinWait2Anomaly> now = read(kafka);
                    assertThat(kafka.committedOffsets(APP_ID, TRANSITIONS)).as("input committed").isGreaterThanOrEqualTo(allInput);
                    assertThat(ids(now)).as("expected anomalies published").containsAll(wanted);
                    for (PairedEnds p : script.paired) {
                        assertThat(finalVerdict(now, p)).as("final verdict of " + p).isEqualTo(p.verdict());
                    }
                });
                assertThat(app.terminate()).as("clean stop on SIGTERM").isIn(0, 143);
            } finally {
                heartbeats.shutdownNow();
                app.close();
            }

            List<FinWait2Anomaly> published = read(kafka);
            assertThat(ids(published)).as("no anomaly published twice, UPDATED included").hasSize(published.size());
            assertThat(published.stream().filter(a -> !"UPDATED".equals(a.getKind().toString())).map(CrashRecoveryTest::comparable)
                    .collect(Collectors.toSet())).isEqualTo(expected);
            for (PairedEnds p : script.paired) {
                FinWait2Anomaly last = lastDiagnosis(published, p);
                assertThat(last.getVerdict()).as("final verdict of " + p).isEqualTo(p.verdict());
                assertThat(last.getPeer()).as("peer of " + p).isNotNull();
                assertThat(last.getPeer().getPid()).as("peer of " + p).isEqualTo(p.peerPid());
            }
            assertThat(kafka.readAll(IsolationLevel.READ_COMMITTED, DLQ)).as("each garbage record dead-lettered once").hasSize(script.garbage);
        }
    }

    /** /healthz turns 200 once Streams runs; /metrics carries the detector's meters and Kafka Streams' own. */
    static void assertHealthAndMetrics(int port) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() ->
                assertThat(get(http, port, "/healthz").statusCode()).isEqualTo(200));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(get(http, port, "/metrics").body())
                        .contains("finwatch_streams_open_fin_wait2")
                        .contains("kafka_stream_"));
    }

    static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }


    static int partitionOf(String host) {
        return Utils.toPositive(Utils.murmur2(host.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** Live collectors keep sending heartbeats the whole time, so their hosts are never silent. */
    static ScheduledExecutorService keepAlive(KafkaProducer<byte[], byte[]> producer, List<String> hosts) {
        List<CollectorRun> runs = hosts.stream()
                .map(h -> new CollectorRun(h, h + "-run1", Instant.now(), CrashScript.INTERVAL_MS, CrashScript.FIN_TIMEOUT_S).seqFrom(1_000_000))
                .toList();
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor();
        ex.scheduleAtFixedRate(() -> {
            for (CollectorRun run : runs) {
                byte[] hb = FinwatchSerde.shared().encode(run.at(Instant.now()).heartbeat());
                producer.send(new ProducerRecord<>(TRANSITIONS, run.host().getBytes(StandardCharsets.UTF_8), hb));
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        return ex;
    }

    static List<FinWait2Anomaly> read(EmbeddedKafka kafka) {
        List<FinWait2Anomaly> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(IsolationLevel.READ_COMMITTED, ANOMALIES)) {
            out.add(FinwatchSerde.shared().decode(r.value(), FinWait2Anomaly.class));
        }
        return out;
    }

    /** The newest STUCK or UPDATED of a paired end, in the order they were published. */
    static FinWait2Anomaly lastDiagnosis(List<FinWait2Anomaly> published, PairedEnds p) {
        FinWait2Anomaly last = null;
        for (FinWait2Anomaly a : published) {
            String kind = a.getKind().toString();
            if ((kind.equals("STUCK") || kind.equals("UPDATED")) && a.getHost().equals(p.host()) && p.port() == a.getLocalPort()
                    && p.localIp().equals(a.getLocalIp()) && p.enteredAt().equals(a.getEnteredAt())) {
                last = a;
            }
        }
        return last;
    }

    static io.finwatch.schemas.Verdict finalVerdict(List<FinWait2Anomaly> published, PairedEnds p) {
        FinWait2Anomaly last = lastDiagnosis(published, p);
        return last == null ? null : last.getVerdict();
    }

    static Set<String> ids(List<FinWait2Anomaly> anomalies) {
        Set<String> ids = new HashSet<>();
        anomalies.forEach(a -> ids.add(a.getAnomalyId()));
        return ids;
    }

    static Expected comparable(FinWait2Anomaly a) {
        boolean resolved = "RESOLVED".equals(a.getKind().toString());
        return new Expected(a.getAnomalyId(), a.getKind().toString(), a.getReason().toString(), a.getHost(), a.getLocalPort(),
                a.getEnteredAt(), a.getDeadline(), a.getOrphaned(), a.getPid(), a.getToState() == null ? null : a.getToState().toString(),
                resolved ? a.getDwellMs() : null, a.getLastHeardAt());
    }
}
