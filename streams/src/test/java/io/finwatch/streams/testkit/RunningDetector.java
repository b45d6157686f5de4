package io.finwatch.streams.testkit;

import io.finwatch.common.config.HostPort;
import io.finwatch.common.http.HttpLimits;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.app.StreamsApp;
import io.finwatch.streams.app.StreamsAppConfig;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.dashboard.DashboardHandler;
import io.finwatch.streams.query.ApiSecurity;
import io.finwatch.testkit.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One real detector instance (StreamsApp, as {@code ./finwatch streams} starts it, dashboard included) on a real
 * in-process broker, on an ephemeral loopback port, fed real Avro-encoded collector events.
 */
public final class RunningDetector implements AutoCloseable {

    private final EmbeddedKafka kafka;
    private final StreamsApp app;
    private final StreamsSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;

    private RunningDetector(EmbeddedKafka kafka, StreamsApp app, StreamsSettings settings) {
        this.kafka = kafka;
        this.app = app;
        this.settings = settings;
        this.producer = kafka.producer();
    }

    /** @param token the API's bearer token, or null for none */
    public static RunningDetector start(Path stateDir, String token) {
        return start(stateDir, token, HttpLimits.api());
    }

    /** As {@link #start(Path, String)} with these HTTP limits. */
    public static RunningDetector start(Path stateDir, String token, HttpLimits limits) {
        return start(stateDir, token, limits, 3);
    }

    /** As {@link #start(Path, String, HttpLimits)} with this many partitions per topic (1: every host in one task). */
    public static RunningDetector start(Path stateDir, String token, HttpLimits limits, int partitions) {
        return start(stateDir, token, limits, partitions, Duration.ofMillis(100));
    }

    /** As above, committing every {@code commitInterval} (the fleet's 100 ms; local's 10 s). */
    public static RunningDetector start(Path stateDir, String token, HttpLimits limits, int partitions, Duration commitInterval) {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            StreamsSettings settings = StreamsSettings.builder().topics("ui.transitions", "ui.heartbeats", "ui.anomalies", "ui.dlq")
                    .pairingTopics("ui.pairing", "ui.pair-facts", "ui.host-directory")
                    .punctuateEvery(Duration.ofMillis(200)).foldEvery(Duration.ofMillis(500))
                    // A test sends few heartbeats: no COLLECTOR_SILENT while it runs.
                    .silenceAfter(Duration.ofMinutes(10)).build();
            kafka.createTopics(partitions, "ui.transitions", "ui.heartbeats", "ui.anomalies", "ui.dlq", "ui.pairing", "ui.pair-facts", "ui.host-directory");
            Properties props = KafkaStreamsProperties.assemble(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                    String.valueOf(commitInterval.toMillis())), "test", Map.of(),
                    Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, "ui-test",
                            StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()));
            StreamsAppConfig config = StreamsAppConfig.builder(settings, props).http(new HostPort("127.0.0.1", 0)).topics(false, partitions, (short) 1)
                    .security(token == null ? ApiSecurity.NONE : new ApiSecurity(token, null, null, null, null))
                    .dashboard(new DashboardHandler()).httpLimits(limits).build();
            return new RunningDetector(kafka, StreamsApp.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)), settings);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + app.httpPort());
    }

    /** The broker's log directories: what it keeps, as its segment files. */
    public List<Path> logDirs() {
        return kafka.logDirs();
    }

    /** Encodes each event and produces it to its topic keyed by host, as the collector's publisher does. */
    public void send(List<? extends SpecificRecord> events) {
        for (SpecificRecord e : events) {
            String host = e.get(e.getSchema().getField("host").pos()).toString();
            producer.send(new ProducerRecord<>(settings.transitionsTopic(), host.getBytes(StandardCharsets.UTF_8), FinwatchSerde.shared().encode(e)));
        }
        producer.flush();
    }

    /** Kafka Streams' state: RUNNING once its tasks are assigned and restored. */
    public org.apache.kafka.streams.KafkaStreams.State state() {
        return app.state();
    }

    /** Every anomaly committed so far, in order. */
    public List<io.finwatch.schemas.FinWait2Anomaly> anomalies() {
        io.finwatch.streams.serde.AnomalySerde serde = new io.finwatch.streams.serde.AnomalySerde();
        return kafka.readAll(org.apache.kafka.common.IsolationLevel.READ_COMMITTED, settings.anomaliesTopic()).stream()
                .map(r -> serde.deserializer().deserialize(settings.anomaliesTopic(), r.value())).toList();
    }

    @Override
    public void close() {
        producer.close();
        app.close();
        kafka.close();
    }
}
